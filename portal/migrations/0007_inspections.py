"""Spot checks: plans, draws, targets, inspectors, findings and their evidence files."""
# Frozen copies of the models at this version.
from peewee import *


def up(migrator, db):
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

    class Problem(Model):
        class Meta:
            database = db
            table_name = 'problem'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class InspectionPlan(Model):
        campaign = ForeignKeyField(Campaign, null=True, on_delete='SET NULL')
        title = CharField(max_length=120)
        checks = TextField(default='[]')
        planned_date = DateField()
        planned_end = DateField(null=True)
        cycle = CharField(max_length=16, default='')
        target_kind = CharField(max_length=16, default='person')
        target_count = IntegerField(default=5)
        inspector_count = IntegerField(default=2)
        pool_kind = CharField(max_length=16, default='all')
        pool_departments = TextField(default='[]')
        note = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'inspection_plan'
    db.create_tables([InspectionPlan])

    class Draw(Model):
        public_id = CharField(unique=True, max_length=32)
        plan = ForeignKeyField(InspectionPlan, on_delete='RESTRICT')
        purpose = CharField(max_length=16)
        candidate_kind = CharField(max_length=16)
        algorithm = CharField(max_length=64)
        roster = TextField()
        roster_hash = CharField(max_length=64)
        exclusions = TextField(default='[]')
        witness_number = CharField(max_length=32)
        drawn_at_text = CharField(max_length=32)
        seed = CharField(max_length=64)
        requested = IntegerField()
        result = TextField()
        drawn_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        drawn_by_name = CharField(max_length=32, default='')
        witnesses = CharField(max_length=200, default='')
        supersedes = ForeignKeyField('self', null=True, on_delete='RESTRICT')
        redraw_reason = TextField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'draw'
    db.create_tables([Draw])

    class InspectionTarget(Model):
        plan = ForeignKeyField(InspectionPlan, on_delete='CASCADE')
        kind = CharField(max_length=16)
        user = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        draw = ForeignKeyField(Draw, null=True, on_delete='RESTRICT')
        is_random = BooleanField(default=True)
        reason = CharField(max_length=200, default='')
        rank = IntegerField(default=0)
        checked_at = DateTimeField(null=True)
        outcome = CharField(max_length=16, default='')
        added_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'inspection_target'
            indexes = ((('plan', 'kind', 'user', 'department'), True),)
    db.create_tables([InspectionTarget])

    class Finding(Model):
        plan = ForeignKeyField(InspectionPlan, on_delete='CASCADE')
        target = ForeignKeyField(InspectionTarget, on_delete='RESTRICT')
        inspector = ForeignKeyField(User, null=True, on_delete='SET NULL')
        outcome = CharField(max_length=16)
        check_label = CharField(max_length=120, default='')
        item = ForeignKeyField(Item, null=True, on_delete='SET NULL')
        description = TextField(default='')
        found_at = DateTimeField()
        place = CharField(max_length=120, default='')
        severity = CharField(max_length=16, default='general')
        problem = ForeignKeyField(Problem, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'finding'
    db.create_tables([Finding])

    class FindingFile(Model):
        finding = ForeignKeyField(Finding, on_delete='CASCADE')
        name = CharField(max_length=120)
        kind = CharField(max_length=8)
        key = CharField(max_length=80)
        size = IntegerField()
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'finding_file'
    db.create_tables([FindingFile])

    class PlanInspector(Model):
        plan = ForeignKeyField(InspectionPlan, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='RESTRICT')
        draw = ForeignKeyField(Draw, null=True, on_delete='RESTRICT')
        assigned_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'plan_inspector'
            indexes = ((('plan', 'user'), True),)
    db.create_tables([PlanInspector])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('plan_inspector'))
    migrator.migrate(migrator.drop_table('finding_file'))
    migrator.migrate(migrator.drop_table('finding'))
    migrator.migrate(migrator.drop_table('inspection_target'))
    migrator.migrate(migrator.drop_table('draw'))
    migrator.migrate(migrator.drop_table('inspection_plan'))
