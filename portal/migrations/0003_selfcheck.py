"""Self-check wizard: self-checks, draft answers and problems, frozen versions, department reports."""
# Frozen copies of the models at this version.
from peewee import *


def up(migrator, db):
    class Aspect(Model):
        class Meta:
            database = db
            table_name = 'aspect'

    class Campaign(Model):
        class Meta:
            database = db
            table_name = 'campaign'

    class Department(Model):
        class Meta:
            database = db
            table_name = 'department'

    class Item(Model):
        class Meta:
            database = db
            table_name = 'item'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class DepartmentReport(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        campaign = ForeignKeyField(Campaign, on_delete='RESTRICT')
        period = CharField(max_length=16, default='全程')
        numbers = TextField(default='{}')
        narrative = TextField(default='')
        status = CharField(max_length=16, default='draft')
        submitted_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        submitted_at = DateTimeField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'department_report'
            indexes = ((('department', 'campaign', 'period'), True),)
    db.create_tables([DepartmentReport])

    class SelfCheck(Model):
        user = ForeignKeyField(User, on_delete='RESTRICT')
        campaign = ForeignKeyField(Campaign, on_delete='RESTRICT')
        status = CharField(index=True, max_length=16, default='not_started')
        current_step = IntegerField(default=1)
        draft_version = IntegerField(default=0)
        versions_count = IntegerField(default=0)
        perfunctory_count = IntegerField(default=0)
        reopened_by_discipline = BooleanField(default=False)
        reopened_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        submitted_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'self_check'
            indexes = ((('user', 'campaign'), True), (('campaign', 'status'), False))
    db.create_tables([SelfCheck])

    class SelfCheckAnswer(Model):
        selfcheck = ForeignKeyField(SelfCheck, on_delete='CASCADE')
        item = ForeignKeyField(Item, on_delete='RESTRICT')
        answer = CharField(max_length=16, default='')
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'self_check_answer'
            indexes = ((('selfcheck', 'item'), True),)
    db.create_tables([SelfCheckAnswer])

    class SelfCheckProblem(Model):
        selfcheck = ForeignKeyField(SelfCheck, on_delete='CASCADE')
        item = ForeignKeyField(Item, on_delete='RESTRICT')
        key = CharField(max_length=16)
        position = IntegerField(default=0)
        aspect = ForeignKeyField(Aspect, null=True, on_delete='RESTRICT')
        description = TextField(default='')
        measure = TextField(default='')
        deadline = CharField(max_length=10, default='')
        fixed_at_once = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'self_check_problem'
            indexes = ((('selfcheck', 'key'), True), (('selfcheck', 'item'), False))
    db.create_tables([SelfCheckProblem])

    class SelfCheckVersion(Model):
        selfcheck = ForeignKeyField(SelfCheck, on_delete='RESTRICT')
        number = IntegerField()
        submitted_at = DateTimeField()
        content_hash = CharField(max_length=64)
        content = TextField()
        review_outcome = CharField(max_length=16, default='')
        review_comment = TextField(default='')
        perfunctory = BooleanField(default=False)
        reviewer = ForeignKeyField(User, null=True, on_delete='SET NULL')
        reviewed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'self_check_version'
            indexes = ((('selfcheck', 'number'), True),)
    db.create_tables([SelfCheckVersion])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('self_check_version'))
    migrator.migrate(migrator.drop_table('self_check_problem'))
    migrator.migrate(migrator.drop_table('self_check_answer'))
    migrator.migrate(migrator.drop_table('self_check'))
    migrator.migrate(migrator.drop_table('department_report'))
