"""Clue pages: evidence downloads, access, re-shown forms, the reporter's session expiry."""
import datetime as dt

from portal.models import AuditRecord
from portal.models.tip import Clue, TipFile
from tests.tips.util import org, pdf_bytes, submit


def test_evidence_download_is_an_audited_attachment_for_office_and_handler_only(client, auth, ctx):
    from portal.clues import service as clues
    o = org()
    submit(client, subject_name="李明", subject_department=str(o["fin"].id),
           files=[("考勤记录.pdf", pdf_bytes("attendance"))])
    clue = Clue.get()
    tf = TipFile.get()
    auth.login(o["office"])
    r = client.get(f"/clues/{clue.id}/files/{tf.ref}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert AuditRecord.select().where(AuditRecord.action == "clue_file_download").count() == 1
    assert client.get(f"/clues/{clue.id}/files/nonexistent").status_code == 404
    clue = clues.transition(clue, "accepted", o["office"])
    clues.transition(clue, "assigned", o["office"], disposal="verify", handler_id=o["asset_head"].id, workdays=5)
    auth.logout()
    auth.login(o["asset_head"])
    assert client.get(f"/clues/{clue.id}/files/{tf.ref}").status_code == 200
    auth.logout()
    auth.login(o["chief"])  # sees the ledger read-only, but not the evidence
    assert client.get(f"/clues/{clue.id}").status_code == 200
    assert client.get(f"/clues/{clue.id}/files/{tf.ref}").status_code == 404


def test_only_the_office_records_tips_and_sees_escalated(client, auth, ctx):
    o = org()
    auth.login(o["head"])
    assert client.get("/clues/new").status_code == 403
    assert client.get("/clues/escalated").status_code == 403
    auth.logout()
    auth.login(o["office"])
    r = client.get("/clues/new")
    assert r.status_code == 200 and "登记来电、来信、来访、邮件举报" in r.get_data(as_text=True)


def test_a_refused_form_is_shown_again_with_input_choices_and_current_version(client, auth, ctx):
    from portal.clues import service as clues
    o = org()
    submit(client, subject_name="李明", subject_department=str(o["fin"].id))
    clue = Clue.get()
    clue = clues.transition(clue, "accepted", o["office"])
    clue = clues.transition(clue, "assigned", o["office"], disposal="verify", handler_id=o["office2"].id, workdays=5)
    clue = clues.transition(clue, "verifying", o["office"])
    auth.login(o["office"])
    r = client.post(f"/clues/{clue.id}/to/concluded", data={"version": "1", "conclusion": "true",
                                                             "finding": "我写下的认定情况不能丢"})
    assert r.status_code == 409
    text = r.get_data(as_text=True)
    assert "我写下的认定情况不能丢" in text and "已被他人更新" in text
    assert f'name="version" type="hidden" value="{clue.version}"' in text
    assert "吴建国" in text  # the leader choices are back


def test_reporter_session_ends_after_twenty_idle_minutes(client, ctx, travel):
    travel(dt.datetime(2026, 11, 27, 10, 0))
    _, code, pw = submit(client)
    assert client.post("/tips/track", data={"code": code, "password": pw}).status_code == 302
    travel(dt.datetime(2026, 11, 27, 10, 15))
    assert client.get("/tips/track/status").status_code == 200
    travel(dt.datetime(2026, 11, 27, 10, 36))
    r = client.get("/tips/track/status")
    assert r.status_code == 302 and r.headers["Location"].endswith("/tips/track")


def test_escalated_tip_tells_the_reporter_it_went_to_the_higher_body(client, ctx):
    o = org()
    _, code, pw = submit(client, subject_name="周正华", subject_department=str(o["lead"].id))
    assert Clue.get().escalated
    client.post("/tips/track", data={"code": code, "password": pw})
    assert "报送上级纪检监察机关" in client.get("/tips/track/status").get_data(as_text=True)
