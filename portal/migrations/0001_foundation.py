"""Foundation: organisation, accounts, campaign checklist, problems, audit trail."""
# Frozen copies of the models at this version (callable defaults live in the application models).
from peewee import *


def up(migrator, db):
    class Campaign(Model):
        code = CharField(max_length=64)
        version = IntegerField(default=1)
        name = CharField(max_length=128)
        organ = CharField(max_length=64, default='')
        start_date = DateField()
        end_date = DateField()
        selfcheck_deadline = DateField()
        is_active = BooleanField(default=False)
        content_hash = CharField(max_length=64)
        loaded_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'campaign'
            indexes = ((('code', 'version'), True),)
    db.create_tables([Campaign])

    class Aspect(Model):
        campaign = ForeignKeyField(Campaign, on_delete='CASCADE')
        seq = IntegerField()
        name = CharField(max_length=8)
        class Meta:
            database = db
            table_name = 'aspect'
            indexes = ((('campaign', 'seq'), True),)
    db.create_tables([Aspect])

    class AuditRecord(Model):
        seq = IntegerField(unique=True)
        at = DateTimeField(index=True)
        actor_id = IntegerField(index=True, null=True)
        actor_name = CharField(max_length=64, default='')
        action = CharField(index=True, max_length=48)
        object_type = CharField(max_length=32, default='')
        object_id = CharField(max_length=64, default='')
        outcome = CharField(max_length=16, default='ok')
        detail = TextField(default='')
        prev_hash = CharField(max_length=64)
        hash = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'audit_record'
    db.create_tables([AuditRecord])

    class Category(Model):
        campaign = ForeignKeyField(Campaign, on_delete='CASCADE')
        seq = IntegerField()
        code = CharField(max_length=16)
        name = CharField(max_length=16)
        title = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'category'
            indexes = ((('campaign', 'seq'), True),)
    db.create_tables([Category])

    class Department(Model):
        name = CharField(unique=True, max_length=64)
        kind = CharField(max_length=16, default='office')
        parent = ForeignKeyField('self', null=True, on_delete='RESTRICT')
        sort_order = IntegerField(default=0)
        is_active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'department'
    db.create_tables([Department])

    class Item(Model):
        campaign = ForeignKeyField(Campaign, on_delete='CASCADE')
        category = ForeignKeyField(Category, on_delete='CASCADE')
        seq = IntegerField()
        text = TextField()
        is_open = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'item'
            indexes = ((('campaign', 'seq'), True),)
    db.create_tables([Item])

    class User(Model):
        username = CharField(unique=True, max_length=64)
        real_name = CharField(max_length=32)
        employee_no = CharField(unique=True, null=True, max_length=32)
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        title = CharField(max_length=64, default='')
        phone = CharField(max_length=32, default='')
        is_active_flag = BooleanField(default=True, column_name='is_active')
        password_hash = CharField(default='')
        must_change_password = BooleanField(default=True)
        failed_logins = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        last_login_at = DateTimeField(null=True)
        session_token = CharField(max_length=64)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class LeaderCharge(Model):
        leader = ForeignKeyField(User, on_delete='CASCADE')
        department = ForeignKeyField(Department, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'leader_charge'
            indexes = ((('leader', 'department'), True),)
    db.create_tables([LeaderCharge])

    class Problem(Model):
        campaign = ForeignKeyField(Campaign, null=True, on_delete='RESTRICT')
        item = ForeignKeyField(Item, null=True, on_delete='RESTRICT')
        aspect = ForeignKeyField(Aspect, null=True, on_delete='RESTRICT')
        person = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        source = CharField(index=True, max_length=16)
        self_reported = BooleanField(default=False)
        severity = CharField(index=True, max_length=16, default='general')
        status = CharField(index=True, max_length=16, default='pending')
        description = TextField()
        measures = TextField(default='')
        deadline = DateField(index=True, null=True)
        fixed_at_once = BooleanField(default=False)
        remark = TextField(default='')
        origin = CharField(unique=True, null=True, max_length=64)
        partner = ForeignKeyField('self', null=True, on_delete='SET NULL')
        is_accountability = BooleanField(default=False)
        withdrawn = BooleanField(default=False)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        closed_at = DateTimeField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'problem'
            indexes = ((('department', 'status'), False), (('person', 'status'), False))
    db.create_tables([Problem])

    class ProblemEvent(Model):
        problem = ForeignKeyField(Problem, on_delete='RESTRICT')
        at = DateTimeField()
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        kind = CharField(max_length=24)
        from_status = CharField(max_length=16, default='')
        to_status = CharField(max_length=16, default='')
        note = TextField(default='')
        changes = TextField(default='')
        class Meta:
            database = db
            table_name = 'problem_event'
    db.create_tables([ProblemEvent])

    class RoleAssignment(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        role = CharField(max_length=16)
        class Meta:
            database = db
            table_name = 'role_assignment'
            indexes = ((('user', 'role'), True),)
    db.create_tables([RoleAssignment])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('role_assignment'))
    migrator.migrate(migrator.drop_table('problem_event'))
    migrator.migrate(migrator.drop_table('problem'))
    migrator.migrate(migrator.drop_table('leader_charge'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('item'))
    migrator.migrate(migrator.drop_table('department'))
    migrator.migrate(migrator.drop_table('category'))
    migrator.migrate(migrator.drop_table('audit_record'))
    migrator.migrate(migrator.drop_table('aspect'))
    migrator.migrate(migrator.drop_table('campaign'))
