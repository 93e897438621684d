"""Reports' sign-off (拟稿 → 审核 → 签发), its steps and the dispatch register (报送登记)."""
# Frozen copies of the models at this version.
from peewee import *


def up(migrator, db):
    class Report(Model):
        class Meta:
            database = db
            table_name = 'report'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ReportDispatch(Model):
        report = ForeignKeyField(Report, on_delete='RESTRICT')
        recipient = CharField(max_length=64)
        sent_on = DateField()
        method = CharField(max_length=8)
        number = CharField(max_length=64, default='')
        note = CharField(max_length=200, default='')
        sent_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'report_dispatch'
    db.create_tables([ReportDispatch])

    class ReportDraft(Model):
        kind = CharField(max_length=16)
        period_start = DateField()
        period_end = DateField()
        title = CharField(max_length=200, default='')
        narrative = TextField(default='')
        typical_cases = TextField(default='')
        next_plan = TextField(default='')
        status = CharField(index=True, max_length=16, default='draft')
        reviewer = ForeignKeyField(User, null=True, on_delete='SET NULL')
        signer = ForeignKeyField(User, null=True, on_delete='SET NULL')
        signed_at = DateTimeField(null=True)
        report = ForeignKeyField(Report, null=True, on_delete='SET NULL')
        job_id = CharField(max_length=64, default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'report_draft'
    db.create_tables([ReportDraft])

    class ReportStep(Model):
        draft = ForeignKeyField(ReportDraft, on_delete='CASCADE')
        action = CharField(max_length=16)
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        at = DateTimeField()
        comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'report_step'
    db.create_tables([ReportStep])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('report_step'))
    migrator.migrate(migrator.drop_table('report_draft'))
    migrator.migrate(migrator.drop_table('report_dispatch'))
