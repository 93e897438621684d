"""Backup and restore (issue 17 §1), on the test database (SQLite file or PostgreSQL): create → wipe →
restore, after which the portal opens, a tip decrypts, files download with their checksums and the audit
chain verifies; a tampered, truncated or wrongly-opened archive is refused without touching anything; an
archive from a newer schema is refused; a non-empty instance is refused unless --force."""
import hashlib
import os
import shutil

import pytest

from portal import audit
from portal.backup import log as backup_log
from portal.backup import sealing
from portal.extensions import db
from portal.ledger.service import _store_evidence
from portal.models import AuditRecord, User
from portal.models.tip import Tip, TipFile
from portal.tips import service as tips
from tests.conftest import _drop_everything
from tests.factories import PASSWORD, make_problem, make_user

PW = "correct horse battery 2026"
PDF = b"%PDF-1.4\n% evidence for the backup test\n" + os.urandom(3000) + b"\n%%EOF\n"
FONT = b"OTTO" + os.urandom(2000)
LEDGER_PDF = b"%PDF-1.4\nledger evidence\n%%EOF\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def seeded(ctx):
    office = make_user("office", roles=("discipline", "staff"), real_name="郑清源")
    staff = make_user("staff-b", roles=("staff",), real_name="李明")
    tip, clue, _code, _pw = tips.create_tip(subject={"name": "李明"}, body="上班时间多次外出办私事，有考勤记录为证。",
                                            files=[("考勤记录.pdf", "pdf", PDF)])
    p = make_problem(staff, description="备份测试：公文办理超时限")
    _store_evidence(p, [("整改佐证.pdf", "pdf", LEDGER_PDF)], office)
    fonts = os.path.join(ctx.instance_path, "fonts")
    os.makedirs(fonts, exist_ok=True)
    with open(os.path.join(fonts, "TestFang.otf"), "wb") as f:
        f.write(FONT)
    return {"office": office, "tip": tip, "clue": clue, "payload": tips.read(tip), "problem": p,
            "audit": AuditRecord.select().count()}


def _wipe(app):
    with app.app_context():
        with db.connection_context():
            _drop_everything()
        db.obj.close_all()
    shutil.rmtree(app.instance_path)
    os.makedirs(app.instance_path)


def _create(runner, where) -> str:
    r = runner.invoke(args=["backup", "create", str(where), "--passphrase", PW])
    assert r.exit_code == 0, r.output
    [name] = [f for f in os.listdir(where) if f.endswith(".fjbak")]
    return os.path.join(where, name)


def test_create_wipe_restore_and_the_portal_works_again(app, seeded, runner, client, auth, tmp_path):
    archive = _create(runner, tmp_path / "bk")
    raw = open(archive, "rb").read()
    assert "李明".encode() not in raw and b"SQLite format" not in raw and b"PGDMP" not in raw  # never in the clear
    assert b"%PDF" not in raw
    tip_key = open(os.path.join(app.instance_path, "tip_key"), "rb").read()
    assert tip_key not in raw

    r = runner.invoke(args=["backup", "verify", archive, "--passphrase", PW])
    assert r.exit_code == 0 and "备份完好" in r.output, r.output

    _wipe(app)
    r = runner.invoke(args=["backup", "restore", archive, "--passphrase", PW])
    assert r.exit_code == 0, r.output
    for label in ("数据库结构版本", "各表行数", "文件校验和", "审计日志哈希链", "举报解密"):
        assert f"✔ {label}" in r.output
    assert "全部检查通过" in r.output

    # the restored portal: login, pages, the tip decrypts, files download unchanged, audit verifies
    with db.connection_context():
        assert audit.verify()[0]
        tip = Tip.get(Tip.ref == seeded["tip"].ref)
        assert tips.read(tip) == seeded["payload"]
        tf = TipFile.get(TipFile.tip == tip.id)
        assert User.get(User.username == "office").real_name == "郑清源"
    assert open(os.path.join(app.instance_path, "tip_key"), "rb").read() == tip_key
    assert open(os.path.join(app.instance_path, "fonts", "TestFang.otf"), "rb").read() == FONT
    assert auth.login("office").status_code == 302
    assert client.get("/").status_code == 200
    r = client.get(f"/clues/{seeded['clue'].id}/files/{tf.ref}")
    assert r.status_code == 200 and sha(r.data) == sha(PDF)
    from portal.models.ledger import ProblemEvidence
    ev = ProblemEvidence.get(ProblemEvidence.problem == seeded["problem"].id)
    r = client.get(f"/ledger/evidence/{ev.id}")
    assert r.status_code == 200 and sha(r.data) == sha(LEDGER_PDF)


def test_tampered_truncated_and_wrong_passphrase_are_refused(app, seeded, runner, tmp_path):
    archive = _create(runner, tmp_path / "bk")
    data = bytearray(open(archive, "rb").read())
    cases = {}
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    cases["tampered"] = bytes(flipped)
    cases["truncated"] = bytes(data[:-100])
    for name, content in cases.items():
        path = tmp_path / f"{name}.fjbak"
        path.write_bytes(content)
        for args in (["verify"], ["restore", "--force"]):
            r = runner.invoke(args=["backup", *args, str(path), "--passphrase", PW])
            assert r.exit_code != 0, (name, args, r.output)
            assert "篡改" in r.output or "不完整" in r.output or "截断" in r.output, r.output
    r = runner.invoke(args=["backup", "restore", archive, "--passphrase", "not the passphrase", "--force"])
    assert r.exit_code != 0 and "口令错误" in r.output
    # nothing was touched: the data is all still there
    with db.connection_context():
        assert Tip.select().count() == 1 and AuditRecord.select().count() >= seeded["audit"]


