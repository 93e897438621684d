"""The database part of a backup: a consistent copy out in parts (SQLite's online backup API; pg_dump -Fc
for PostgreSQL) and back in (the backup API into the target file; pg_restore), plus what the checks read:
row counts and the applied migrations.

The copy travels in parts of PART bytes so that the archive (a tar stream, whose members must declare
their size) never needs the whole dump in memory (PostgreSQL) nor on disk in the clear."""
import os
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager

from playhouse.db_url import parse as parse_url

from .. import db as portal_db
from ..extensions import db
from .sealing import BackupError

PART = 16 << 20


def kind() -> str:
    return "postgresql" if portal_db.is_postgres() else "sqlite"


def sqlite_path() -> str:
    return db.obj.database


def _pg_env(app) -> dict:
    """libpq environment from DATABASE_URL (the password never appears on a command line)."""
    p = parse_url(app.config["DATABASE_URL"], unquote_password=True)
    env = dict(os.environ, PGDATABASE=p["database"], PGCONNECT_TIMEOUT="10")
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if p.get(key) is not None:
            env[var] = str(p[key])
    return env


def _run_errors(errfile) -> str:
    errfile.seek(0)
    return errfile.read().decode("utf-8", "replace").strip()[-800:]


def _split(data):
    view = memoryview(data)
    for i in range(0, len(data), PART):
        yield view[i:i + PART]


@contextmanager
def snapshot(app):
    """One consistent view of the database for the whole backup. Yields (query, parts): `query(sql)`
    returns rows read from the same snapshot as the copy that `parts` (an iterator of bytes) yields,
    so the manifest's row counts are exactly those of the copy. SQLite: the online backup API into
    memory; PostgreSQL: a REPEATABLE READ transaction whose snapshot pg_dump shares (--snapshot)."""
    if kind() == "sqlite":
        src = sqlite3.connect(f"file:{sqlite_path()}?mode=ro", uri=True)
        mem = sqlite3.connect(":memory:")
        try:
            src.backup(mem)  # writers go on meanwhile; the copy is one consistent state
            src.close()
            image = bytearray(mem.serialize())
            if image[18:20] == b"\x02\x02":  # a WAL database's header: the image says "rollback journal"
                image[18:20] = b"\x01\x01"  # (it opens in memory; the portal turns WAL on again)
            yield (lambda sql: mem.execute(sql).fetchall()), _split(image)
        finally:
            src.close()
            mem.close()
        return
    with db.connection_context():
        with db.atomic():
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snap = db.execute_sql("SELECT pg_export_snapshot()").fetchone()[0]
            yield (lambda sql: db.execute_sql(sql).fetchall()), _pg_dump(app, snap)


def _pg_dump(app, snap):
    with tempfile.TemporaryFile() as err:  # pg_dump's messages only, never data
        proc = subprocess.Popen(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                 f"--snapshot={snap}"], stdout=subprocess.PIPE, stderr=err, env=_pg_env(app))
        try:
            while True:
                part = proc.stdout.read(PART)
                if not part:
                    break
                yield part
        finally:
            proc.stdout.close()
            rc = proc.wait()
        if rc != 0:
            raise BackupError(f"pg_dump 失败（{rc}）：{_run_errors(err)}")


def table_names(query) -> list[str]:
    if kind() == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    return [r[0] for r in query(sql)]


class _Piped:
    """The copy arrives part by part: kept in memory for SQLite (`parts`), or written to the stdin of a
    pg_restore child (`proc`) for PostgreSQL."""
    parts: list
    proc = None

    def feed(self, part: bytes) -> None:
        if self.proc is None:
            self.parts.append(part)
            return
        try:
            self.proc.stdin.write(part)
        except BrokenPipeError:
            pass  # pg_restore stopped: finish() reports why

    def _close_pipe(self) -> int:
        """End pg_restore's input and wait for it; its exit status."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        return self.proc.wait()


class Inspector(_Piped):
    """Reads the copy without restoring it (`backup verify`). SQLite: opened in memory, integrity check,
    row counts, applied migrations. PostgreSQL: the dump's table of contents read by pg_restore --list
    from a pipe (a damaged dump fails)."""

    def __init__(self, app, dump_kind: str):
        self.kind = dump_kind
        self.parts = []
        self.proc = None
        if dump_kind == "postgresql":
            self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
            self.proc = subprocess.Popen(["pg_restore", "--list"], stdin=subprocess.PIPE, stdout=self.out,
                                         stderr=self.err)

    def finish(self) -> dict:
        if self.proc is None:
            return _inspect_sqlite(b"".join(self.parts))
        rc = self._close_pipe()
        try:
            if rc != 0:
                raise BackupError(f"备份中的数据库转储无法读取：{_run_errors(self.err)}")
            self.out.seek(0)
            toc = self.out.read().decode("utf-8", "replace").splitlines()
        finally:
            self.out.close()
            self.err.close()
        return {"integrity": "ok", "tables": None,
                "table_data": sum(1 for line in toc if " TABLE DATA " in line)}


def _inspect_sqlite(data: bytes) -> dict:
    mem = sqlite3.connect(":memory:")
    try:
        mem.deserialize(data)
        ok = mem.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [r[0] for r in mem.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = {t: mem.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    except sqlite3.DatabaseError as e:
        raise BackupError(f"备份中的数据库无法打开：{e}") from None
    finally:
        mem.close()
    return {"integrity": ok, "tables": counts}


class Loader(_Piped):
    """Feeds the copy, part by part, into the configured database (which holds no tables: reset first)."""

    def __init__(self, app):
        self.app = app
        db.obj.close_all()
        self.parts = []
        self.proc = None
        self.err = None
        if kind() == "postgresql":
            self.err = tempfile.TemporaryFile()
            env = _pg_env(app)
            self.proc = subprocess.Popen(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                                          "--single-transaction", "--dbname", env["PGDATABASE"]],
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.err, env=env)

    def finish(self) -> None:
        if self.proc is None:
            mem = sqlite3.connect(":memory:")
            dst = sqlite3.connect(sqlite_path())
            try:
                mem.deserialize(b"".join(self.parts))
                mem.backup(dst)  # replaces every page of the target, under SQLite's own locking
            finally:
                mem.close()
                dst.close()
            self.parts = []
            return
        rc = self._close_pipe()
        try:
            if rc != 0:
                raise BackupError(f"pg_restore 失败：{_run_errors(self.err)}")
        finally:
            self.err.close()


def row_counts() -> dict:
    with db.connection_context():
        return {t: db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in db.get_tables()}


def applied_migrations() -> list[str]:
    with db.connection_context():
        return sorted(portal_db.runner().applied())


def known_migrations() -> list[str]:
    with db.connection_context():
        return sorted(m.name for m in portal_db.runner().migrations())


def reset_schema() -> None:
    """Drop every table (the target holds no rows: checked before). SQLite needs nothing: the backup
    API replaces the whole file."""
    if kind() != "postgresql":
        return
    with db.connection_context():
        db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    db.obj.close_all()
