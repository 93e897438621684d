"""Encryption at rest: key file, tamper detection, key rotation."""
import json
import os
import stat

import pytest

from portal import crypto
from portal.models import AuditRecord
from portal.models.tip import Clue, Tip, TipFile, TipMessage
from portal.tips import service

from .util import pdf_bytes, submit


def test_key_file_created_on_first_use_private_and_separate(app, ctx):
    path = crypto.key_path()
    assert not os.path.exists(path)
    token = crypto.seal("内容", "t|1|x")
    assert os.path.exists(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    ring = json.load(open(path))
    assert app.config["SECRET_KEY"] not in json.dumps(ring)
    assert crypto.unseal(token, "t|1|x") == "内容"
    assert crypto.unseal(crypto.seal({"a": [1, "二"]}, "t|2|x"), "t|2|x") == {"a": [1, "二"]}


def test_changed_byte_or_moved_ciphertext_fails_loudly(app, ctx):
    token = crypto.seal("秘密内容", "tip|abc|sealed")
    prefix, kid, body = token.split(":", 2)
    import base64
    raw = bytearray(base64.b64decode(body))
    raw[20] ^= 0x01
    bad = f"{prefix}:{kid}:{base64.b64encode(bytes(raw)).decode()}"
    with pytest.raises(crypto.TamperError):
        crypto.unseal(bad, "tip|abc|sealed")
    with pytest.raises(crypto.TamperError):  # same bytes, other row
        crypto.unseal(token, "tip|other|sealed")
    with pytest.raises(crypto.TamperError):
        crypto.unseal("garbage", "tip|abc|sealed")
    blob = bytearray(crypto.seal_bytes(b"file content", "f|1"))
    blob[-1] ^= 0x80
    with pytest.raises(crypto.TamperError):
        crypto.open_bytes(bytes(blob), "f|1")


def test_tampered_tip_in_database_shows_error_page_not_garbage(client, auth, ctx):
    from .util import org
    o = org()
    submit(client, body="这是需要加密保存的具体情况说明。")
    tip = Tip.get()
    raw = tip.sealed
    flipped = raw[:-6] + ("A" if raw[-6] != "A" else "B") + raw[-5:]
    Tip.update(sealed=flipped).where(Tip.id == tip.id).execute()
    auth.login(o["office"])
    r = client.get(f"/clues/{Clue.get().id}")
    assert r.status_code == 500
    text = r.get_data(as_text=True)
    assert "完整性校验" in text and "这是需要加密保存" not in text
    assert AuditRecord.select().where(AuditRecord.action == "tip_tamper").exists()


def test_tampered_file_on_disk_fails(client, auth, ctx):
    from .util import org
    o = org()
    submit(client, files=[("a.pdf", pdf_bytes("filemarker"))])
    tf = TipFile.get()
    path = os.path.join(ctx.instance_path, "uploads", tf.storage_key)
    data = bytearray(open(path, "rb").read())
    data[40] ^= 0xFF
    open(path, "wb").write(bytes(data))
    auth.login(o["office"])
    r = client.get(f"/clues/{Clue.get().id}/files/{tf.ref}")
    assert r.status_code == 500


def test_rotation_keeps_everything_readable(app, client, runner, ctx):
    from .util import org
    from portal.clues import service as clues
    o = org()
    _, code, pw = submit(client, body="轮换前提交的举报内容，应当仍可读取。", files=[("证据.pdf", pdf_bytes("rot"))])
    clue = Clue.get()
    clue = clues.transition(clue, "accepted", o["office"])
    clues.message_reporter(clue, o["office"], "答复内容")
    clue = clues.transition(clue, "assigned", o["office"], disposal="verify", handler_id=o["office2"].id, workdays=10)
    clue = clues.transition(clue, "verifying", o["office2"])
    clues.transition(clue, "concluded", o["office"], conclusion="false", finding="查无实据", reply="经核查不属实")
    old = crypto.keyring()["current"]
    old_file_key = TipFile.get().storage_key
    result = runner.invoke(args=["tips", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "已启用新密钥" in result.output
    ring = crypto.keyring()
    assert ring["current"] != old and list(ring["keys"]) == [ring["current"]]
    tip = Tip.get()
    assert crypto.key_id_of(tip.sealed) == ring["current"]
    assert service.read(tip)["body"] == "轮换前提交的举报内容，应当仍可读取。"
    tf = TipFile.get()
    assert tf.storage_key != old_file_key
    assert not os.path.exists(os.path.join(app.instance_path, "uploads", old_file_key))
    assert service.file_bytes(tf).startswith(b"%PDF") and service.file_name(tf) == "证据.pdf"
    assert "答复内容" in [service.message_text(m) for m in TipMessage.select()]
    assert clues.finding(Clue.get()) == "查无实据" and clues.reply(Clue.get()) == "经核查不属实"
    # the receipt code still works: the lookup key is not rotated
    r = client.post("/tips/track", data={"code": code, "password": pw})
    assert r.status_code == 302
    assert "经核查不属实" in client.get("/tips/track/status").get_data(as_text=True)
    # a second rotation is just as good
    assert runner.invoke(args=["tips", "rotate-key"]).exit_code == 0
    assert service.read(Tip.get())["body"].startswith("轮换前")


def test_interrupted_rotation_keeps_old_key(app, client, ctx):
    submit(client, body="中断的轮换不能丢失数据，旧密钥保留。")
    crypto.begin_rotation()
    ring = crypto.keyring()
    assert len(ring["keys"]) == 2
    assert service.read(Tip.get())["body"].startswith("中断的轮换")
