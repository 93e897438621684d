"""Suspending the immutability triggers (migration 0014), as someone who owns the database could: on SQLite
they are dropped and re-created, on PostgreSQL the table owner disables and re-enables them. The test
set-up uses it to empty the tables between tests; the tamper tests use it to play the attacker."""
from contextlib import contextmanager

from portal import db as portal_db
from portal.extensions import db


def _found(tables):
    if portal_db.is_postgres():
        rows = db.execute_sql(
            "SELECT c.relname, t.tgname, '' FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            f"WHERE NOT t.tgisinternal AND t.tgname LIKE {db.param}", ("immutable%",)).fetchall()
    else:
        rows = db.execute_sql("SELECT tbl_name, name, sql FROM sqlite_master "
                              f"WHERE type = 'trigger' AND name LIKE {db.param}", ("immutable%",)).fetchall()
    return [r for r in rows if not tables or r[0] in tables]


@contextmanager
def suspended(*tables):
    """The immutability triggers of `tables` (all when none given) are off inside the block."""
    found = _found(set(tables))
    pg = portal_db.is_postgres()
    for table, name, _sql in found:
        db.execute_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"' if pg else f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for table, name, sql in found:
            db.execute_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"' if pg else sql)
