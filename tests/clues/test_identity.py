"""Identity access requests: handlers of a named tip see its content but not who sent it; a handler asks
with a reason, a custodian (身份保管人) approves or refuses, and the request, the decision and every view
are audited and listed for the auditor. Clues handed to a department never carry the identity."""
import datetime as dt
import re

from portal.clues import identity
from portal.clues import service as clues
from portal.models import AuditRecord, Notice
from portal.models.tip import IdentityRequest
from portal.permissions import BUSINESS_ROLES, ROLES, check_role_set
from portal.tips import service as tips
from tests.factories import make_user
from tests.tips.util import org

from .test_rules import _advance, _tip

NAME, PHONE = "张三", "13900000000"


def _setup():
    o = org()
    o["keeper"] = make_user("keeper", o["disc"], roles=("custodian", "staff"), real_name="纪委书记甲")
    o["auditor"] = make_user("auditor1", roles=("auditor",), real_name="审计员")
    return o


def test_custodian_is_a_business_role():
    assert ROLES["custodian"] == "身份保管人" and "custodian" in BUSINESS_ROLES
    check_role_set({"custodian", "staff", "discipline"})


def test_the_handler_sees_the_content_but_not_the_reporter(client, auth, ctx):
    o = _setup()
    clue = _tip(named=True)
    assert "reporter" not in tips.read(clue.tip)  # the content, without who sent it
    auth.login(o["office"])
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "反映的具体问题情况说明" in page and NAME not in page and PHONE not in page
    assert "申请查看举报人身份" in page
    r = client.hx_get(f"/clues/{clue.id}/identity")  # no approved request: refused, and audited
    assert r.status_code == 403 and NAME not in r.get_data(as_text=True)
    assert AuditRecord.get(AuditRecord.action == "clue_identity_view").outcome == "denied"


def test_request_approve_view_all_audited_and_listed_for_the_auditor(client, auth, ctx):
    o = _setup()
    clue = _tip(named=True)
    auth.login(o["office"])
    r = client.post(f"/clues/{clue.id}/identity/request", data={"reason": "需当面向举报人核实考勤细节"})
    assert r.status_code == 303
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "等待身份保管人审批" in page and NAME not in page
    assert client.hx_get(f"/clues/{clue.id}/identity").status_code == 403  # asked is not approved
    req = IdentityRequest.get()
    assert req.status == "pending" and req.requester_id == o["office"].id
    assert Notice.select().where(Notice.user == o["keeper"].id).count() == 1
    auth.logout()

    auth.login(o["keeper"])
    home = client.get("/").get_data(as_text=True)
    assert "data-identity-panel" in home
    queue = client.get("/clues/identity-requests")
    text = queue.get_data(as_text=True)
    assert queue.status_code == 200 and clue.number in text and "需当面向举报人核实考勤细节" in text
    assert NAME not in text and "反映的具体问题情况说明" not in text  # the custodian decides blind
    r = client.post(f"/clues/identity-requests/{req.id}", data={"decision": "approve", "note": ""})
    assert r.status_code == 303
    r = client.post(f"/clues/identity-requests/{req.id}", data={"decision": "refuse", "note": "重复"})
    assert r.status_code == 422 and "已经审批过" in r.get_data(as_text=True)
    assert client.hx_get(f"/clues/{clue.id}/identity").status_code == 404  # the custodian is no handler
    auth.logout()

    auth.login(o["office"])
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "查看举报人信息（留痕）" in page and "前有效" in page and NAME not in page
    for _ in range(2):
        r = client.hx_get(f"/clues/{clue.id}/identity")
        assert r.status_code == 200 and NAME in r.get_data(as_text=True) and PHONE in r.get_data(as_text=True)
    auth.logout()
    auth.login(o["office2"])  # approval is for the person who asked, not the whole office
    assert client.hx_get(f"/clues/{clue.id}/identity").status_code == 403
    auth.logout()

    actions = [(a.action, a.outcome, a.actor_id) for a in AuditRecord.select().where(
        AuditRecord.action.startswith("clue_identity")).order_by(AuditRecord.seq)]
    assert actions == [("clue_identity_request", "ok", o["office"].id),
                       ("clue_identity_view", "denied", o["office"].id),
                       ("clue_identity_approve", "ok", o["keeper"].id),
                       ("clue_identity_view", "ok", o["office"].id),
                       ("clue_identity_view", "ok", o["office"].id),
                       ("clue_identity_view", "denied", o["office2"].id)]
    for rec in AuditRecord.select().where(AuditRecord.action.startswith("clue_identity")):
        assert NAME not in rec.detail and PHONE not in rec.detail

    auth.login(o["auditor"])
    log = client.get("/clues/identity-log")
    text = log.get_data(as_text=True)
    assert log.status_code == 200 and clue.number in text and "需当面向举报人核实考勤细节" in text
    assert "纪委书记甲" in text and "已同意" in text
    row = re.search(rf'data-identity-request="{req.id}">(.*?)</tr>', text, re.S).group(1)
    assert row.count("data-identity-view") == 2
    assert text.count("data-identity-denied") == 2
    assert NAME not in text and PHONE not in text
    auth.logout()
    auth.login(o["office"])
    assert client.get("/clues/identity-log").status_code == 403
    assert client.get("/clues/identity-requests").status_code == 403


