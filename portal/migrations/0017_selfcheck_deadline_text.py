"""A self-check draft keeps a deadline exactly as typed, valid or not ("2026年12月31日", "下周五"): the
column grows from 10 to 64 characters. SQLite does not enforce VARCHAR lengths; PostgreSQL widens the
column in place (no table rewrite)."""
from peewee import PostgresqlDatabase


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('ALTER TABLE "self_check_problem" ALTER COLUMN "deadline" TYPE VARCHAR(64)')


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('UPDATE "self_check_problem" SET "deadline" = \'\' WHERE length("deadline") > 10')
        db.execute_sql('ALTER TABLE "self_check_problem" ALTER COLUMN "deadline" TYPE VARCHAR(10)')
