"""The public tip box: form, receipt, follow-up with code + password, rate limits."""
import io

from portal import create_app
from portal.models import AuditRecord
from portal.models.tip import Clue, Tip, TipFile, TipMessage
from portal.tips import service
from tests.conftest import PortalClient, base_config

from .util import item_id, pdf_bytes, submit, tip_data


def test_form_needs_no_login_and_says_how_reports_are_protected(client, ctx):
    r = client.get("/tips/")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "不记录您的 IP 地址" in text and "查询码" in text
    assert r.headers["Cache-Control"] == "no-store"


def test_submit_shows_code_and_password_once(client, ctx):
    r, code, pw = submit(client)
    assert r.status_code == 200
    assert code and len(code.replace(" ", "")) == 16 and code.replace(" ", "").isdigit()
    assert len(pw) == 19 and pw.count("-") == 3
    text = r.get_data(as_text=True)
    assert "我已记下" in text and "打印回执" in text
    assert r.headers["Cache-Control"] == "no-store"
    clue = Clue.get()
    assert clue.number.startswith("XS-2026-") or clue.number.startswith("XS-")
    assert clue.status == "pending" and clue.channel == "online"
    # the receipt is not a page that can be fetched again
    assert code not in client.get("/tips/done").get_data(as_text=True)


def test_invalid_input_is_kept_with_chinese_messages(client, ctx):
    r, code, _ = submit(client, identity="named", reporter_name="", reporter_phone="",
                        body="反映某某工作日中午饮酒问题，请核查。")
    assert r.status_code == 422 and code is None
    text = r.get_data(as_text=True)
    assert "实名举报请填写您的姓名" in text and "联系电话" in text
    assert "反映某某工作日中午饮酒问题" in text  # nothing lost
    r, _, _ = submit(client, body="太短")
    assert r.status_code == 422 and "10 至 5000" in r.get_data(as_text=True)
    r, _, _ = submit(client, body="很" * 5001)
    assert r.status_code == 422
    r, _, _ = submit(client, item="-1")
    assert r.status_code == 422 and "请选择问题类别" in r.get_data(as_text=True)
    assert Tip.select().count() == 0


def test_wrong_file_type_is_refused_and_text_kept(client, ctx):
    r, code, _ = submit(client, files=[("evil.pdf", b"MZ\x90\x00 not a pdf")], body="具体情况写在这里，不能丢失。")
    assert r.status_code == 422 and code is None
    text = r.get_data(as_text=True)
    assert "类型不被接受" in text and "具体情况写在这里，不能丢失。" in text


def test_too_many_files_refused(client, ctx):
    files = [(f"f{i}.pdf", pdf_bytes(f"x{i}")) for i in range(6)]
    r, code, _ = submit(client, files=files)
    assert r.status_code == 422 and "最多上传 5 个文件" in r.get_data(as_text=True)


