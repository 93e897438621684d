"""Ledger version: a single-row counter bumped by database triggers on every write that can change what
the ledger list shows (problems, their actions, mechanisms and links, extension requests, evidence,
role assignments, and the names/order of people and departments). The ledger keeps rendered results
per worker keyed by this version; reading it is one primary-key SELECT.

The row is (re)created by the first bump with a random start value, so a table emptied and refilled
never repeats a version a worker may still hold in memory."""
from peewee import PostgresqlDatabase

TABLE = """CREATE TABLE IF NOT EXISTS "ledger_version" (
    "id" INTEGER NOT NULL PRIMARY KEY, "v" BIGINT NOT NULL)"""

# whole tables: every insert/update/delete (departments and campaign checklists are few and rarely written)
ALL_WRITES = ("problem", "problem_action", "mechanism", "mechanism_problem", "deadline_extension",
              "problem_evidence", "role_assignment", "department", "campaign", "category", "item")
# only changes of shown columns (a login's save() of the whole user row is not a change)
COLUMNS = {
    "user": ("real_name", "department_id", "is_active"),
}

SQLITE_BUMP = ("""INSERT INTO "ledger_version" ("id", "v") VALUES (1, abs(random() % 1000000000000000))
      ON CONFLICT ("id") DO UPDATE SET "v" = "v" + 1;""")


def _sqlite_statements():
    out = [TABLE]
    for t in ALL_WRITES:
        for op in ("INSERT", "UPDATE", "DELETE"):
            out.append(f"""CREATE TRIGGER IF NOT EXISTS "ledger_version_{t}_{op.lower()}" AFTER {op} ON "{t}"
    BEGIN {SQLITE_BUMP} END""")
    for t, cols in COLUMNS.items():
        changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in cols)
        out.append(f"""CREATE TRIGGER IF NOT EXISTS "ledger_version_{t}_update"
    AFTER UPDATE OF {", ".join(f'"{c}"' for c in cols)} ON "{t}" WHEN {changed}
    BEGIN {SQLITE_BUMP} END""")
    return out


PG_FUNCTION = """CREATE OR REPLACE FUNCTION ledger_version_bump() RETURNS trigger AS $$
    BEGIN
      INSERT INTO ledger_version (id, v) VALUES (1, floor(random() * 1000000000000000)::bigint)
      ON CONFLICT (id) DO UPDATE SET v = ledger_version.v + 1;
      RETURN NULL;
    END $$ LANGUAGE plpgsql"""


def _pg_statements():
    out = [TABLE, PG_FUNCTION]
    for t in ALL_WRITES:
        # once per statement: a bulk update of many rows bumps once
        out += [f'DROP TRIGGER IF EXISTS ledger_version ON "{t}"',
                f"""CREATE TRIGGER ledger_version AFTER INSERT OR UPDATE OR DELETE ON "{t}"
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_version_bump()"""]
    for t, cols in COLUMNS.items():
        changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in cols)
        out += [f'DROP TRIGGER IF EXISTS ledger_version ON "{t}"',
                f"""CREATE TRIGGER ledger_version AFTER UPDATE OF {", ".join(f'"{c}"' for c in cols)} ON "{t}"
    FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION ledger_version_bump()"""]
    return out


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    for stmt in (_pg_statements() if pg else _sqlite_statements()):
        db.execute_sql(stmt)
    db.execute_sql("""INSERT INTO "ledger_version" ("id", "v") VALUES (1, 1) ON CONFLICT ("id") DO NOTHING""")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for t in ALL_WRITES + tuple(COLUMNS):
            db.execute_sql(f'DROP TRIGGER IF EXISTS ledger_version ON "{t}"')
        db.execute_sql("DROP FUNCTION IF EXISTS ledger_version_bump()")
    else:
        for t in ALL_WRITES:
            for op in ("insert", "update", "delete"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "ledger_version_{t}_{op}"')
        for t in COLUMNS:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "ledger_version_{t}_update"')
    db.execute_sql('DROP TABLE IF EXISTS "ledger_version"')
