"""Helpers for the self-check tests: build the wizard's form data like the browser does."""
import datetime as dt
import itertools

from portal.models import Campaign
from portal.selfcheck import service

_keys = itertools.count(1)


def key() -> str:
    return f"{next(_keys):08x}"


def setup():
    from tests.factories import default_campaign
    c = default_campaign()
    return c, service.checklist(c)


def aspect_id(cl, name="工作"):
    return next(a for a, n in cl.aspects.items() if n == name)


def problem_fields(item_id, k, cl, description="工作中存在拖延现象，报表延期报送两次", measure="建立任务台账，按周调度推进",
                   deadline="2026-12-31", aspect="工作", fixed=False):
    pre = f"p-{item_id}-{k}-"
    d = {pre + "aspect": str(aspect_id(cl, aspect)) if aspect else "", pre + "description": description,
         pre + "measure": measure, pre + "deadline": deadline}
    if fixed:
        d[pre + "fixed"] = "1"
    return d


def step_data(cl, n, version, problems=None, blank=()):
    """Form data for step n: items in `problems` ({item_id: [(key, overrides)]}) answered with problems,
    the others "未发现问题" (or unanswered if in `blank`)."""
    problems = problems or {}
    data = {"draft_version": str(version)}
    keys = []
    for it in cl.steps[n - 1].items:
        if it.id in blank:
            continue
        if it.id in problems:
            data[f"a-{it.id}"] = "problem"
            for k, over in problems[it.id]:
                keys.append((f"k-{it.id}", k))
                data.update(problem_fields(it.id, k, cl, **over))
        else:
            data[f"a-{it.id}"] = "no_problem"
    return _multi(data, keys)


def _multi(data, keys):
    from werkzeug.datastructures import MultiDict
    md = MultiDict(data)
    for name, k in keys:
        md.add(name, k)
    return md


def version_of(user, campaign=None):
    campaign = campaign or Campaign.active()
    sc = service.find(user, campaign)
    return sc.draft_version if sc else 0


def fill_all(client, cl, user, problems_on=None):
    """Autosave every step: item ids in problems_on get one problem each. Returns the keys used."""
    problems_on = problems_on or {}
    for st in cl.steps:
        probs = {iid: v for iid, v in problems_on.items() if iid in {it.id for it in st.items}}
        r = client.hx_post(f"/selfcheck/step/{st.no}/autosave", data=step_data(cl, st.no, version_of(user), probs))
        assert r.status_code == 200, r.get_data(as_text=True)


def today_in_campaign():
    return dt.datetime(2026, 11, 20, 10, 0)
