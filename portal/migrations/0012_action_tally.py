"""Actions per month for the dashboard: 通报/提醒/约谈 counted per (department of the Problem, month of the
action's date 'YYYY-MM', kind), kept exact by triggers in the same transaction as every write of an action
and every change of a Problem's department or withdrawn flag. Actions on withdrawn Problems (removed from
a resubmitted self-check) are not counted, as the ledger does not show those Problems.

A Problem with actions cannot be deleted (problem_action.problem_id is RESTRICT), so a Problem's delete
needs no trigger here."""
from peewee import PostgresqlDatabase

TABLE = """CREATE TABLE IF NOT EXISTS "action_tally" (
    "department_id" INTEGER NOT NULL, "month" VARCHAR(7) NOT NULL, "kind" VARCHAR(16) NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("department_id", "month", "kind"))"""
UPSERT = 'ON CONFLICT ("department_id", "month", "kind") DO UPDATE SET "n" = "action_tally"."n" + excluded."n"'

SQLITE_MONTH = "substr({d}, 1, 7)"          # dates are stored as 'YYYY-MM-DD' text
PG_MONTH = "to_char({d}, 'YYYY-MM')"


def backfill(month):
    m = month.format(d='a."date"')
    return f"""INSERT INTO "action_tally" ("department_id", "month", "kind", "n")
    SELECT p."department_id", {m}, a."kind", COUNT(*) FROM "problem_action" a
    JOIN "problem" p ON p."id" = a."problem_id" WHERE NOT p."withdrawn" GROUP BY 1, 2, 3"""


def _add_action(row, month):
    """+1 for action ``row`` (NEW/OLD) when its Problem is counted."""
    return f"""INSERT INTO "action_tally" ("department_id", "month", "kind", "n")
      SELECT p."department_id", {month.format(d=row + '."date"')}, {row}."kind", 1 FROM "problem" p
      WHERE p."id" = {row}."problem_id" AND NOT p."withdrawn" {UPSERT}"""


def _remove_action(row, month):
    return f"""UPDATE "action_tally" SET "n" = "n" - 1
      WHERE "month" = {month.format(d=row + '."date"')} AND "kind" = {row}."kind" AND "department_id" =
        (SELECT p."department_id" FROM "problem" p WHERE p."id" = {row}."problem_id" AND NOT p."withdrawn")"""


def _move_problem(month):
    """A Problem's department or withdrawn flag changed: take its actions out of OLD's place, add to NEW's."""
    m = month.format(d='a."date"')
    out = f"""UPDATE "action_tally" SET "n" = "n" - (SELECT COUNT(*) FROM "problem_action" a
        WHERE a."problem_id" = OLD."id" AND {m} = "action_tally"."month" AND a."kind" = "action_tally"."kind")
      WHERE "department_id" = OLD."department_id" AND NOT OLD."withdrawn\""""
    into = f"""INSERT INTO "action_tally" ("department_id", "month", "kind", "n")
      SELECT NEW."department_id", {m}, a."kind", COUNT(*) FROM "problem_action" a
      WHERE a."problem_id" = NEW."id" AND NOT NEW."withdrawn" GROUP BY 1, 2, 3 {UPSERT}"""
    return out, into


def sqlite_statements():
    out, into = _move_problem(SQLITE_MONTH)
    return [
        TABLE,
        f"""CREATE TRIGGER IF NOT EXISTS "action_tally_ins" AFTER INSERT ON "problem_action"
    BEGIN {_add_action("NEW", SQLITE_MONTH)}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS "action_tally_del" AFTER DELETE ON "problem_action"
    BEGIN {_remove_action("OLD", SQLITE_MONTH)}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS "action_tally_upd" AFTER UPDATE OF "problem_id", "date", "kind"
    ON "problem_action"
    BEGIN {_remove_action("OLD", SQLITE_MONTH)}; {_add_action("NEW", SQLITE_MONTH)}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS "action_tally_problem" AFTER UPDATE OF "department_id", "withdrawn"
    ON "problem" WHEN OLD."department_id" IS NOT NEW."department_id" OR OLD."withdrawn" IS NOT NEW."withdrawn"
    BEGIN {out}; {into}; END""",
    ]


def pg_statements():
    out, into = _move_problem(PG_MONTH)
    return [
        TABLE,
        f"""CREATE OR REPLACE FUNCTION action_tally_trg() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_remove_action("OLD", PG_MONTH)};
      END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_add_action("NEW", PG_MONTH)};
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
        'DROP TRIGGER IF EXISTS "action_tally" ON "problem_action"',
        """CREATE TRIGGER "action_tally" AFTER INSERT OR DELETE OR UPDATE OF "problem_id", "date", "kind"
    ON "problem_action" FOR EACH ROW EXECUTE FUNCTION action_tally_trg()""",
        f"""CREATE OR REPLACE FUNCTION action_tally_problem_trg() RETURNS trigger AS $$
    BEGIN
      {out};
      {into};
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
        'DROP TRIGGER IF EXISTS "action_tally_problem" ON "problem"',
        """CREATE TRIGGER "action_tally_problem" AFTER UPDATE OF "department_id", "withdrawn" ON "problem"
    FOR EACH ROW WHEN (OLD."department_id" IS DISTINCT FROM NEW."department_id"
                       OR OLD."withdrawn" IS DISTINCT FROM NEW."withdrawn")
    EXECUTE FUNCTION action_tally_problem_trg()""",
    ]


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    for stmt in (pg_statements() if pg else sqlite_statements()):
        db.execute_sql(stmt)
    db.execute_sql(backfill(PG_MONTH if pg else SQLITE_MONTH))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP TRIGGER IF EXISTS "action_tally" ON "problem_action"')
        db.execute_sql('DROP TRIGGER IF EXISTS "action_tally_problem" ON "problem"')
        db.execute_sql("DROP FUNCTION IF EXISTS action_tally_trg()")
        db.execute_sql("DROP FUNCTION IF EXISTS action_tally_problem_trg()")
    else:
        for name in ("action_tally_ins", "action_tally_del", "action_tally_upd", "action_tally_problem"):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    db.execute_sql('DROP TABLE IF EXISTS "action_tally"')
