"""Rectification ledger: actions, deadline extensions, evidence, lasting mechanisms; ledger indexes on problem."""
# Frozen copies of the models at this version.
from peewee import *

PROBLEM_INDEXES = (
    ("problem_ledger_status", ("status", "withdrawn", "deadline")),
    ("problem_ledger_dept", ("department_id", "status", "withdrawn", "deadline")),
    ("problem_ledger_source", ("source", "status", "withdrawn", "deadline")),
    ("problem_ledger_severity", ("severity", "status", "withdrawn", "deadline")),
    ("problem_ledger_item", ("item_id", "status", "withdrawn", "deadline")),
    ("problem_ledger_person", ("person_id", "status", "withdrawn", "deadline")),
)

COUNTER_TABLE = """CREATE TABLE IF NOT EXISTS "ledger_count" (
    "status" VARCHAR(16) NOT NULL, "deadline" DATE NOT NULL, "n" INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY ("status", "deadline"))"""
NO_DEADLINE = "'9999-12-31'"
BACKFILL = f"""INSERT INTO "ledger_count" ("status", "deadline", "n")
    SELECT "status", COALESCE("deadline", {NO_DEADLINE}), COUNT(*) FROM "problem"
    WHERE NOT "withdrawn" GROUP BY 1, 2"""
SQLITE_COUNTER = (
    COUNTER_TABLE,
    f"""CREATE TRIGGER IF NOT EXISTS ledger_count_ins AFTER INSERT ON "problem" WHEN NOT NEW."withdrawn"
    BEGIN
      INSERT INTO "ledger_count" ("status", "deadline", "n")
      VALUES (NEW."status", COALESCE(NEW."deadline", {NO_DEADLINE}), 1)
      ON CONFLICT ("status", "deadline") DO UPDATE SET "n" = "n" + 1;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS ledger_count_del AFTER DELETE ON "problem" WHEN NOT OLD."withdrawn"
    BEGIN
      UPDATE "ledger_count" SET "n" = "n" - 1 WHERE "status" = OLD."status" AND "deadline" = COALESCE(OLD."deadline", {NO_DEADLINE});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS ledger_count_upd
    AFTER UPDATE OF "status", "deadline", "withdrawn" ON "problem"
    BEGIN
      UPDATE "ledger_count" SET "n" = "n" - 1 WHERE NOT OLD."withdrawn" AND "status" = OLD."status" AND "deadline" = COALESCE(OLD."deadline", {NO_DEADLINE});
      INSERT INTO "ledger_count" ("status", "deadline", "n")
      SELECT NEW."status", COALESCE(NEW."deadline", {NO_DEADLINE}), 1
      WHERE NOT NEW."withdrawn"
      ON CONFLICT ("status", "deadline") DO UPDATE SET "n" = "n" + 1;
    END""",
)
PG_COUNTER = (
    COUNTER_TABLE,
    f"""CREATE OR REPLACE FUNCTION ledger_count_trg() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.withdrawn THEN
        UPDATE ledger_count SET n = n - 1 WHERE status = OLD.status
          AND deadline = COALESCE(OLD.deadline, DATE {NO_DEADLINE});
      END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') AND NOT NEW.withdrawn THEN
        INSERT INTO ledger_count (status, deadline, n)
        VALUES (NEW.status, COALESCE(NEW.deadline, DATE {NO_DEADLINE}), 1)
        ON CONFLICT (status, deadline) DO UPDATE SET n = ledger_count.n + 1;
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS ledger_count ON problem",
    """CREATE TRIGGER ledger_count AFTER INSERT OR DELETE OR UPDATE OF status, deadline, withdrawn
    ON problem FOR EACH ROW EXECUTE FUNCTION ledger_count_trg()""",
)


def up(migrator, db):
    class Department(Model):
        class Meta:
            database = db
            table_name = 'department'

    class Problem(Model):
        class Meta:
            database = db
            table_name = 'problem'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class DeadlineExtension(Model):
        problem = ForeignKeyField(Problem, on_delete='RESTRICT')
        requested_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        old_deadline = DateField(null=True)
        new_deadline = DateField()
        reason = TextField()
        status = CharField(index=True, max_length=16, default='pending')
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField(null=True)
        decision_note = TextField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'deadline_extension'
    db.create_tables([DeadlineExtension])

    class Mechanism(Model):
        title = CharField(max_length=128)
        content = TextField(default='')
        owner = ForeignKeyField(User, null=True, on_delete='SET NULL')
        department = ForeignKeyField(Department, null=True, on_delete='SET NULL')
        date = DateField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'mechanism'
    db.create_tables([Mechanism])

    class MechanismProblem(Model):
        mechanism = ForeignKeyField(Mechanism, on_delete='CASCADE')
        problem = ForeignKeyField(Problem, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'mechanism_problem'
            indexes = ((('mechanism', 'problem'), True),)
    db.create_tables([MechanismProblem])

    class ProblemAction(Model):
        problem = ForeignKeyField(Problem, on_delete='RESTRICT')
        kind = CharField(max_length=16)
        date = DateField()
        by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        note = TextField(default='')
        document_id = IntegerField(index=True, null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'problem_action'
    db.create_tables([ProblemAction])

    class ProblemEvidence(Model):
        problem = ForeignKeyField(Problem, on_delete='RESTRICT')
        filename = CharField(max_length=128)
        kind = CharField(max_length=8)
        key = CharField(max_length=64)
        size = IntegerField(default=0)
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'problem_evidence'
    db.create_tables([ProblemEvidence])

    # the counter table and its triggers: every Problem write keeps it exact in the same transaction
    if isinstance(db, PostgresqlDatabase):
        for stmt in PG_COUNTER:
            db.execute_sql(stmt)
    else:
        for stmt in SQLITE_COUNTER:
            db.execute_sql(stmt)
    db.execute_sql(BACKFILL)

    # ledger filters and counters: each status count is an index range scan (overdue = deadline range)
    for name, cols in PROBLEM_INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "problem" ({", ".join(cols)})')


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS ledger_count ON problem")
        db.execute_sql("DROP FUNCTION IF EXISTS ledger_count_trg()")
    else:
        for t in ("ins", "del", "upd"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS ledger_count_{t}")
    db.execute_sql('DROP TABLE IF EXISTS "ledger_count"')
    for name, _cols in PROBLEM_INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    migrator.migrate(migrator.drop_table('problem_evidence'))
    migrator.migrate(migrator.drop_table('problem_action'))
    migrator.migrate(migrator.drop_table('mechanism_problem'))
    migrator.migrate(migrator.drop_table('mechanism'))
    migrator.migrate(migrator.drop_table('deadline_extension'))
