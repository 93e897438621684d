"""In-app notices."""
# Frozen copies of the models at this version.
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Notice(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=32)
        text = TextField()
        url = CharField(default='')
        dedupe_key = CharField(null=True, max_length=128)
        created_at = DateTimeField(index=True)
        read_at = DateTimeField(null=True)
        emailed = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'notice'
            indexes = ((('user', 'read_at'), False), (('user', 'dedupe_key'), True))
    db.create_tables([Notice])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('notice'))
