"""The dashboard's numbers for one viewer, kept in portal/cache.py (see there) while the ledger and
self-check data versions are unchanged; the key is (viewer's department scope, today). Clue numbers are
small and read fresh."""
from .. import cache, clock
from . import queries, sources

ON = ("ledger", "selfcheck")  # the data versions the numbers are made from


def _compute(depts, today):
    return {"problems": queries.problem_stats(depts, today),
            "selfcheck": selfcheck_stats(depts),
            "actions": sources.action_stats(depts, today)}


def selfcheck_stats(depts):
    """Self-check progress does not change with Problem writes: kept while the self-check data version and
    the reference version (people's department and active flag, roles, departments, campaigns: migration
    0029) are unchanged, so a dashboard made cold by a Problem write does not count the staff again."""
    key = cache.key("selfcheck", depts, on=("selfcheck", "reference"))
    return cache.memo("dashboard", key, lambda: sources.selfcheck_stats(depts))


def bundle(user, cached=True):
    """Problems, self-checks and actions for the viewer's scope, through the cache."""
    depts = queries.scope_departments(user)
    today = clock.today()
    if not cached:
        return _compute(depts, today)
    key = cache.key("numbers", depts, today, on=ON)
    return cache.memo("dashboard", key, lambda: _compute(depts, today))


def problem_stats(user, cached=True):
    return bundle(user, cached)["problems"]


def counts(user, cached=True):
    """Everything the page shows, as data (clues are few and always read fresh)."""
    data = dict(bundle(user, cached))
    data["clues"] = sources.clue_stats(user, queries.scope_departments(user))
    return data
