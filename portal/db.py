"""Database wiring: URL -> peewee database, a pooled connection per request, migrations, CLI."""
import os
import random
import time

import click
from flask import current_app, g, render_template, request
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
        from .config import private_file
        private_file(path)  # 0600 (SQLite gives its -wal and -shm files the same mode)
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
        # a server that does not answer at all fails the request after this long (503), not a worker's lifetime
        params.setdefault("connect_timeout", 5)
        # peewee's pool pings each idle connection ("SELECT 1") when handing it out and drops the dead
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
    for e in _chain(exc, wrapped=True):
        if getattr(e, "pgcode", None) in _CONTENTION_PGCODES:
            return True
        if type(e).__name__ == "OperationalError" and "database is locked" in str(e):
            return True
    return False


def _chain(exc, wrapped: bool = False):
    """`exc` and every exception behind it (__cause__, __context__; with `wrapped`, also exceptions
    carried in its args, as peewee wraps driver errors), each once."""
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__]
        if wrapped:
            todo += [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]


# PostgreSQL: connection_exception (class 08), admin/crash shutdown and cannot-connect-now (57P01..57P03),
# too_many_connections (53300, also "too many connections for role" under CONNECTION LIMIT)
_UNREACHABLE_PGCODES = {"57P01", "57P02", "57P03", "53300"}
_UNREACHABLE_SQLITE = ("unable to open database file", "disk i/o error")


def is_unreachable(exc: BaseException) -> bool:
    """Whether an error means "the database cannot be reached": a connection refused or cut, the server
    shutting down, every connection slot taken (server or pool), or the SQLite file unreadable. Nothing
    was written; the request answers 503 with a page that needs no database."""
    from playhouse.pool import MaxConnectionsExceeded
    for e in _chain(exc, wrapped=True):
        code = getattr(e, "pgcode", None)
        if code and (code.startswith("08") or code in _UNREACHABLE_PGCODES):
            return True
        if isinstance(e, MaxConnectionsExceeded):
            return True
        name, module = type(e).__name__, type(e).__module__ or ""
        # psycopg2 gives no SQLSTATE when the connection itself failed or was lost
        if module.startswith("psycopg2") and name in ("OperationalError", "InterfaceError") and not code:
            return True
        if name == "OperationalError" and any(m in str(e).lower() for m in _UNREACHABLE_SQLITE):
            return True
    return False


def unavailable_response(exc: BaseException):
    """503 "系统繁忙，请稍后重试" for a request that cannot reach the database. The page is rendered
    without touching the database: the request is treated as anonymous (no user loaded, no bell)."""
    from flask_login import AnonymousUserMixin
    from .htmx import is_htmx
    current_app.logger.warning("database unreachable on %s: %s", request.path, str(exc).strip()[:300])
    g._login_user = AnonymousUserMixin()  # Flask-Login's per-request user: never loaded from the database
    try:
        if not db.is_closed():
            db.close()  # hand the broken connection back: the pool drops it on the next checkout
    except Exception:  # noqa: BLE001 - the connection is already gone
        pass
    template = "errors/_error.html" if is_htmx() else "errors/unavailable.html"
    body = render_template(template, code=503, title="系统繁忙", message=UNAVAILABLE_TEXT)
    return body, 503, {"Retry-After": "5"}


UNAVAILABLE_TEXT = "系统繁忙，请稍后重试。页面上已填写的内容不会丢失。"


# PostgreSQL deadlock_detected, serialization_failure: the server rolled the transaction back at once
_RETRYABLE_PGCODES = {"40P01", "40001"}


def is_deadlock(exc: BaseException) -> bool:
    return any(getattr(e, "pgcode", None) in _RETRYABLE_PGCODES for e in _chain(exc))


def retrying(fn, attempts: int = 4, base_delay: float = 0.05):
    """Run `fn()` (which opens its own transaction) again when PostgreSQL picks it as a deadlock or
    serialization victim: up to `attempts` runs, sleeping a random 1–2 × base_delay × 2^n between them
    so that the two parties do not meet again in step. Inside an outer transaction it runs once (the
    outer transaction is aborted too and must be retried as a whole). The last failure propagates and
    is answered 503 "系统繁忙"."""
    for n in range(attempts):
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - re-raised unless retryable
            if n == attempts - 1 or not is_deadlock(e) or db.in_transaction():
                raise
            current_app.logger.warning("deadlock, attempt %d of %d: %s", n + 1, attempts, str(e).strip()[:200])
            time.sleep(base_delay * (2 ** n) * (1 + random.random()))


# endpoints that open no connection before the view and load no user (static files; /healthz tries itself)
NO_DB_ENDPOINTS = {"static"}


def init_app(app):
    if db.obj is not None:  # a second app in the same process (tests): release the old pool
        try:
            db.obj.close_all()
        except Exception:  # noqa: BLE001 - best effort
            pass
    db.initialize(make_database(app))

    @app.before_request
    def _connect():
        if request.endpoint in NO_DB_ENDPOINTS:
            # stylesheets and scripts need no database and no user (the 503 page uses them while the
            # database is down): Flask-Login's per-request user is anonymous, never loaded
            from flask_login import AnonymousUserMixin
            g._login_user = AnonymousUserMixin()
            return
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            # a request never leaves a transaction open; the pool keeps the connection
            try:
                db.close()
            except Exception:  # noqa: BLE001 - a connection the server cut: the pool drops it at checkout
                app.logger.warning("closing a broken database connection", exc_info=True)

    app.cli.add_command(init_db_command)
    app.cli.add_command(db_upgrade_command)
    app.cli.add_command(db_status_command)
    app.cli.add_command(db_new_migration_command)
    from . import backup  # `flask backup …` and the backup status live next to the database wiring
    backup.init_app(app)


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
