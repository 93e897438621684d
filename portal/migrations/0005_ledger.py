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

    # ledger filters and counters: each status count is an index range scan (overdue = deadline range)
    for name, cols in PROBLEM_INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "problem" ({", ".join(cols)})')


def down(migrator, db):
    for name, _cols in PROBLEM_INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    migrator.migrate(migrator.drop_table('problem_evidence'))
    migrator.migrate(migrator.drop_table('problem_action'))
    migrator.migrate(migrator.drop_table('mechanism_problem'))
    migrator.migrate(migrator.drop_table('mechanism'))
    migrator.migrate(migrator.drop_table('deadline_extension'))
