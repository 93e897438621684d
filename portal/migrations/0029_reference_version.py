"""Reference data version: row 3 of "ledger_version", bumped by triggers in the same transaction as every
write to what the ledger's filter and action forms offer (departments, the campaign's categories, items and
aspects, mechanisms, role assignments, and people's shown columns) — but not by writes to Problems. The
ledger keeps those choices in portal/cache.py keyed by this version, so a page made cold by a Problem write
does not read them again (see portal/cache.py for the mechanism, migration 0009 for row 1)."""
from peewee import PostgresqlDatabase

ROW = 3
ALL_WRITES = ("department", "campaign", "category", "item", "aspect", "mechanism", "role_assignment")
USER_COLUMNS = ("real_name", "department_id", "is_active")

SQLITE_BUMP = (f"""INSERT INTO "ledger_version" ("id", "v") VALUES ({ROW}, abs(random() % 1000000000000000))
      ON CONFLICT ("id") DO UPDATE SET "v" = "v" + 1;""")

# the same function as migration 0018 (created again here so this migration stands on its own)
PG_FUNCTION = """CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger AS $$
    BEGIN
      INSERT INTO ledger_version (id, v) VALUES (TG_ARGV[0]::int, floor(random() * 1000000000000000)::bigint)
      ON CONFLICT (id) DO UPDATE SET v = ledger_version.v + 1;
      RETURN NULL;
    END $$ LANGUAGE plpgsql"""


def _sqlite_statements():
    out = []
    for t in ALL_WRITES:
        for op in ("INSERT", "UPDATE", "DELETE"):
            out.append(f"""CREATE TRIGGER IF NOT EXISTS "reference_version_{t}_{op.lower()}" AFTER {op} ON "{t}"
    BEGIN {SQLITE_BUMP} END""")
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in USER_COLUMNS)
    out.append(f"""CREATE TRIGGER IF NOT EXISTS "reference_version_user_update"
    AFTER UPDATE OF {", ".join(f'"{c}"' for c in USER_COLUMNS)} ON "user" WHEN {changed}
    BEGIN {SQLITE_BUMP} END""")
    out.append(f"""CREATE TRIGGER IF NOT EXISTS "reference_version_user_insert" AFTER INSERT ON "user"
    BEGIN {SQLITE_BUMP} END""")
    return out


def _pg_statements():
    out = [PG_FUNCTION]
    for t in ALL_WRITES:
        out += [f'DROP TRIGGER IF EXISTS reference_version ON "{t}"',
                f"""CREATE TRIGGER reference_version AFTER INSERT OR UPDATE OR DELETE ON "{t}"
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('{ROW}')"""]
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in USER_COLUMNS)
    out += ['DROP TRIGGER IF EXISTS reference_version ON "user"',
            f"""CREATE TRIGGER reference_version AFTER UPDATE OF {", ".join(f'"{c}"' for c in USER_COLUMNS)}
    ON "user" FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION data_version_bump('{ROW}')""",
            'DROP TRIGGER IF EXISTS reference_version_insert ON "user"',
            f"""CREATE TRIGGER reference_version_insert AFTER INSERT ON "user"
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('{ROW}')"""]
    return out


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    for stmt in (_pg_statements() if pg else _sqlite_statements()):
        db.execute_sql(stmt)
    db.execute_sql(f"""INSERT INTO "ledger_version" ("id", "v") VALUES ({ROW}, 1) ON CONFLICT ("id") DO NOTHING""")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for t in ALL_WRITES + ("user",):
            db.execute_sql(f'DROP TRIGGER IF EXISTS reference_version ON "{t}"')
        db.execute_sql('DROP TRIGGER IF EXISTS reference_version_insert ON "user"')
    else:
        for t in ALL_WRITES:
            for op in ("insert", "update", "delete"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "reference_version_{t}_{op}"')
        db.execute_sql('DROP TRIGGER IF EXISTS "reference_version_user_update"')
        db.execute_sql('DROP TRIGGER IF EXISTS "reference_version_user_insert"')
    db.execute_sql(f'DELETE FROM "ledger_version" WHERE "id" = {ROW}')
