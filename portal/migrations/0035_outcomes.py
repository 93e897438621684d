"""Accountability outcomes (issue 14 §2): 四种形态, 组织处理, 政务处分 per person, the campaign lists they choose from, and typical cases."""
# Frozen copies of the models at this version.
from peewee import *


def up(migrator, db):
    class Campaign(Model):
        class Meta:
            database = db
            table_name = 'campaign'

    class Clue(Model):
        class Meta:
            database = db
            table_name = 'clue'

    class Problem(Model):
        class Meta:
            database = db
            table_name = 'problem'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Outcome(Model):
        problem = ForeignKeyField(Problem, on_delete='RESTRICT')
        clue = ForeignKeyField(Clue, null=True, on_delete='SET NULL')
        person = ForeignKeyField(User, on_delete='RESTRICT')
        responsibility = CharField(max_length=16, default='direct')
        partner = ForeignKeyField('self', null=True, on_delete='SET NULL')
        form = IntegerField(index=True)
        form_measure = CharField(max_length=32)
        org_measure = CharField(max_length=32, default='')
        sanction = CharField(max_length=32, default='')
        decided_on = DateField(index=True)
        decided_by_body = CharField(max_length=64)
        doc_number = CharField(max_length=48, default='')
        leniency = CharField(max_length=8, default='')
        note = TextField(default='')
        void = BooleanField(index=True, default=False)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'outcome'
    db.create_tables([Outcome])

    class OutcomeOption(Model):
        campaign = ForeignKeyField(Campaign, on_delete='CASCADE')
        kind = CharField(max_length=16)
        code = CharField(max_length=32)
        label = CharField(max_length=64)
        form = IntegerField(null=True)
        seq = IntegerField(default=0)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'outcome_option'
            indexes = ((('campaign', 'kind', 'code'), True),)
    db.create_tables([OutcomeOption])

    class TypicalCase(Model):
        problem = ForeignKeyField(Problem, unique=True, null=True, on_delete='CASCADE')
        clue = ForeignKeyField(Clue, unique=True, null=True, on_delete='CASCADE')
        summary = TextField(default='')
        marked_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        marked_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'typical_case'
    db.create_tables([TypicalCase])

    # the default lists for campaigns already loaded (later campaigns are seeded on first read)
    defaults = [
        ('form_measure', 'criticism', '批评教育', 1), ('form_measure', 'talk', '谈话提醒', 1),
        ('form_measure', 'self_examination', '责令检查', 1), ('form_measure', 'admonition', '诫勉', 1),
        ('form_measure', 'light_party', '党纪轻处分', 2), ('form_measure', 'org_adjust', '组织调整', 2),
        ('form_measure', 'heavy_party', '党纪重处分', 3), ('form_measure', 'major_post', '重大职务调整', 3),
        ('form_measure', 'case_review', '严重违纪涉嫌违法立案审查', 4),
        ('org_measure', 'circular', '通报批评', None), ('org_measure', 'admonition', '诫勉', None),
        ('org_measure', 'suspension', '停职检查', None), ('org_measure', 'reassign', '调整职务', None),
        ('org_measure', 'resign', '责令辞职', None), ('org_measure', 'demotion', '降职', None),
        ('org_measure', 'removal', '免职', None),
        ('sanction', 'warning', '警告', None), ('sanction', 'demerit', '记过', None),
        ('sanction', 'major_demerit', '记大过', None), ('sanction', 'downgrade', '降级', None),
        ('sanction', 'dismissal_post', '撤职', None), ('sanction', 'expulsion', '开除', None),
    ]
    for (cid,) in db.execute_sql('SELECT id FROM campaign').fetchall():
        OutcomeOption.insert_many([dict(campaign=cid, kind=k, code=c, label=l, form=f, seq=i)
                                   for i, (k, c, l, f) in enumerate(defaults)]).execute()


def down(migrator, db):
    migrator.migrate(migrator.drop_table('typical_case'))
    migrator.migrate(migrator.drop_table('outcome_option'))
    migrator.migrate(migrator.drop_table('outcome'))