def test_chosen_password_and_track_flow_with_office_reply(client, ctx, app):
    from tests.factories import make_user
    from portal.clues import service as clues
    r, code, pw = submit(client, password_mode="choose", password="我的密码abc123", password2="我的密码abc123",
                         files=[("证据.pdf", pdf_bytes("evidence"))])
    assert pw == "我的密码abc123"
    r = client.post("/tips/track", data={"code": code, "password": pw})
    assert r.status_code == 302 and r.headers["Location"].endswith("/tips/track/status")
    page = client.get("/tips/track/status").get_data(as_text=True)
    assert "已提交，待受理" in page and "暂无答复" in page
    office = make_user("o1", roles=("discipline", "staff"))
    clue = Clue.get()
    clues.transition(clue, "accepted", office)
    clues.message_reporter(Clue.get(), office, "您反映的问题已受理，请补充具体日期。")
    page = client.get("/tips/track/status").get_data(as_text=True)
    assert "已受理" in page and "请补充具体日期" in page
    assert "受理，我们将依规依纪办理" in page  # the automatic notice of acceptance
    # the reporter adds information and a file
    r = client.post("/tips/track/status", data={"text": "具体是11月3日和11月5日。",
                                                "files": [(io.BytesIO(pdf_bytes("more")), "补充.pdf")]},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and "补充内容已提交" in r.get_data(as_text=True)
    msg = TipMessage.get(TipMessage.from_reporter == True)  # noqa: E712
    assert msg.author_id is None and msg.at.hour == 0 and msg.at.minute == 0  # the day only
    assert TipFile.select().where(TipFile.message == msg).count() == 1
    assert service.message_text(msg) == "具体是11月3日和11月5日。"
    # ending the session closes the page
    client.post("/tips/track/end")
    assert client.get("/tips/track/status").status_code == 302


def test_code_with_spaces_or_dashes_is_accepted(client, ctx):
    _, code, pw = submit(client)
    dashed = code.replace(" ", "-")
    assert client.post("/tips/track", data={"code": dashed, "password": pw}).status_code == 302


def test_sixth_wrong_try_gets_429(client, ctx):
    _, code, pw = submit(client)
    for _ in range(5):
        r = client.post("/tips/track", data={"code": code, "password": "wrong-password"})
        assert r.status_code == 401
        assert "查询码或查询密码不正确" in r.get_data(as_text=True)
    r = client.post("/tips/track", data={"code": code, "password": pw})
    assert r.status_code == 429
    assert "请 10 分钟后再试" in r.get_data(as_text=True)


def test_wrong_tries_expire_after_ten_minutes_and_successes_do_not_count(app, client, ctx):
    _, code, pw = submit(client)
    for _ in range(8):  # successes are not deducted
        assert client.post("/tips/track", data={"code": code, "password": pw}).status_code == 302
    for _ in range(4):
        assert client.post("/tips/track", data={"code": "1234567890123456", "password": "x"}).status_code == 401
    assert client.post("/tips/track", data={"code": code, "password": pw}).status_code == 302


def test_other_clients_are_not_blocked_but_global_cap_holds(app, ctx):
    app.config["TIPS_TRACK_GLOBAL_LIMIT"] = "7 per 10 minutes"
    c = app.test_client()
    _, code, pw = submit(c)
    for i in range(7):  # seven different addresses, one wrong try each
        r = c.post("/tips/track", data={"code": code, "password": "bad"},
                   environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"})
        assert r.status_code == 401
    r = c.post("/tips/track", data={"code": code, "password": pw}, environ_base={"REMOTE_ADDR": "10.0.9.9"})
    assert r.status_code == 429 and "访问过多" in r.get_data(as_text=True)


def test_limits_are_shared_by_app_instances(app, db_url, tmp_path, ctx):
    # issue 12 §5: the counters live in the shared database (portal/ratelimit.py), not in one worker
    c = app.test_client()
    for _ in range(5):
        c.post("/tips/track", data={"code": "1111222233334444", "password": "x"})
    assert c.post("/tips/track", data={"code": "1111222233334444", "password": "x"}).status_code == 429
    other = create_app(base_config(db_url, tmp_path / "other"))
    other.test_client_class = PortalClient
    r = other.test_client().post("/tips/track", data={"code": "1111222233334444", "password": "x"})
    assert r.status_code == 429


def test_submission_is_audited_anonymously(client, ctx):
    submit(client)
    rec = AuditRecord.get(AuditRecord.action == "tip_submit")
    assert rec.actor_id is None and rec.actor_name == ""


def test_pending_password_change_does_not_block_the_tip_box(client, auth, ctx):
    from tests.factories import make_user
    u = make_user("newbie", must_change=True)
    auth.login(u)
    assert client.get("/tips/").status_code == 200


def test_item_other_is_allowed(client, ctx):
    r, code, _ = submit(client, item="0")
    assert r.status_code == 200 and Tip.get().item_id is None


def test_named_tip_and_known_subject_is_matched(client, ctx):
    from .util import org
    o = org()
    r, code, _ = submit(client, subject_name="李明", subject_department=str(o["fin"].id), identity="named",
                        reporter_name="张三", reporter_phone="13900001111")
    assert r.status_code == 200
    clue = Clue.get()
    assert clue.subject_user_id == o["staff"].id and clue.subject_department_id == o["fin"].id
    assert Tip.get().named is True
    assert item_id() == Tip.get().item_id
    assert tip_data()["subject_name"] == "李明"


def test_production_refuses_a_persistent_rate_limit_store():
    from types import SimpleNamespace

    import pytest

    from portal.tips.views import limits_stay_in_memory
    state = SimpleNamespace(app=SimpleNamespace(config={"PORTAL_ENV": "production",
                                                        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}))
    with pytest.raises(RuntimeError, match="memory://"):
        limits_stay_in_memory(state)
    state.app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limits_stay_in_memory(state)  # fine
