"""Tallies and indexes for the dashboard's 督办 block (red/amber/green ranking and 普遍性共性问题), so a cold
dashboard reads a few hundred rows instead of grouping every Problem (bench/dashboard.py, bench/ledger.py).

- item_person_tally (item, person, department) of live Problems with an item: n = Problems; person 0 = none.
  Kept by triggers on "problem" in the same transaction as every write, as migration 0010's tallies are.
- item_people (item): persons = how many people have a live Problem of the item (in any department), kept by
  triggers on item_person_tally when a person's first Problem of the item comes or the last one goes (tally
  rows are never deleted, only counted down to 0; emptying both tables, as the tests do, stays consistent).
- mechanism_item_tally (item, mechanism): n = links (mechanism_problem) to problems of the item, kept by
  triggers on mechanism_problem and on a problem's item; a problem's links are counted off BEFORE it is
  deleted (the cascade then deletes links whose problem is gone: both databases hide it from their triggers).
- partial indexes for 被退回 (returned) counts: problems sent back by the verifier (a problem_event
  rectified → in_progress) and problems returned in the 销号 review (review_stage = 'returned').

The definitions stay those of portal/supervision (patterns.common, rag.returned_expr); tests/dashboard
compare every tally with a fresh COUNT after each kind of write."""
from peewee import PostgresqlDatabase

LIVE = 'NOT {r}."withdrawn" AND {r}."item_id" IS NOT NULL'
KEYS = (("item_id", '{r}."item_id"'), ("person_id", 'COALESCE({r}."person_id", 0)'),
        ("department_id", '{r}."department_id"'))
WATCHED = ("item_id", "person_id", "department_id", "withdrawn")
NAMES = ", ".join(f'"{k}"' for k, _ in KEYS)

CREATE = [
    f'''CREATE TABLE IF NOT EXISTS "item_person_tally" ("item_id" INTEGER NOT NULL, "person_id" INTEGER NOT NULL,
        "department_id" INTEGER NOT NULL, "n" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ({NAMES}))''',
    'CREATE INDEX IF NOT EXISTS "item_person_tally_dept" ON "item_person_tally" ("department_id", "item_id")',
    '''CREATE TABLE IF NOT EXISTS "item_people" ("item_id" INTEGER NOT NULL PRIMARY KEY,
        "persons" INTEGER NOT NULL DEFAULT 0)''',
    '''CREATE INDEX IF NOT EXISTS "problem_event_sent_back" ON "problem_event" ("problem_id")
        WHERE "from_status" = 'rectified' AND "to_status" = 'in_progress\'''',
    '''CREATE INDEX IF NOT EXISTS "problem_review_returned" ON "problem" ("department_id")
        WHERE "review_stage" = 'returned\'''',
]

BACKFILL = [  # before the triggers on item_person_tally exist (they would count the backfill again)
    'DELETE FROM "item_people"',
    'DELETE FROM "item_person_tally"',
    f'''INSERT INTO "item_person_tally" ({NAMES}, "n")
        SELECT {", ".join(e.format(r='"problem"') for _, e in KEYS)}, COUNT(*) FROM "problem"
        WHERE {LIVE.format(r='"problem"')} GROUP BY 1, 2, 3''',
    '''INSERT INTO "item_people" ("item_id", "persons")
        SELECT "item_id", COUNT(DISTINCT "person_id") FROM "item_person_tally"
        WHERE "n" > 0 AND "person_id" != 0 GROUP BY "item_id"''',
]


def _add(row):
    values = ", ".join(e.format(r=row) for _, e in KEYS)
    return (f'INSERT INTO "item_person_tally" ({NAMES}, "n") {{head}} {values}, 1 {{tail}} '
            f'ON CONFLICT ({NAMES}) DO UPDATE SET "n" = "item_person_tally"."n" + 1')


def _remove(row):
    match = " AND ".join(f'"{k}" = {e.format(r=row)}' for k, e in KEYS)
    return f'UPDATE "item_person_tally" SET "n" = "n" - 1 WHERE {match}'


def _others(row):
    """Another department's row of the same item and person still counts the person."""
    return (f'EXISTS (SELECT 1 FROM "item_person_tally" o WHERE o."item_id" = {row}."item_id" AND '
            f'o."person_id" = {row}."person_id" AND o."department_id" != {row}."department_id" AND o."n" > 0)')


def _people(row, delta):
    return (f'INSERT INTO "item_people" ("item_id", "persons") VALUES ({row}."item_id", {delta}) '
            f'ON CONFLICT ("item_id") DO UPDATE SET "persons" = "item_people"."persons" + {delta}')


