"""Tip box privacy (issue 12 §3): server-side tracking sessions, spent proof-of-work challenges, identity
access requests, and the retention dates of a tip.

Columns are added with plain ALTER TABLE on both databases (no table rebuild)."""
# Frozen copies of the models at this version.
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Tip(Model):
        class Meta:
            database = db
            table_name = 'tip'

    class Clue(Model):
        class Meta:
            database = db
            table_name = 'clue'

    db.execute_sql('ALTER TABLE "tip" ADD COLUMN "purge_on" DATE')
    db.execute_sql('ALTER TABLE "tip" ADD COLUMN "purge_notice_on" DATE')
    db.execute_sql('ALTER TABLE "tip" ADD COLUMN "purged_on" DATE')
    db.execute_sql('CREATE INDEX "tip_purge_on" ON "tip" ("purge_on")')

    class TrackSession(Model):
        token_hash = CharField(max_length=64, primary_key=True)
        tip = ForeignKeyField(Tip, on_delete='CASCADE')
        expires_at = DateTimeField()
        ends_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'track_session'

    class PowStamp(Model):
        digest = CharField(max_length=64, primary_key=True)
        expires_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'pow_stamp'

    class IdentityRequest(Model):
        clue = ForeignKeyField(Clue, on_delete='CASCADE')
        requester = ForeignKeyField(User, on_delete='CASCADE')
        reason = TextField()
        status = CharField(max_length=12, default='pending', index=True)
        requested_at = DateTimeField()
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField(null=True)
        decision_note = TextField(default='')
        valid_until = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'identity_request'

    db.create_tables([TrackSession, PowStamp, IdentityRequest])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('identity_request'))
    migrator.migrate(migrator.drop_table('pow_stamp'))
    migrator.migrate(migrator.drop_table('track_session'))
    db.execute_sql('DROP INDEX "tip_purge_on"')
    db.execute_sql('ALTER TABLE "tip" DROP COLUMN "purged_on"')
    db.execute_sql('ALTER TABLE "tip" DROP COLUMN "purge_notice_on"')
    db.execute_sql('ALTER TABLE "tip" DROP COLUMN "purge_on"')
