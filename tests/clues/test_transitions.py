"""The clue status machine over HTTP: every allowed step, every refused jump (409, audited), versions."""
import itertools

import pytest

from portal.models import AuditRecord
from portal.models.tip import CLUE_STATUSES, CLUE_TRANSITIONS, Clue, ClueEvent
from tests.tips.util import org, submit

STEPS = {
    "accepted": {},
    "assigned": {"disposal": "verify", "handler_id": None, "handler_department_id": "0", "workdays": "10"},
    "verifying": {},
    "concluded": {"conclusion": "false", "finding": "经核查，反映问题不属实。"},
}
ORDER = ["pending", "accepted", "assigned", "verifying", "concluded"]


def _post(client, clue, to, o, **extra):
    data = dict(STEPS.get(to, {}))
    if to == "assigned":
        data["handler_id"] = str(o["office2"].id)
    data.update(extra)
    data["version"] = str(Clue.get_by_id(clue.id).version)
    return client.post(f"/clues/{clue.id}/to/{to}", data=data)


def _clue_at(client, auth, o, status):
    submit(client)
    clue = Clue.select().order_by(Clue.id.desc()).get()
    auth.login(o["office"])
    for to in ORDER[1:ORDER.index(status) + 1]:
        r = _post(client, clue, to, o)
        assert r.status_code == 303, r.get_data(as_text=True)[:300]
    return Clue.get_by_id(clue.id)


def test_every_allowed_step(client, auth, ctx):
    o = org()
    clue = _clue_at(client, auth, o, "concluded")
    assert clue.status == "concluded" and clue.conclusion == "false"
    assert clue.accepted_at and clue.assigned_at and clue.concluded_at and clue.handle_due
    kinds = [(e.from_status, e.to_status) for e in ClueEvent.select().where(ClueEvent.kind == "status")
             .order_by(ClueEvent.id)]
    assert kinds == list(zip(ORDER, ORDER[1:]))
    assert all(e.actor_id for e in ClueEvent.select().where(ClueEvent.kind == "status"))
    assert AuditRecord.select().where(AuditRecord.action == "clue_status").count() == 4


@pytest.mark.parametrize("frm,to", [(a, b) for a, b in itertools.product(ORDER, ORDER)
                                    if (a, b) not in CLUE_TRANSITIONS])
def test_every_illegal_jump_is_refused_and_audited(client, auth, ctx, frm, to):
    o = org()
    clue = _clue_at(client, auth, o, frm)
    before = AuditRecord.select().where(AuditRecord.action == "clue_refused").count()
    r = _post(client, clue, to, o)
    assert r.status_code == 409
    text = r.get_data(as_text=True)
    assert "不能从" in text and "data-error-message" in text
    assert Clue.get_by_id(clue.id).status == frm
    assert AuditRecord.select().where(AuditRecord.action == "clue_refused").count() == before + 1


def test_stale_version_is_a_conflict(client, auth, ctx):
    o = org()
    clue = _clue_at(client, auth, o, "pending")
    r = client.post(f"/clues/{clue.id}/to/accepted", data={"version": "99"})
    assert r.status_code == 409 and "已被他人更新" in r.get_data(as_text=True)


def test_only_the_office_moves_a_clue_and_handler_starts_verification(client, auth, ctx):
    o = org()
    submit(client)
    clue = Clue.get()
    auth.login(o["office"])
    assert _post(client, clue, "accepted", o).status_code == 303
    r = _post(client, clue, "assigned", o, handler_id="0", handler_department_id=str(o["asset"].id))
    assert r.status_code == 303
    auth.logout()
    auth.login(o["asset_head"])  # heads the department the clue was assigned to
    assert client.get(f"/clues/{clue.id}").status_code == 200
    r = _post(client, clue, "concluded", o)
    assert r.status_code == 409  # not from assigned, and not theirs to conclude
    assert _post(client, clue, "verifying", o).status_code == 303
    r = _post(client, clue, "concluded", o)
    assert r.status_code == 409 and "机关党委（纪委）" in r.get_data(as_text=True)
    assert Clue.get_by_id(clue.id).status == "verifying"


def test_missing_fields_are_422_and_nothing_changes(client, auth, ctx):
    o = org()
    clue = _clue_at(client, auth, o, "accepted")
    r = _post(client, clue, "assigned", o, disposal="", handler_id="0")
    assert r.status_code == 422 and Clue.get_by_id(clue.id).status == "accepted"
    r = _post(client, clue, "assigned", o, handler_id="0", handler_department_id="0")
    assert r.status_code == 422 and "承办人或承办部门" in r.get_data(as_text=True)
    r = _post(client, clue, "assigned", o, workdays="500")
    assert r.status_code == 422


def test_unknown_status_is_404(client, auth, ctx):
    o = org()
    clue = _clue_at(client, auth, o, "pending")
    assert client.post(f"/clues/{clue.id}/to/flying", data={"version": "1"}).status_code == 404
    assert set(CLUE_STATUSES) == set(ORDER)
