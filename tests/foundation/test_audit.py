"""The audit chain: appended by events, verified, tampering detected, append-only."""
import pytest

from portal import audit
from portal.extensions import db
from portal.models import AuditRecord
from tests.factories import make_user


def _some_records(n=5):
    for i in range(n):
        audit.record("test_event", "thing", i, detail={"i": i})


def test_chain_verifies(ctx, runner):
    _some_records()
    assert audit.verify() == (True, "ok")
    r = runner.invoke(args=["audit-verify"])
    assert r.exit_code == 0 and r.output.strip() == "ok"


@pytest.mark.parametrize("column, value", [("detail", '{"i": 99}'), ("actor_name", "someone"),
                                           ("action", "login"), ("outcome", "failed")])
def test_tampered_content_detected(ctx, runner, column, value):
    _some_records()
    db.execute_sql(f'UPDATE audit_record SET {column} = %s WHERE seq = 3'.replace(
        "%s", "?" if "sqlite" in type(db.obj).__name__.lower() else "%s"), (value,))
    ok, msg = audit.verify()
    assert not ok and "第 3 条" in msg
    r = runner.invoke(args=["audit-verify"])
    assert r.exit_code == 1 and "第 3 条" in r.output


def test_deleted_record_detected(ctx):
    _some_records()
    db.execute_sql("DELETE FROM audit_record WHERE seq = 2")
    ok, msg = audit.verify()
    assert not ok and "第 2 条" in msg


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
