"""Security state shared by every worker and server: the security administrator's settings, rate-limit
counters and the day's address salt (Flask-Limiter storage in our own database), two-factor credentials and
hashed recovery codes, and who is signed in (online users, forced sign-out)."""
# Frozen copies of the models at this version.
from peewee import *

def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class RateLimitCounter(Model):
        key = CharField(primary_key=True)
        hits = IntegerField(default=0)
        expires_at = BigIntegerField(index=True)
        class Meta:
            database = db
            table_name = 'rate_limit'
    db.create_tables([RateLimitCounter])

    class RateLimitSalt(Model):
        day = DateField(primary_key=True)
        salt = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'rate_limit_salt'
    db.create_tables([RateLimitSalt])

    class RecoveryCode(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        code_hash = CharField(max_length=64)
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'recovery_code'
            indexes = ((('user', 'code_hash'), True),)
    db.create_tables([RecoveryCode])

    class SecuritySetting(Model):
        key = CharField(primary_key=True, max_length=48)
        value = TextField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'security_setting'
    db.create_tables([SecuritySetting])

    class TotpCredential(Model):
        user = ForeignKeyField(User, primary_key=True, on_delete='CASCADE')
        sealed_secret = CharField()
        enabled_at = DateTimeField(null=True)
        last_step = BigIntegerField(default=0)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'totp_credential'
    db.create_tables([TotpCredential])

    class UserPresence(Model):
        user = ForeignKeyField(User, primary_key=True, on_delete='CASCADE')
        token = CharField(max_length=64)
        since = DateTimeField()
        last_seen = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'user_presence'
    db.create_tables([UserPresence])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('user_presence'))
    migrator.migrate(migrator.drop_table('totp_credential'))
    migrator.migrate(migrator.drop_table('security_setting'))
    migrator.migrate(migrator.drop_table('recovery_code'))
    migrator.migrate(migrator.drop_table('rate_limit_salt'))
    migrator.migrate(migrator.drop_table('rate_limit'))
