"""Retention: a closed tip's content, messages and files are purged after its retention period, with a
notice to the office beforehand and an audit line that keeps no content; `flask tips purge` is
idempotent."""
import datetime as dt
import glob
import os

from portal import clock
from portal.clues import service as clues
from portal.models import AuditRecord, Notice
from portal.models.tip import Clue, Tip, TipFile, TipMessage, TrackSession
from portal.tips import retention
from portal.tips import service as tips

from .util import org, pdf_bytes, submit

BODY = "保存期限测试：反映其上班时间长期外出办私事。"


def _closed_tip(client, o):
    r, code, pw = submit(client, body=BODY, files=[("证据.pdf", pdf_bytes("retained"))])
    assert r.status_code == 200
    assert client.post("/tips/track", data={"code": code, "password": pw}).status_code == 302
    client.post("/tips/track/status", data={"text": "补充：还有其他同事知情。"})
    clue = Clue.get()
    clue = clues.transition(clue, "accepted", o["office"])
    clue = clues.transition(clue, "assigned", o["office"], disposal="verify", handler_id=o["office2"].id,
                            workdays=10)
    clue = clues.transition(clue, "verifying", o["office"])
    clue = clues.transition(clue, "concluded", o["office"], conclusion="false", finding="经核查不属实。",
                            reply="经核查，反映问题不属实。")
    return Clue.get_by_id(clue.id), code, pw


def _uploads(app):
    return [p for p in glob.glob(os.path.join(app.instance_path, "uploads", "tips", "*")) if os.path.isfile(p)]


def test_a_closed_tip_is_noticed_then_purged_once(app, client, auth, ctx, travel, runner):
    o = org()
    clue, code, pw = _closed_tip(client, o)
    closed = clock.today()
    purge_on = closed + dt.timedelta(days=365)
    assert clue.tip.purge_on == purge_on
    assert TipMessage.select().count() >= 2 and TipFile.select().count() == 1 and len(_uploads(app)) == 1

    travel(purge_on - dt.timedelta(days=15))
    assert retention.run()["noticed"] == 0
    travel(purge_on - dt.timedelta(days=14))  # the office is told beforehand ...
    out = retention.run()
    assert out["noticed"] == 1 and out["purged"] == 0
    notices = Notice.select().where(Notice.kind == "tip_purge")
    assert {n.user_id for n in notices} == {o["office"].id, o["office2"].id}
    assert all(clue.number in n.text and purge_on.isoformat() in n.text for n in notices)
    assert tips.read(Tip.get_by_id(clue.tip_id))["body"] == BODY  # ... and nothing is gone yet

    travel(purge_on)
    result = runner.invoke(args=["tips", "purge"])
    assert result.exit_code == 0, result.output
    assert "已删除 1 件" in result.output
    tip = Tip.get_by_id(clue.tip_id)
    assert tip.purged_on == purge_on and tip.lookup is None and tip.verifier == ""
    content = tips.read(tip)
    assert content["purged"] and content["body"] == "" and content["subject"]["name"] == ""
    assert TipMessage.select().count() == 0 and TipFile.select().count() == 0 and _uploads(app) == []
    assert TrackSession.select().count() == 0
    clue = Clue.get_by_id(clue.id)
    assert clue.sealed_reply == "" and clue.status == "concluded" and clue.conclusion == "false"
    assert clues.finding(clue) == "经核查不属实。"  # the office's own record stays
    line = AuditRecord.get(AuditRecord.action == "tip_purge")
    assert line.object_id == str(clue.id) and BODY not in line.detail and "补充" not in line.detail
    assert '"files": 1' in line.detail
    # the receipt no longer opens anything
    assert client.post("/tips/track", data={"code": code, "password": pw}).status_code == 401
    # idempotent: a second run changes nothing and writes no second audit line
    again = retention.run()
    assert again["purged"] == 0 and again["noticed"] == 0
    assert AuditRecord.select().where(AuditRecord.action == "tip_purge").count() == 1
    auth.login(o["office"])
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "data-tip-purged" in page and BODY not in page


def test_a_tip_noticed_late_still_gets_the_full_notice_period(app, client, ctx, travel):
    o = org()
    clue, _, _ = _closed_tip(client, o)
    Tip.update(purge_on=clock.today() - dt.timedelta(days=3)).where(Tip.id == clue.tip_id).execute()
    out = retention.run()
    assert out["noticed"] == 1 and out["purged"] == 0
    tip = Tip.get_by_id(clue.tip_id)
    assert tip.purge_on == clock.today() + dt.timedelta(days=14)
    travel(tip.purge_on)
    assert retention.run()["purged"] == 1


def test_open_tips_are_never_purged_and_old_closed_ones_get_a_date(app, client, ctx, travel):
    from portal.models.tip import PowStamp
    o = org()
    submit(client, body=BODY)  # still pending: no date
    clue, _, _ = _closed_tip(client, o)
    Tip.update(purge_on=None).where(Tip.id == clue.tip_id).execute()  # closed before retention existed
    travel(clock.today() + dt.timedelta(days=3650))
    assert PowStamp.select().count() == 2 and TrackSession.select().count() == 1
    out = retention.run()
    assert out["scheduled"] == 1 and out["purged"] == 0
    assert PowStamp.select().count() == 0 and TrackSession.select().count() == 0  # nothing left behind
    open_tip = Tip.get(Tip.id != clue.tip_id)
    assert open_tip.purge_on is None and tips.read(open_tip)["body"] == BODY


def test_the_office_sets_a_tip_s_own_retention(app, client, auth, ctx):
    o = org()
    clue, _, _ = _closed_tip(client, o)
    auth.login(o["office"])
    too_soon = clock.today() + dt.timedelta(days=3)
    r = client.post(f"/clues/{clue.id}/retention", data={"purge_on": too_soon.isoformat()})
    assert r.status_code == 422 and "保存期限须在" in r.get_data(as_text=True)
    later = clock.today() + dt.timedelta(days=1000)
    r = client.post(f"/clues/{clue.id}/retention", data={"purge_on": later.isoformat()})
    assert r.status_code == 303
    assert Tip.get_by_id(clue.tip_id).purge_on == later
    line = AuditRecord.get(AuditRecord.action == "tip_retention_change")
    assert line.actor_id == o["office"].id and later.isoformat() in line.detail
    auth.logout()
    auth.login(o["head"])  # not the office: refused
    assert client.post(f"/clues/{clue.id}/retention", data={"purge_on": later.isoformat()}).status_code in (403, 404)