def sqlite_statements():
    cols = ", ".join(f'"{c}"' for c in WATCHED)
    return [
        f'''CREATE TRIGGER IF NOT EXISTS "item_person_tally_ins" AFTER INSERT ON "problem"
        WHEN {LIVE.format(r="NEW")} BEGIN {_add("NEW").format(head="VALUES (", tail=")")}; END''',
        f'''CREATE TRIGGER IF NOT EXISTS "item_person_tally_del" AFTER DELETE ON "problem"
        WHEN {LIVE.format(r="OLD")} BEGIN {_remove("OLD")}; END''',
        f'''CREATE TRIGGER IF NOT EXISTS "item_person_tally_upd" AFTER UPDATE OF {cols} ON "problem"
        BEGIN
          {_remove("OLD")} AND {LIVE.format(r="OLD")};
          {_add("NEW").format(head="SELECT", tail="WHERE " + LIVE.format(r="NEW"))};
        END''',
        # a person starts or stops counting for an item (an upsert's conflict fires the UPDATE trigger)
        f'''CREATE TRIGGER IF NOT EXISTS "item_people_ins" AFTER INSERT ON "item_person_tally"
        WHEN NEW."n" > 0 AND NEW."person_id" != 0 AND NOT {_others("NEW")}
        BEGIN {_people("NEW", 1)}; END''',
        f'''CREATE TRIGGER IF NOT EXISTS "item_people_upd" AFTER UPDATE OF "n" ON "item_person_tally"
        WHEN NEW."person_id" != 0 AND (OLD."n" > 0) != (NEW."n" > 0) AND NOT {_others("NEW")}
        BEGIN {_people("NEW", 'CASE WHEN NEW."n" > 0 THEN 1 ELSE -1 END')}; END''',
    ]


def pg_statements():
    cols = ", ".join(f'"{c}"' for c in WATCHED)
    return [
        f"""CREATE OR REPLACE FUNCTION item_person_tally_trg() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND {LIVE.format(r="OLD")} THEN
        {_remove("OLD")};
      END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') AND {LIVE.format(r="NEW")} THEN
        {_add("NEW").format(head="VALUES (", tail=")")};
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
        'DROP TRIGGER IF EXISTS "item_person_tally" ON "problem"',
        f"""CREATE TRIGGER "item_person_tally" AFTER INSERT OR DELETE OR UPDATE OF {cols}
    ON "problem" FOR EACH ROW EXECUTE FUNCTION item_person_tally_trg()""",
        f"""CREATE OR REPLACE FUNCTION item_people_trg() RETURNS trigger AS $$
    DECLARE was boolean;
    BEGIN
      was := TG_OP = 'UPDATE' AND OLD."n" > 0;
      IF was != (NEW."n" > 0) AND NEW."person_id" != 0 AND NOT {_others("NEW")} THEN
        {_people("NEW", 'CASE WHEN NEW."n" > 0 THEN 1 ELSE -1 END')};
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
        'DROP TRIGGER IF EXISTS "item_people" ON "item_person_tally"',
        """CREATE TRIGGER "item_people" AFTER INSERT OR UPDATE OF "n"
    ON "item_person_tally" FOR EACH ROW EXECUTE FUNCTION item_people_trg()""",
    ]



# 长效机制 per item: mechanism_problem joined to the problem's item, kept as a tally
MT = '"mechanism_item_tally"'
MECH_CREATE = f'''CREATE TABLE IF NOT EXISTS {MT} ("item_id" INTEGER NOT NULL, "mechanism_id" INTEGER NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("item_id", "mechanism_id"))'''
MECH_BACKFILL = [f'DELETE FROM {MT}', f'''INSERT INTO {MT} ("item_id", "mechanism_id", "n")
    SELECT p."item_id", mp."mechanism_id", COUNT(*) FROM "mechanism_problem" mp JOIN "problem" p ON p."id" = mp."problem_id"
    WHERE p."item_id" IS NOT NULL GROUP BY 1, 2''']
UPSERT = f'ON CONFLICT ("item_id", "mechanism_id") DO UPDATE SET "n" = {MT}."n" + 1'


def _link_add(r):
    return (f'INSERT INTO {MT} ("item_id", "mechanism_id", "n") SELECT p."item_id", {r}."mechanism_id", 1 '
            f'FROM "problem" p WHERE p."id" = {r}."problem_id" AND p."item_id" IS NOT NULL {UPSERT}')


def _link_sub(r):
    return (f'UPDATE {MT} SET "n" = "n" - 1 WHERE "mechanism_id" = {r}."mechanism_id" '
            f'AND "item_id" = (SELECT p."item_id" FROM "problem" p WHERE p."id" = {r}."problem_id")')


