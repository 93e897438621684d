"""portal/cache.py: entries keyed by data versions that the database's triggers bump, so freshness never
depends on the process; a self-check autosave leaves the versions alone, a status change does not."""
from portal import cache, clock
from portal.extensions import db
from portal.models.selfcheck import SelfCheck
from tests.factories import default_campaign, make_user


def test_a_versioned_entry_lives_until_a_write(ctx):
    u = make_user()
    k = cache.key("x", on=("ledger", "selfcheck"))
    assert cache.key("x", on=("ledger", "selfcheck")) == k  # nothing written: the same key
    cache.put("dashboard", k, {"n": 1})
    assert cache.get("dashboard", k) == {"n": 1}
    db.execute_sql('UPDATE "user" SET "real_name" = \'改名\' WHERE "id" = %d' % u.id)  # not through the ORM
    assert cache.key("x", on=("ledger", "selfcheck")) != k


def test_selfcheck_status_bumps_its_version_an_autosave_does_not(ctx):
    u = make_user()
    before = cache.versions("ledger", "selfcheck")
    sc = SelfCheck.create(user=u, campaign=default_campaign(), status="draft")
    after_create = cache.versions("ledger", "selfcheck")
    assert after_create[1] != before[1]
    SelfCheck.update(updated_at=clock.now(), current_step=2).where(SelfCheck.id == sc.id).execute()
    assert cache.versions("ledger", "selfcheck") == after_create
    SelfCheck.update(status="submitted").where(SelfCheck.id == sc.id).execute()
    now = cache.versions("ledger", "selfcheck")
    assert now[1] != after_create[1] and now[0] == after_create[0]


def test_a_missing_version_row_comes_back_with_a_new_value(ctx):
    v = cache.versions("selfcheck")
    db.execute_sql('DELETE FROM "ledger_version" WHERE "id" = 2')
    assert cache.versions("selfcheck") != v


def test_memo_is_bounded(ctx):
    cache.clear("checklist")
    for i in range(cache.MAX_ENTRIES["checklist"] + 5):
        cache.memo("checklist", ("k", i), lambda: i)
    assert cache.size("checklist") == cache.MAX_ENTRIES["checklist"]
    assert cache.get("checklist", ("k", 0)) is None
