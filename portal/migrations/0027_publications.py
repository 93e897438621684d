"""通知公告 (issue 14 §1): an issued 通报/通知 published to everyone, departments or named people, with read receipts."""
# Frozen copies of the models at this version.
from peewee import *


def up(migrator, db):
    class Department(Model):
        class Meta:
            database = db
            table_name = 'department'

    class Document(Model):
        class Meta:
            database = db
            table_name = 'document'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Publication(Model):
        document = ForeignKeyField(Document, unique=True, on_delete='RESTRICT')
        audience = CharField(max_length=16)
        targets = TextField(default='{}')
        require_ack = BooleanField(default=False)
        status = CharField(index=True, max_length=16, default='published')
        published_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        published_at = DateTimeField(index=True)
        withdrawn_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        withdrawn_at = DateTimeField(null=True)
        withdraw_reason = CharField(default='')
        remind_round = IntegerField(default=0)
        reminded_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'publication'
    db.create_tables([Publication])

    class PublicationRecipient(Model):
        publication = ForeignKeyField(Publication, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        department = ForeignKeyField(Department, null=True, on_delete='SET NULL')
        read_at = DateTimeField(null=True)
        ack_at = DateTimeField(null=True)
        reminded = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'publication_recipient'
            indexes = ((('publication', 'user'), True), (('user', 'read_at'), False))
    db.create_tables([PublicationRecipient])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('publication_recipient'))
    migrator.migrate(migrator.drop_table('publication'))
