"""The audit chain: appended by events, keyed with a secret outside the database, anchored outside the table,
refused UPDATE/DELETE by the database; every way of quietly rewriting it is detected by audit-verify."""
import datetime as dt
import hashlib
import json
import os
import stat

import pytest
from peewee import IntegrityError

from portal import audit
from portal import db as portal_db
from portal.extensions import db
from portal.models import AuditRecord
from tests.factories import make_user
from tests.triggers import suspended


def _some_records(n=5):
    for i in range(n):
        audit.record("test_event", "thing", i, detail={"i": i})


def _sql(statement):
    return statement.replace("%s", db.param)


def _plain(r, **over):
    """The unkeyed SHA-256 an attacker without the key would compute (the pre-0014 algorithm)."""
    v = {f: getattr(r, f) for f in ("prev_hash", "seq", "at", "actor_id", "actor_name", "action",
                                    "object_type", "object_id", "outcome", "detail")}
    v.update(over)
    payload = json.dumps([v["prev_hash"], v["seq"], v["at"].isoformat(sep=" "), v["actor_id"], v["actor_name"],
                          v["action"], v["object_type"], str(v["object_id"]), v["outcome"], v["detail"]],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _rehash_from(seq, digest=_plain):
    """The attacker's rewrite: recompute prev_hash/hash of every row from `seq` on (triggers off)."""
    rows = list(AuditRecord.select().order_by(AuditRecord.seq))
    prev = rows[seq - 2].hash if seq > 1 else audit.GENESIS
    with suspended("audit_record"):
        for r in rows[seq - 1:]:
            h = digest(r, prev_hash=prev)
            db.execute_sql(_sql('UPDATE audit_record SET prev_hash = %s, hash = %s WHERE id = %s'), (prev, h, r.id))
            prev = h


def test_chain_verifies(ctx, runner):
    _some_records()
    assert audit.verify() == (True, "ok")
    r = runner.invoke(args=["audit-verify"])
    assert r.exit_code == 0 and r.output.strip() == "ok"


def test_chain_is_keyed_with_a_secret_kept_outside_the_database(ctx, app):
    _some_records(2)
    path = os.path.join(app.instance_path, "audit_key")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = audit._key()
    assert len(key) == 32 and key.hex() not in json.dumps([list(r) for r in AuditRecord.select().tuples()],
                                                          default=str)
    r = AuditRecord.get(AuditRecord.seq == 2)
    assert r.hash != _plain(r)  # not the plain SHA-256 of the fields
    # another key (a second server with its own file, a lost key) does not verify the chain
    os.replace(path, path + ".bak")
    audit._cache.clear()
    ok, msg = audit.verify()
    assert not ok and "第 1 条" in msg
    os.replace(path + ".bak", path)
    audit._cache.clear()
    assert audit.verify() == (True, "ok")


@pytest.mark.parametrize("column, value", [("detail", '{"i": 99}'), ("actor_name", "someone"),
                                           ("action", "login"), ("outcome", "failed")])
def test_tampered_content_detected(ctx, runner, column, value):
    """An edited row."""
    _some_records()
    with suspended("audit_record"):
        db.execute_sql(_sql(f'UPDATE audit_record SET {column} = %s WHERE seq = 3'), (value,))
    ok, msg = audit.verify()
    assert not ok and "第 3 条" in msg
    r = runner.invoke(args=["audit-verify"])
    assert r.exit_code == 1 and "第 3 条" in r.output


def test_rehashed_chain_without_the_key_detected(ctx, runner):
    """An edited row whose hash and every later link were recomputed, as the old unkeyed chain allowed."""
    _some_records()
    with suspended("audit_record"):
        db.execute_sql(_sql('UPDATE audit_record SET detail = %s WHERE seq = 3'), ('{"i": 99}',))
    _rehash_from(3)
    # the links hold together again …
    rows = list(AuditRecord.select().order_by(AuditRecord.seq))
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
    # … but the MAC needs the key
    ok, msg = audit.verify()
    assert not ok and "第 3 条" in msg and "未使用审计密钥" in msg
    # a guessed key is no better
    import hmac
    _rehash_from(3, lambda r, prev_hash: hmac.new(b"x" * 32, b"", hashlib.sha256).hexdigest())
    assert audit.verify()[0] is False
    assert runner.invoke(args=["audit-verify"]).exit_code == 1


def test_deleted_record_detected(ctx):
    """A deleted middle row: a gap in seq, or (renumbered and re-hashed) a broken MAC."""
    _some_records()
    with suspended("audit_record"):
        db.execute_sql("DELETE FROM audit_record WHERE seq = 2")
    ok, msg = audit.verify()
    assert not ok and "第 2 条" in msg
    with suspended("audit_record"):
        for s in (3, 4, 5):
            db.execute_sql(_sql("UPDATE audit_record SET seq = %s WHERE seq = %s"), (s - 1, s))
    _rehash_from(2)
    ok, msg = audit.verify()
    assert not ok and "第 2 条" in msg


def test_truncated_tail_detected_by_the_anchor(ctx, runner, app, travel):
    travel(dt.datetime(2026, 12, 1, 9, 0))
    _some_records(5)
    r = runner.invoke(args=["audit-verify"])  # anchors the head: seq 5
    assert r.exit_code == 0
    travel(dt.datetime(2026, 12, 1, 10, 0))
    _some_records(2)
    with suspended("audit_record"):
        db.execute_sql("DELETE FROM audit_record WHERE seq >= 5")
    # the rest of the chain is intact: only the anchor tells
    rows = list(AuditRecord.select().order_by(AuditRecord.seq))
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    ok, msg = audit.verify()
    assert not ok and "审计记录被截断" in msg and "第 5 条" in msg and "2026-12-01 09:00:00" in msg
    r = runner.invoke(args=["audit-verify"])
    assert r.exit_code == 1 and "被截断" in r.output


def test_anchor_file_is_appended_by_every_passing_verify(ctx, runner, app, travel):
    path = os.path.join(app.instance_path, "audit_anchor.log")
    travel(dt.datetime(2026, 12, 2, 8, 30))
    _some_records(3)
    runner.invoke(args=["audit-verify"])
    audit.record("test_event", "thing", 9)
    runner.invoke(args=["audit-verify"])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = open(path).read().splitlines()
    seq, mac = audit.head()
    assert lines[0].split("\t")[:2] == ["2026-12-02 08:30:00", "3"]
    assert lines[1] == f"2026-12-02 08:30:00\t{seq}\t{mac}" and seq == 4
    # a failing verify anchors nothing (a tampered head is never blessed)
    with suspended("audit_record"):
        db.execute_sql(_sql("UPDATE audit_record SET detail = %s WHERE seq = 4"), ("x",))
    assert runner.invoke(args=["audit-verify"]).exit_code == 1
    assert len(open(path).read().splitlines()) == 2
    # a rewritten anchor file is noticed too
    with open(path, "a") as f:
        f.write("garbage\n")
    ok, msg = audit.verify()
    assert not ok and "锚点文件" in msg


def test_head_is_anchored_daily_by_the_periodic_run(ctx, app, travel):
    from portal.notices import triggers
    path = os.path.join(app.instance_path, "audit_anchor.log")
    travel(dt.datetime(2026, 12, 2, 7, 0))
    _some_records(2)
    triggers.run_all()
    triggers.run_all()  # once a day
    travel(dt.datetime(2026, 12, 3, 7, 0))
    audit.record("test_event", "thing", 3)
    triggers.run_all()
    lines = open(path).read().splitlines()
    assert [ln.split("\t")[:2] for ln in lines] == [["2026-12-02 07:00:00", "2"], ["2026-12-03 07:00:00", "3"]]


def test_database_refuses_update_and_delete_of_audit_records(ctx):
    _some_records(2)
    for statement in ("UPDATE audit_record SET detail = 'x' WHERE seq = 1", "DELETE FROM audit_record WHERE seq = 2",
                      "DELETE FROM audit_record"):
        with pytest.raises(IntegrityError):
            with db.atomic():
                db.execute_sql(statement)
    if portal_db.is_postgres():
        with pytest.raises(IntegrityError):
            with db.atomic():
                db.execute_sql("TRUNCATE audit_record")
    assert AuditRecord.select().count() == 2 and audit.verify() == (True, "ok")
    audit.record("test_event", "thing", 3)  # appending still works
    assert audit.verify() == (True, "ok")


def _legacy_chain(n):
    """A chain written before migration 0014 (plain SHA-256), inserted as such."""
    prev = audit.GENESIS
    for seq in range(1, n + 1):
        at = dt.datetime(2026, 11, 1, 9, seq)
        fields = dict(prev_hash=prev, seq=seq, at=at, actor_id=None, actor_name="", action="login",
                      object_type="user", object_id=str(seq), outcome="ok", detail="")
        h = _plain(type("R", (), fields))
        AuditRecord.insert(hash=h, **fields).execute()
        prev = h


def test_a_chain_begun_before_the_key_is_sealed_by_a_keyed_marker(ctx, runner):
    _legacy_chain(4)
    assert audit.verify()[0] is False  # unkeyed rows are not accepted without the marker
    marker = audit.start_keyed_chain()  # what migration 0014 does
    assert marker.seq == 5 and marker.action == "audit_keyed" and json.loads(marker.detail) == {"legacy_rows": 4}
    assert audit.start_keyed_chain() is None  # once
    _some_records(2)
    assert audit.verify() == (True, "ok")
    # an old row edited and the old part re-hashed: the marker's keyed prev_hash no longer matches
    with suspended("audit_record"):
        db.execute_sql(_sql("UPDATE audit_record SET object_id = %s WHERE seq = 2"), ("99",))
    rows = list(AuditRecord.select().order_by(AuditRecord.seq))
    prev = rows[0].hash
    with suspended("audit_record"):
        for r in rows[1:4]:
            h = _plain(r, prev_hash=prev)
            db.execute_sql(_sql("UPDATE audit_record SET prev_hash = %s, hash = %s WHERE id = %s"), (prev, h, r.id))
            prev = h
    ok, msg = audit.verify()
    assert not ok and "第 5 条" in msg
    # … and without the marker, every row must be keyed
    with suspended("audit_record"):
        db.execute_sql("DELETE FROM audit_record WHERE action = 'audit_keyed'")
    assert audit.verify()[0] is False


def test_records_are_append_only(ctx):
    _some_records(1)
    r = AuditRecord.get()
    r.outcome = "changed"
    with pytest.raises(PermissionError):
        r.save()
    with pytest.raises(PermissionError):
        r.delete_instance()
    with pytest.raises(PermissionError):
        AuditRecord.delete().execute()


def test_login_logout_and_role_changes_are_audited(client, auth, ctx):
    u = make_user(roles=("staff",))
    auth.login(u)
    auth.logout()
    actions = [a.action for a in AuditRecord.select().order_by(AuditRecord.seq)]
    assert actions[:3] == ["user_create", "role_grant", "login"] and actions[-1] == "logout"
    last = AuditRecord.select().order_by(AuditRecord.seq.desc()).get()
    assert last.actor_id == u.id and last.object_id == str(u.id)
    assert audit.verify()[0]


def test_business_content_is_not_recorded(ctx):
    audit.record("problem_update", "problem", 7, detail={"description": ["旧的问题描述", "张三收受礼金"],
                                                       "deadline": ["2026-12-01", "2026-12-31"]})
    audit.record("clue_escalated", "clue", 3, detail={"reason": "反映局领导张三"})
    audit.record("document_issue", "document", 4, detail={"number": "机管发〔2026〕5号", "title": "关于张三的通报"})
    audit.record("user_update", "user", 5, detail={"title": ["科员", "副科长"]})
    audit.record("ledger_export", "problem", "", detail={"filters": {"q": "张三", "status": "pending"}, "rows": 2})
    text = " ".join(r.detail for r in AuditRecord.select())
    for secret in ("张三", "礼金", "旧的问题描述"):
        assert secret not in text
    details = [json.loads(r.detail) for r in AuditRecord.select().order_by(AuditRecord.seq)]
    assert details[0] == {"description": "已修改", "deadline": ["2026-12-01", "2026-12-31"]}
    assert details[1] == {"reason": "（已隐去）"}
    assert details[2]["number"] == "机管发〔2026〕5号" and details[2]["title"] == "（已隐去）"
    assert details[3] == {"title": ["科员", "副科长"]}  # a user's title is the job title
    assert details[4] == {"filters": {"q": "（已隐去）", "status": "pending"}, "rows": 2}
    assert audit.verify() == (True, "ok")


def test_tip_box_events_keep_the_date_only(ctx, travel):
    travel(dt.datetime(2026, 12, 3, 14, 27, 31))
    audit.record("tip_submit", "clue", 1, anonymous=True)
    audit.record("tip_followup", "clue", 1, anonymous=True)
    audit.record("clue_message", "clue", 1, actor=make_user("office"))
    audit.record("clue_escalated", "clue", 1, anonymous=True)
    audit.record("login", "user", 1)
    ats = [r.at for r in AuditRecord.select().order_by(AuditRecord.seq)]
    midnight = dt.datetime(2026, 12, 3)
    # make_user's own records (user_create, role_grant) come in between and keep their time
    by_action = {r.action: r.at for r in AuditRecord.select()}
    assert by_action["tip_submit"] == by_action["tip_followup"] == by_action["clue_message"] == midnight
    assert by_action["clue_escalated"] == midnight
    assert by_action["login"] == dt.datetime(2026, 12, 3, 14, 27, 31)
    assert len(ats) == 7 and audit.verify() == (True, "ok")


def test_concurrent_writers_keep_one_chain(app, ctx):
    import threading
    errors = []

    def work():
        try:
            with app.app_context():
                for i in range(10):
                    audit.record("parallel", "x", i)
                db.close()
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert AuditRecord.select().count() == 40
    assert audit.verify() == (True, "ok")
