"""督办: urges, escalations, leaders' instructions and the weekly red-amber-green snapshot."""
from peewee import *


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


def down(migrator, db):
    for t in ('rag_snapshot', 'instruction', 'escalation', 'urge'):
        db.execute_sql(f'DROP TABLE IF EXISTS "{t}"')
