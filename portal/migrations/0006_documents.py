"""Official documents: register, number counters, problem links, seal images, print jobs."""
# Frozen copies of the models at this version.
from peewee import *


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

    class Document(Model):
        kind = CharField(index=True, max_length=24)
        status = CharField(index=True, max_length=16, default='draft')
        title = CharField(max_length=200, default='')
        organ = CharField(max_length=64, default='')
        prefix = CharField(max_length=16, default='')
        year = IntegerField(null=True)
        seq = IntegerField(null=True)
        number = CharField(null=True, max_length=48)
        signer = CharField(max_length=32, default='')
        addressees = CharField(default='')
        body = TextField(default='')
        attachments = TextField(default='[]')
        signature = CharField(max_length=128, default='')
        doc_date = DateField(null=True)
        note = CharField(default='')
        copy_to = CharField(default='')
        printer = CharField(max_length=128, default='')
        print_date = DateField(null=True)
        seal = BooleanField(default=False)
        extra = TextField(default='{}')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        issued_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        issued_at = DateTimeField(index=True, null=True)
        pdf_key = CharField(null=True, max_length=128)
        pdf_sha256 = CharField(null=True, max_length=64)
        pdf_size = IntegerField(null=True)
        pages = IntegerField(null=True)
        supersedes = ForeignKeyField('self', null=True, on_delete='RESTRICT')
        superseded_by = ForeignKeyField('self', null=True, on_delete='SET NULL')
        action_id = IntegerField(index=True, null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'document'
            indexes = ((('prefix', 'year', 'seq'), True),)
    db.create_tables([Document])

    class DocumentNumberCounter(Model):
        prefix = CharField(max_length=16)
        year = IntegerField()
        last_seq = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'document_number_counter'
            indexes = ((('prefix', 'year'), True),)
    db.create_tables([DocumentNumberCounter])

    class DocumentProblem(Model):
        document = ForeignKeyField(Document, on_delete='CASCADE')
        problem = ForeignKeyField(Problem, on_delete='RESTRICT')
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'document_problem'
            indexes = ((('document', 'problem'), True),)
    db.create_tables([DocumentProblem])

    class PrintJob(Model):
        kind = CharField(max_length=24, default='selfcheck-batch')
        requested_by = ForeignKeyField(User, on_delete='CASCADE')
        department = ForeignKeyField(Department, null=True, on_delete='CASCADE')
        status = CharField(index=True, max_length=16, default='queued')
        total = IntegerField(default=0)
        done = IntegerField(default=0)
        cancel_requested = BooleanField(default=False)
        result_path = CharField(null=True)
        result_sha256 = CharField(null=True, max_length=64)
        result_size = IntegerField(null=True)
        pages = IntegerField(null=True)
        error = TextField(default='')
        created_at = DateTimeField()
        started_at = DateTimeField(null=True)
        heartbeat_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)
        expires_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'print_job'
    db.create_tables([PrintJob])

    class SealImage(Model):
        key = CharField(max_length=128)
        sha256 = CharField(max_length=64)
        width = IntegerField()
        height = IntegerField()
        size = IntegerField()
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        uploaded_at = DateTimeField()
        active = BooleanField(index=True, default=True)
        class Meta:
            database = db
            table_name = 'seal_image'
    db.create_tables([SealImage])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('seal_image'))
    migrator.migrate(migrator.drop_table('print_job'))
    migrator.migrate(migrator.drop_table('document_problem'))
    migrator.migrate(migrator.drop_table('document_number_counter'))
    migrator.migrate(migrator.drop_table('document'))
