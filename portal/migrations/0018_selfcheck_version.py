"""Self-check data version: row 2 of "ledger_version", bumped by triggers in the same transaction as every
write that changes what the dashboard counts of self-checks (a self-check created or deleted, its status or
its perfunctory count changed — not an autosave of answers). portal/cache.py keys the dashboard's cached
numbers by it, next to the ledger version (row 1, migration 0009); see that module for the mechanism."""
from peewee import PostgresqlDatabase

ROW = 2
COLUMNS = ("status", "perfunctory_count", "campaign_id", "user_id")

SQLITE_BUMP = (f"""INSERT INTO "ledger_version" ("id", "v") VALUES ({ROW}, abs(random() % 1000000000000000))
      ON CONFLICT ("id") DO UPDATE SET "v" = "v" + 1;""")


def _sqlite_statements():
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in COLUMNS)
    return [
        f"""CREATE TRIGGER IF NOT EXISTS "selfcheck_version_insert" AFTER INSERT ON "self_check"
    BEGIN {SQLITE_BUMP} END""",
        f"""CREATE TRIGGER IF NOT EXISTS "selfcheck_version_delete" AFTER DELETE ON "self_check"
    BEGIN {SQLITE_BUMP} END""",
        f"""CREATE TRIGGER IF NOT EXISTS "selfcheck_version_update"
    AFTER UPDATE OF {", ".join(f'"{c}"' for c in COLUMNS)} ON "self_check" WHEN {changed}
    BEGIN {SQLITE_BUMP} END""",
    ]


PG_FUNCTION = """CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger AS $$
    BEGIN
      INSERT INTO ledger_version (id, v) VALUES (TG_ARGV[0]::int, floor(random() * 1000000000000000)::bigint)
      ON CONFLICT (id) DO UPDATE SET v = ledger_version.v + 1;
      RETURN NULL;
    END $$ LANGUAGE plpgsql"""


def _pg_statements():
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in COLUMNS)
    return [
        PG_FUNCTION,
        'DROP TRIGGER IF EXISTS selfcheck_version ON "self_check"',
        f"""CREATE TRIGGER selfcheck_version AFTER INSERT OR DELETE ON "self_check"
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('{ROW}')""",
        'DROP TRIGGER IF EXISTS selfcheck_version_update ON "self_check"',
        f"""CREATE TRIGGER selfcheck_version_update AFTER UPDATE OF {", ".join(f'"{c}"' for c in COLUMNS)}
    ON "self_check" FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION data_version_bump('{ROW}')""",
    ]


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    for stmt in (_pg_statements() if pg else _sqlite_statements()):
        db.execute_sql(stmt)
    db.execute_sql(f"""INSERT INTO "ledger_version" ("id", "v") VALUES ({ROW}, 1) ON CONFLICT ("id") DO NOTHING""")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP TRIGGER IF EXISTS selfcheck_version ON "self_check"')
        db.execute_sql('DROP TRIGGER IF EXISTS selfcheck_version_update ON "self_check"')
        db.execute_sql("DROP FUNCTION IF EXISTS data_version_bump()")
    else:
        for op in ("insert", "delete", "update"):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "selfcheck_version_{op}"')
    db.execute_sql(f'DELETE FROM "ledger_version" WHERE "id" = {ROW}')
