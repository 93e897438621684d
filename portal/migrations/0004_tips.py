"""Tip box and clue ledger: tips, messages, files (sealed), clues, clue events, clue-problem links."""
# Frozen copies of the models at this version.
from peewee import *


def up(migrator, db):
    class Department(Model):
        class Meta:
            database = db
            table_name = 'department'

    class Item(Model):
        class Meta:
            database = db
            table_name = 'item'

    class Problem(Model):
        class Meta:
            database = db
            table_name = 'problem'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Tip(Model):
        ref = CharField(unique=True, max_length=32)
        channel = CharField(max_length=8, default='online')
        lookup = CharField(unique=True, null=True, max_length=64)
        verifier = CharField(default='')
        named = BooleanField(default=False)
        item = ForeignKeyField(Item, null=True, on_delete='SET NULL')
        subject_key = CharField(index=True, max_length=64, default='')
        sealed = TextField()
        received_on = DateField(index=True)
        class Meta:
            database = db
            table_name = 'tip'
    db.create_tables([Tip])

    class Clue(Model):
        number = CharField(unique=True, max_length=20)
        year = IntegerField()
        seq = IntegerField()
        tip = ForeignKeyField(Tip, unique=True, on_delete='RESTRICT')
        channel = CharField(index=True, max_length=8)
        status = CharField(index=True, max_length=12, default='pending')
        item = ForeignKeyField(Item, null=True, on_delete='SET NULL')
        subject_user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        subject_department = ForeignKeyField(Department, null=True, on_delete='SET NULL')
        escalated = BooleanField(index=True, default=False)
        escalation_reason = CharField(max_length=64, default='')
        forwarded_at = DateTimeField(null=True)
        forwarded_note = TextField(default='')
        disposal = CharField(max_length=8, default='')
        handler = ForeignKeyField(User, null=True, on_delete='SET NULL')
        handler_department = ForeignKeyField(Department, null=True, on_delete='SET NULL')
        accept_due = DateField(index=True, null=True)
        handle_due = DateField(index=True, null=True)
        accepted_at = DateTimeField(null=True)
        assigned_at = DateTimeField(null=True)
        concluded_at = DateTimeField(null=True)
        conclusion = CharField(max_length=16, default='')
        sealed_finding = TextField(default='')
        sealed_reply = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'clue'
            indexes = ((('year', 'seq'), True),)
    db.create_tables([Clue])

    class ClueEvent(Model):
        clue = ForeignKeyField(Clue, on_delete='RESTRICT')
        at = DateTimeField()
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        kind = CharField(max_length=16)
        from_status = CharField(max_length=12, default='')
        to_status = CharField(max_length=12, default='')
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'clue_event'
    db.create_tables([ClueEvent])

    class ClueProblem(Model):
        clue = ForeignKeyField(Clue, on_delete='CASCADE')
        problem = ForeignKeyField(Problem, on_delete='CASCADE')
        role = CharField(max_length=16, default='person')
        linked_at = DateTimeField()
        linked_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'clue_problem'
            indexes = ((('clue', 'problem'), True),)
    db.create_tables([ClueProblem])

    class TipMessage(Model):
        ref = CharField(unique=True, max_length=32)
        tip = ForeignKeyField(Tip, on_delete='CASCADE')
        from_reporter = BooleanField(default=False)
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        sealed = TextField()
        at = DateTimeField()
        class Meta:
            database = db
            table_name = 'tip_message'
    db.create_tables([TipMessage])

    class TipFile(Model):
        ref = CharField(unique=True, max_length=32)
        tip = ForeignKeyField(Tip, on_delete='CASCADE')
        message = ForeignKeyField(TipMessage, null=True, on_delete='SET NULL')
        storage_key = CharField(max_length=128)
        sealed_name = TextField()
        kind = CharField(max_length=8)
        size = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'tip_file'
    db.create_tables([TipFile])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('tip_file'))
    migrator.migrate(migrator.drop_table('tip_message'))
    migrator.migrate(migrator.drop_table('clue_problem'))
    migrator.migrate(migrator.drop_table('clue_event'))
    migrator.migrate(migrator.drop_table('clue'))
    migrator.migrate(migrator.drop_table('tip'))
