"""Counting the SQL a block of code runs (the ≤ N queries per page tests)."""
import contextlib

from portal.extensions import db


@contextlib.contextmanager
def counting():
    """Every SQL statement the database runs inside the block."""
    seen = []
    real = db.obj.execute_sql

    def spy(sql, params=None, *a, **kw):
        seen.append(sql)
        return real(sql, params, *a, **kw)

    db.obj.execute_sql = spy
    try:
        yield seen
    finally:
        del db.obj.execute_sql