def test_a_non_empty_instance_is_refused_without_force(app, seeded, runner, tmp_path):
    archive = _create(runner, tmp_path / "bk")
    r = runner.invoke(args=["backup", "restore", archive, "--passphrase", PW])
    assert r.exit_code != 0 and "不是空的" in r.output and "--force" in r.output
    with db.connection_context():
        make_user("after-backup")
    r = runner.invoke(args=["backup", "restore", archive, "--passphrase", PW, "--force"])
    assert r.exit_code == 0, r.output
    with db.connection_context():
        assert not User.select().where(User.username == "after-backup").exists()  # back to the backup
        assert User.select().where(User.username == "office").exists()


def test_an_archive_from_a_newer_schema_is_refused(app, seeded, runner, tmp_path):
    with db.connection_context():
        db.execute_sql("INSERT INTO schema_migration (name, applied) VALUES ('9999_from_the_future', '2027-01-01')")
    try:
        from portal.backup import archive as backup_archive
        archive = backup_archive.create(app, str(tmp_path / "bk"), PW)["file"]  # as a newer portal wrote it
    finally:
        with db.connection_context():
            db.execute_sql("DELETE FROM schema_migration WHERE name = '9999_from_the_future'")
    r = runner.invoke(args=["backup", "verify", archive, "--passphrase", PW])
    assert r.exit_code != 0 and "更新版本" in r.output
    _wipe(app)
    try:
        r = runner.invoke(args=["backup", "restore", archive, "--passphrase", PW])
        assert r.exit_code != 0 and "更新版本" in r.output and "未做任何改动" in r.output
    finally:
        from portal import db as portal_db
        with app.app_context():
            portal_db.upgrade()


def test_nightly_keeps_the_last_n_and_the_admin_page_shows_the_status(app, seeded, client, auth, travel, tmp_path):
    import datetime as dt
    app.config.update(BACKUP_DIR=str(tmp_path / "nightly"), BACKUP_PASSPHRASE=PW, BACKUP_KEEP=2)
    admin = make_user("sysadmin", roles=("sysadmin",))
    auth.login(admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "尚无成功的备份" in page and 'role="alert"' in page
    for day in (1, 2, 3):
        travel(dt.datetime(2026, 12, day, 2, 0))
        rec = backup_log.nightly(app)
        assert rec["check"] == "ok", rec
    kept = sorted(os.listdir(tmp_path / "nightly"))
    assert len(kept) == 2 and "20261202" in kept[0] and "20261203" in kept[1]
    travel(dt.datetime(2026, 12, 3, 9, 0))
    page = client.get("/admin/").get_data(as_text=True)
    assert "最近一次成功备份" in page and "2026-12-03 02:00" in page and "读回检查通过" in page
    from portal.backup import size_label
    assert f"{size_label(rec['size'])}，读回检查通过" in page                       # the size shown too
    assert "backup-status flash-success" in page
    home = client.get("/").get_data(as_text=True)
    assert "数据备份" in home and "2026-12-03 02:00" in home
    travel(dt.datetime(2026, 12, 6, 9, 0))  # three days later: red
    auth.login(admin)  # (the idle session expired meanwhile)
    page = client.get("/admin/").get_data(as_text=True)
    assert "请立即备份" in page and "flash-error" in page
    app.config["BACKUP_PASSPHRASE"] = None  # a failed nightly is recorded and shown
    rec = backup_log.nightly(app)
    assert rec["check"].startswith("失败")
    assert "未配置备份口令" in client.get("/admin/").get_data(as_text=True)


def test_sealing_round_trip_and_chunk_boundaries():
    import io
    for size in (0, 1, sealing.CHUNK, sealing.CHUNK + 1, 3 * sealing.CHUNK - 7):
        data = os.urandom(size)
        out = io.BytesIO()
        w = sealing.SealedWriter(out, PW)
        w.write(data[: size // 2])
        w.write(data[size // 2:])
        w.close()
        r = sealing.SealedReader(io.BytesIO(out.getvalue()), PW)
        assert r.read() == data
        with pytest.raises(sealing.WrongPassphrase):
            sealing.SealedReader(io.BytesIO(out.getvalue()), PW + "x")


def test_an_archive_from_an_older_schema_is_restored_then_upgraded(app, seeded, runner, tmp_path):
    mine = "0017_selfcheck_deadline_text"  # as if the archive was made before this migration existed
    with db.connection_context():
        db.execute_sql(f"DELETE FROM schema_migration WHERE name = '{mine}'")
    archive = _create(runner, tmp_path / "bk")
    _wipe(app)
    r = runner.invoke(args=["backup", "restore", archive, "--passphrase", PW])
    assert r.exit_code == 0, r.output
    assert "恢复后将升级 1 个迁移" in r.output and f"✔ 升级数据库结构：已应用 1 个迁移：{mine}" in r.output
    from portal.backup import database
    assert mine in database.applied_migrations()
