"""督办: urges, escalations, leaders' instructions and the weekly red-amber-green snapshot."""
from peewee import *

VERSIONED = ("urge", "escalation", "campaign_setting")
SQLITE_BUMP = ("""INSERT INTO "ledger_version" ("id", "v") VALUES (1, abs(random() % 1000000000000000))
      ON CONFLICT ("id") DO UPDATE SET "v" = "v" + 1;""")


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Problem(Model):
        class Meta:
            database = db
            table_name = 'problem'

    class Urge(Model):
        kind = CharField(max_length=12, default='problem', index=True)
        problem = ForeignKeyField(Problem, null=True, on_delete='CASCADE')
        person = ForeignKeyField(User, null=True, on_delete='SET NULL', related_name='urges_received')
        by = ForeignKeyField(User, null=True, on_delete='SET NULL', related_name='urges_sent')
        at = DateTimeField(index=True)
        notified = TextField(default='')
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'urge'

    class Escalation(Model):
        problem = ForeignKeyField(Problem, on_delete='CASCADE')
        level = IntegerField()
        deadline = DateField()
        workdays_overdue = IntegerField(default=0)
        notified = TextField(default='')
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'escalation'
            indexes = ((('problem', 'level', 'deadline'), True),)

    class Instruction(Model):
        leader = ForeignKeyField(User, on_delete='CASCADE')
        problem = ForeignKeyField(Problem, null=True, on_delete='CASCADE')
        clue_id = IntegerField(null=True, index=True)
        text = TextField()
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'instruction'

    class RagSnapshot(Model):
        week = DateField(index=True)
        scope = CharField(max_length=12)
        ref = IntegerField()
        colour = CharField(max_length=8)
        open = IntegerField(default=0)
        overdue = IntegerField(default=0)
        due_soon = IntegerField(default=0)
        returned = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'rag_snapshot'
            indexes = ((('week', 'scope', 'ref'), True),)

    db.create_tables([Urge, Escalation, Instruction, RagSnapshot])
    # a ledger row shows its urges, its escalation level and the 多发频发 flag (whose threshold is a campaign
    # setting): writes to these tables bump the ledger's data version (migration 0009) like a problem's
    pg = isinstance(db, PostgresqlDatabase)
    for t in VERSIONED:
        if pg:
            db.execute_sql(f'DROP TRIGGER IF EXISTS ledger_version ON "{t}"')
            db.execute_sql(f"""CREATE TRIGGER ledger_version AFTER INSERT OR UPDATE OR DELETE ON "{t}"
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_version_bump()""")
        else:
            for op in ("INSERT", "UPDATE", "DELETE"):
                db.execute_sql(f"""CREATE TRIGGER IF NOT EXISTS "ledger_version_{t}_{op.lower()}" AFTER {op} ON "{t}"
    BEGIN {SQLITE_BUMP} END""")


def down(migrator, db):
    for t in VERSIONED:
        if isinstance(db, PostgresqlDatabase):
            db.execute_sql(f'DROP TRIGGER IF EXISTS ledger_version ON "{t}"')
        else:
            for op in ("insert", "update", "delete"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "ledger_version_{t}_{op}"')
    for t in ('rag_snapshot', 'instruction', 'escalation', 'urge'):
        db.execute_sql(f'DROP TABLE IF EXISTS "{t}"')
