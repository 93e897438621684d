"""Database wiring: URL -> peewee database, a pooled connection per request, migrations, CLI."""
import os

import click
from flask import current_app
from playhouse.db_url import parse as parse_url
from playhouse.migrations import Runner
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from .extensions import db

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def make_database(app):
    url = app.config.get("DATABASE_URL")
    max_conn = app.config["DB_MAX_CONNECTIONS"]
    if not url or url.startswith("sqlite"):
        if url:
            path = url.split("///", 1)[1]
        else:
            path = os.path.join(app.instance_path, "portal.sqlite3")
        if path == ":memory:" or not path:
            raise RuntimeError("SQLite must live in a file, not :memory:")
        return PooledSqliteDatabase(
            path,
            max_connections=max_conn,
            stale_timeout=600,
            # BEGIN IMMEDIATE: a write transaction takes the lock up front, so two writers queue
            # behind busy_timeout instead of failing on a stale snapshot.
            lock_type="IMMEDIATE",
            check_same_thread=False,  # pooled connections move between threads, one at a time
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": app.config["DB_LOCK_TIMEOUT_MS"],
                "synchronous": "normal",
                "cache_size": -16000,
            },
        )
    if url.startswith(("postgres://", "postgresql://")):
        params = parse_url(url, unquote_password=True)
        name = params.pop("database")
        # a lock held elsewhere fails the statement after this long instead of holding the request
        params["options"] = (params.get("options", "") + f" -c lock_timeout={int(app.config['DB_LOCK_TIMEOUT_MS'])}").strip()
        return PooledPostgresqlDatabase(name, max_connections=max_conn, stale_timeout=600, **params)
    raise RuntimeError(f"Unsupported DATABASE_URL scheme: {url.split(':', 1)[0]}")


def is_postgres() -> bool:
    return isinstance(db.obj, PooledPostgresqlDatabase)


# PostgreSQL: deadlock_detected, serialization_failure, lock_not_available (lock_timeout)
_CONTENTION_PGCODES = {"40P01", "40001", "55P03"}


def is_contention(exc: BaseException) -> bool:
    """Whether a database error means "another transaction was in the way" (its own transaction was
    rolled back, nothing written): SQLite still locked after busy_timeout, or a PostgreSQL deadlock,
    serialization failure or lock timeout. Such a request may simply be tried again."""
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if getattr(e, "pgcode", None) in _CONTENTION_PGCODES:
            return True
        if type(e).__name__ == "OperationalError" and "database is locked" in str(e):
            return True
        todo += [e.__cause__, e.__context__] + [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]
    return False


def init_app(app):
    if db.obj is not None:  # a second app in the same process (tests): release the old pool
        try:
            db.obj.close_all()
        except Exception:  # noqa: BLE001 - best effort
            pass
    db.initialize(make_database(app))

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            # a request never leaves a transaction open; the pool keeps the connection
            db.close()

    app.cli.add_command(init_db_command)
    app.cli.add_command(db_upgrade_command)
    app.cli.add_command(db_status_command)
    app.cli.add_command(db_new_migration_command)


def runner() -> Runner:
    return Runner(db.obj, directory=MIGRATIONS_DIR, table_name="schema_migration")


def upgrade() -> list[str]:
    """Apply pending migrations; returns the names applied."""
    with db.connection_context():
        r = runner()
        before = set(r.applied())
        r.up()
        return sorted(set(r.applied()) - before)


def all_tables() -> list[str]:
    with db.connection_context():
        # FTS5 keeps its index in shadow tables (problem_fts_data, …): only the virtual table is ours to touch
        return [t for t in db.get_tables() if t != "schema_migration" and not t.startswith("problem_fts_")]


@click.command("init-db")
def init_db_command():
    """Create a fresh database at the newest schema version."""
    with db.connection_context():
        if runner().applied():
            click.echo("数据库已存在，仅执行待处理的迁移。")
    applied = upgrade()
    click.echo(f"已应用迁移 {len(applied)} 个：{', '.join(applied) or '无'}")


@click.command("db-upgrade")
def db_upgrade_command():
    """Apply pending numbered migrations."""
    applied = upgrade()
    click.echo(f"已应用迁移 {len(applied)} 个：{', '.join(applied) or '无'}")


@click.command("db-status")
def db_status_command():
    with db.connection_context():
        for m in runner().status():
            click.echo(f"{'已应用' if m.applied else '待应用'}  {m.name}")


def migration_body(models, doc: str) -> str:
    """Source of a migration that creates `models` as frozen copies (see playhouse.migrations)."""
    import re

    from peewee import sort_models
    from playhouse.migrations import template
    from playhouse.schema_diff import SchemaDiff
    body = template(SchemaDiff(sort_models(list(models)), [], [], [], []))
    body = re.sub(r"# T[O]DO: .* default <function.*\n", "", body)  # callable defaults stay in the models
    body = re.sub(r"# Generated from a schema diff on .*", "# Frozen copies of the models at this version.", body)
    return f'"""{doc}"""\n' + body


@click.command("db-new-migration")
@click.argument("filename")
@click.argument("models", nargs=-1, required=True)
@click.option("--doc", default="Schema migration.")
def db_new_migration_command(filename, models, doc):
    """Write portal/migrations/FILENAME.py creating MODELS (dotted paths, e.g. portal.models.tip.Tip)."""
    import importlib
    resolved = []
    for path in models:
        mod, _, name = path.rpartition(".")
        resolved.append(getattr(importlib.import_module(mod), name))
    target = os.path.join(MIGRATIONS_DIR, filename if filename.endswith(".py") else filename + ".py")
    if os.path.exists(target):
        raise click.ClickException(f"{target} exists")
    with open(target, "w") as f:
        f.write(migration_body(resolved, doc))
    click.echo(target)