def _problem_add(r):
    return (f'INSERT INTO {MT} ("item_id", "mechanism_id", "n") SELECT {r}."item_id", mp."mechanism_id", 1 '
            f'FROM "mechanism_problem" mp WHERE mp."problem_id" = {r}."id" AND {r}."item_id" IS NOT NULL {UPSERT}')


def _problem_sub(r):
    return (f'UPDATE {MT} SET "n" = "n" - 1 WHERE "item_id" = {r}."item_id" AND "mechanism_id" IN '
            f'(SELECT mp."mechanism_id" FROM "mechanism_problem" mp WHERE mp."problem_id" = {r}."id")')


def mech_sqlite():
    return [
        f'CREATE TRIGGER IF NOT EXISTS "mech_item_link_ins" AFTER INSERT ON "mechanism_problem" BEGIN {_link_add("NEW")}; END',
        f'CREATE TRIGGER IF NOT EXISTS "mech_item_link_del" AFTER DELETE ON "mechanism_problem" BEGIN {_link_sub("OLD")}; END',
        f'''CREATE TRIGGER IF NOT EXISTS "mech_item_link_upd" AFTER UPDATE OF "mechanism_id", "problem_id"
        ON "mechanism_problem" BEGIN {_link_sub("OLD")}; {_link_add("NEW")}; END''',
        f'''CREATE TRIGGER IF NOT EXISTS "mech_item_problem_upd" AFTER UPDATE OF "item_id" ON "problem"
        WHEN OLD."item_id" IS NOT NEW."item_id" BEGIN {_problem_sub("OLD")}; {_problem_add("NEW")}; END''',
        f'CREATE TRIGGER IF NOT EXISTS "mech_item_problem_del" BEFORE DELETE ON "problem" BEGIN {_problem_sub("OLD")}; END',
    ]


def mech_pg():
    return [
        f"""CREATE OR REPLACE FUNCTION mech_item_link_trg() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN {_link_sub("OLD")}; END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN {_link_add("NEW")}; END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
        'DROP TRIGGER IF EXISTS "mech_item_link" ON "mechanism_problem"',
        """CREATE TRIGGER "mech_item_link" AFTER INSERT OR DELETE OR UPDATE OF "mechanism_id", "problem_id"
    ON "mechanism_problem" FOR EACH ROW EXECUTE FUNCTION mech_item_link_trg()""",
        f"""CREATE OR REPLACE FUNCTION mech_item_problem_trg() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN {_problem_sub("OLD")}; RETURN OLD; END IF;
      IF OLD."item_id" IS DISTINCT FROM NEW."item_id" THEN {_problem_sub("OLD")}; {_problem_add("NEW")}; END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
        'DROP TRIGGER IF EXISTS "mech_item_problem_upd" ON "problem"',
        """CREATE TRIGGER "mech_item_problem_upd" AFTER UPDATE OF "item_id" ON "problem"
    FOR EACH ROW EXECUTE FUNCTION mech_item_problem_trg()""",
        'DROP TRIGGER IF EXISTS "mech_item_problem_del" ON "problem"',
        """CREATE TRIGGER "mech_item_problem_del" BEFORE DELETE ON "problem"
    FOR EACH ROW EXECUTE FUNCTION mech_item_problem_trg()""",
    ]


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    for stmt in (CREATE + [MECH_CREATE] + BACKFILL + MECH_BACKFILL
                 + (pg_statements() + mech_pg() if pg else sqlite_statements() + mech_sqlite())):
        db.execute_sql(stmt)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP TRIGGER IF EXISTS "item_person_tally" ON "problem"')
        db.execute_sql("DROP FUNCTION IF EXISTS item_person_tally_trg() CASCADE")
        db.execute_sql("DROP FUNCTION IF EXISTS item_people_trg() CASCADE")
        db.execute_sql("DROP FUNCTION IF EXISTS mech_item_link_trg() CASCADE")
        db.execute_sql("DROP FUNCTION IF EXISTS mech_item_problem_trg() CASCADE")
    else:
        for name in ("item_person_tally_ins", "item_person_tally_del", "item_person_tally_upd",
                     "item_people_ins", "item_people_upd", "mech_item_link_ins", "mech_item_link_del",
                     "mech_item_link_upd", "mech_item_problem_upd", "mech_item_problem_del"):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    for name in ("problem_event_sent_back", "problem_review_returned"):
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    db.execute_sql('DROP TABLE IF EXISTS "item_people"')
    db.execute_sql('DROP TABLE IF EXISTS "mechanism_item_tally"')
    db.execute_sql('DROP TABLE IF EXISTS "item_person_tally"')