def test_refusal_needs_a_reason_and_keeps_the_identity_closed(client, auth, ctx):
    o = _setup()
    clue = _tip(named=True)
    req = identity.request_access(clue, o["office"], "想知道是谁反映的")
    auth.login(o["keeper"])
    r = client.post(f"/clues/identity-requests/{req.id}", data={"decision": "refuse", "note": ""})
    assert r.status_code == 422 and "不同意时请写明理由" in r.get_data(as_text=True)
    r = client.post(f"/clues/identity-requests/{req.id}", data={"decision": "refuse", "note": "理由不充分"})
    assert r.status_code == 303
    auth.logout()
    auth.login(o["office"])
    assert client.hx_get(f"/clues/{clue.id}/identity").status_code == 403
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "未获同意：理由不充分" in page
    assert AuditRecord.select().where(AuditRecord.action == "clue_identity_refuse").count() == 1


def test_nobody_decides_their_own_request(client, auth, ctx):
    o = _setup()
    both = make_user("both", o["disc"], roles=("discipline", "custodian", "staff"), real_name="兼任者")
    clue = _tip(named=True)
    req = identity.request_access(clue, both, "需要联系举报人补充材料")
    auth.login(both)
    r = client.post(f"/clues/identity-requests/{req.id}", data={"decision": "approve"})
    assert r.status_code == 403 and IdentityRequest.get().status == "pending"
    assert AuditRecord.get(AuditRecord.action == "clue_identity_approve").outcome == "denied"


def test_anonymous_tips_have_nothing_to_ask_for(client, auth, ctx):
    o = _setup()
    clue = _tip(named=False)
    auth.login(o["office"])
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "匿名举报，没有举报人身份信息" in page
    r = client.post(f"/clues/{clue.id}/identity/request", data={"reason": "需要联系举报人"}, follow_redirects=True)
    assert "这是匿名举报" in r.get_data(as_text=True) and IdentityRequest.select().count() == 0


def test_a_clue_handed_to_a_department_carries_no_identity(client, auth, ctx):
    o = _setup()
    clue = _advance(_tip(named=True), o, "assigned", handler=o["head"])
    auth.login(o["head"])
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "反映的具体问题情况说明" in page and NAME not in page and PHONE not in page
    notes = " ".join(n.text for n in Notice.select().where(Notice.user == o["head"].id))
    assert clue.number in notes and NAME not in notes
    # the handler may ask like anyone handling the clue; staff of other departments may not
    r = client.post(f"/clues/{clue.id}/identity/request", data={"reason": "谈话前需确认反映人身份"})
    assert r.status_code == 303 and IdentityRequest.get().requester_id == o["head"].id
    try:
        identity.request_access(clue, o["asset_head"], "与我无关但想看看")
    except identity.Refused:
        pass
    else:  # pragma: no cover
        raise AssertionError("a person who does not handle the clue may not ask")


def test_an_approval_opens_the_identity_for_a_limited_time(client, auth, ctx, travel):
    o = _setup()
    start = dt.datetime(2026, 12, 3, 9, 0)
    travel(start)
    clue = _tip(named=True)
    req = identity.request_access(clue, o["office"], "需当面核实")
    identity.decide(req, o["keeper"], approve=True)
    assert clues.reporter_identity(clue, o["office"])["name"] == NAME
    travel(start + dt.timedelta(days=31))
    try:
        identity.reveal(clue, o["office"])
    except identity.Refused:
        pass
    else:  # pragma: no cover
        raise AssertionError("an approval older than TIPS_IDENTITY_ACCESS_DAYS no longer opens the identity")


def test_an_anonymous_tip_s_identity_box_just_says_so(client, auth, ctx):
    o = _setup()
    clue = _tip(named=False)
    auth.login(o["office"])
    r = client.hx_get(f"/clues/{clue.id}/identity")
    assert r.status_code == 200 and "匿名举报" in r.get_data(as_text=True)
