"""Problem tallies for the dashboard: counts kept exact by database triggers in the same transaction as
every insert/update/delete of a Problem, so the dashboard's numbers are a read of a few thousand rows
instead of GROUP BYs over every Problem.

- problem_tally  (department, status, source, self_reported)   rectification and source charts
- item_tally     (department, item, aspect)                     category and aspect charts
- open_tally     (department, deadline) of pending/in-progress   逾期 by department (deadline < today)

Withdrawn Problems are not counted; a missing item or aspect is stored as 0, and open Problems without a
deadline are left out of open_tally (they can never be overdue).

Also an index of actions by date (with kind and problem), which the actions-per-month chart walks."""
from peewee import PostgresqlDatabase

NOT_WITHDRAWN = 'NOT {r}."withdrawn"'
OPEN = NOT_WITHDRAWN + ' AND {r}."status" IN (\'pending\', \'in_progress\') AND {r}."deadline" IS NOT NULL'

# table -> (key columns with their SQL type and value from the problem row {r}, the row's condition,
#           the problem columns whose change moves a row between keys)
TALLIES = {
    "problem_tally": (
        (("department_id", "INTEGER", '{r}."department_id"'), ("status", "VARCHAR(16)", '{r}."status"'),
         ("source", "VARCHAR(16)", '{r}."source"'), ("self_reported", "BOOLEAN", '{r}."self_reported"')),
        NOT_WITHDRAWN, ("department_id", "status", "source", "self_reported", "withdrawn")),
    "item_tally": (
        (("department_id", "INTEGER", '{r}."department_id"'), ("item_id", "INTEGER", 'COALESCE({r}."item_id", 0)'),
         ("aspect_id", "INTEGER", 'COALESCE({r}."aspect_id", 0)')),
        NOT_WITHDRAWN, ("department_id", "item_id", "aspect_id", "withdrawn")),
    "open_tally": (
        (("department_id", "INTEGER", '{r}."department_id"'), ("deadline", "DATE", '{r}."deadline"')),
        OPEN, ("department_id", "status", "deadline", "withdrawn")),
}


def _parts(table):
    keys, cond, watched = TALLIES[table]
    names = ", ".join(f'"{k}"' for k, _, _ in keys)
    return keys, cond, watched, names


def create_table(table):
    keys, _, _, names = _parts(table)
    cols = ", ".join(f'"{k}" {t} NOT NULL' for k, t, _ in keys)
    return f'CREATE TABLE IF NOT EXISTS "{table}" ({cols}, "n" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ({names}))'


def backfill(table):
    keys, cond, _, names = _parts(table)
    exprs = ", ".join(e.format(r='"problem"') for _, _, e in keys)
    groups = ", ".join(str(i) for i in range(1, len(keys) + 1))
    where = cond.format(r='"problem"')
    return f'INSERT INTO "{table}" ({names}, "n") SELECT {exprs}, COUNT(*) FROM "problem" WHERE {where} GROUP BY {groups}'


def _add(table, row):
    keys, _, _, names = _parts(table)
    values = ", ".join(e.format(r=row) for _, _, e in keys)
    return f'INSERT INTO "{table}" ({names}, "n") {{head}} {values}, 1 {{tail}} ON CONFLICT ({names}) DO UPDATE SET "n" = "{table}"."n" + 1'


def _remove(table, row):
    keys, _, _, _ = _parts(table)
    match = " AND ".join(f'"{k}" = {e.format(r=row)}' for k, _, e in keys)
    return f'UPDATE "{table}" SET "n" = "n" - 1 WHERE {match}'


def sqlite_statements(table):
    _, cond, watched, _ = _parts(table)
    add_new = _add(table, "NEW")
    cols = ", ".join(f'"{c}"' for c in watched)
    return [
        create_table(table),
        f"""CREATE TRIGGER IF NOT EXISTS "{table}_ins" AFTER INSERT ON "problem" WHEN {cond.format(r="NEW")}
    BEGIN {add_new.format(head="VALUES (", tail=")")}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS "{table}_del" AFTER DELETE ON "problem" WHEN {cond.format(r="OLD")}
    BEGIN {_remove(table, "OLD")}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS "{table}_upd" AFTER UPDATE OF {cols} ON "problem"
    BEGIN
      {_remove(table, "OLD")} AND {cond.format(r="OLD")};
      {add_new.format(head="SELECT", tail="WHERE " + cond.format(r="NEW"))};
    END""",
    ]


def pg_statements(table):
    _, cond, watched, _ = _parts(table)
    cols = ", ".join(f'"{c}"' for c in watched)
    return [
        create_table(table),
        f"""CREATE OR REPLACE FUNCTION {table}_trg() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND {cond.format(r="OLD")} THEN
        {_remove(table, "OLD")};
      END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') AND {cond.format(r="NEW")} THEN
        {_add(table, "NEW").format(head="VALUES (", tail=")")};
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
        f'DROP TRIGGER IF EXISTS "{table}" ON "problem"',
        f"""CREATE TRIGGER "{table}" AFTER INSERT OR DELETE OR UPDATE OF {cols}
    ON "problem" FOR EACH ROW EXECUTE FUNCTION {table}_trg()""",
    ]


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    for table in TALLIES:
        for stmt in (pg_statements(table) if pg else sqlite_statements(table)):
            db.execute_sql(stmt)
        db.execute_sql(backfill(table))
    db.execute_sql(ACTION_INDEX)


ACTION_INDEX = '''CREATE INDEX IF NOT EXISTS "problem_action_date" ON "problem_action" ("date", "kind", "problem_id")'''


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "problem_action_date"')
    for table in TALLIES:
        if isinstance(db, PostgresqlDatabase):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{table}" ON "problem"')
            db.execute_sql(f"DROP FUNCTION IF EXISTS {table}_trg()")
        else:
            for op in ("ins", "del", "upd"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "{table}_{op}"')
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
