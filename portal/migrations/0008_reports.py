"""Reports upward, their files, departments' reporting periods; indexes for the dashboard's aggregates."""
# Frozen copies of the models at this version.
from peewee import *

INDEXES = (
    ("problem_dash_status", '"withdrawn", "department_id", "status", "source", "self_reported", "deadline"'),
    ("problem_dash_item", '"withdrawn", "item_id", "aspect_id", "department_id"'),
    ("problem_updated_at", '"updated_at"'),
    ("problem_created_at", '"created_at"'),
)


def up(migrator, db):
    class Campaign(Model):
        class Meta:
            database = db
            table_name = 'campaign'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Report(Model):
        kind = CharField(max_length=16)
        period_start = DateField()
        period_end = DateField()
        title = CharField(max_length=200)
        number = CharField(max_length=64, default='')
        signer = CharField(max_length=32)
        narrative = TextField(default='')
        stats = TextField(default='')
        problem_count = IntegerField(default=0)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'report'
    db.create_tables([Report])

    class ReportFile(Model):
        report = ForeignKeyField(Report, on_delete='RESTRICT')
        recipient = CharField(max_length=16, default='')
        kind = CharField(max_length=8)
        filename = CharField(max_length=200)
        path = CharField()
        sha256 = CharField(max_length=64)
        size = IntegerField()
        class Meta:
            database = db
            table_name = 'report_file'
            indexes = ((('report', 'recipient', 'kind'), True),)
    db.create_tables([ReportFile])

    class ReportingPeriod(Model):
        campaign = ForeignKeyField(Campaign, null=True, on_delete='SET NULL')
        code = CharField(unique=True, max_length=32)
        name = CharField(max_length=64)
        start_date = DateField()
        end_date = DateField()
        due_date = DateField(index=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'reporting_period'
    db.create_tables([ReportingPeriod])

    # The dashboard's aggregates read these covering indexes instead of the problem rows.
    for name, cols in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "problem" ({cols})')
    if "self_check" in db.get_tables():  # the dashboard cache's fingerprint reads MAX(updated_at)
        db.execute_sql('CREATE INDEX IF NOT EXISTS "self_check_updated_at" ON "self_check" ("updated_at")')


def down(migrator, db):
    for name, _cols in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    db.execute_sql('DROP INDEX IF EXISTS "self_check_updated_at"')
    migrator.migrate(migrator.drop_table('reporting_period'))
    migrator.migrate(migrator.drop_table('report_file'))
    migrator.migrate(migrator.drop_table('report'))
