"""Background jobs: Huey's queue tables (prefixed huey_) in the portal's own database, our record of each
job run, and the workers' heartbeats."""
from peewee import *


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db

    class HueyKV(Base):
        queue = CharField()
        key = CharField()
        value = BlobField()
        class Meta:
            table_name = 'huey_kv'
            primary_key = CompositeKey('queue', 'key')

    class HueySchedule(Base):
        queue = CharField()
        data = BlobField()
        timestamp = BigIntegerField()
        class Meta:
            table_name = 'huey_schedule'
            indexes = ((('queue', 'timestamp'), False),)

    class HueyTask(Base):
        queue = CharField()
        data = BlobField()
        priority = FloatField(default=0.0)
        class Meta:
            table_name = 'huey_task'
            indexes = ((('priority', 'id'), False),)

    class HueyCounter(Base):
        queue = CharField()
        key = CharField()
        value = IntegerField()
        class Meta:
            table_name = 'huey_counter'
            primary_key = CompositeKey('queue', 'key')

    class JobRun(Base):
        task_id = CharField(max_length=64, index=True)
        name = CharField(max_length=64, index=True)
        args = TextField(default='{}')
        status = CharField(max_length=16, default='queued', index=True)
        worker = CharField(max_length=128, default='')
        attempts = IntegerField(default=0)
        progress_done = IntegerField(default=0)
        progress_total = IntegerField(default=0)
        error = TextField(default='')
        created_at = DateTimeField(index=True)
        started_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)
        class Meta:
            table_name = 'job_run'

    class WorkerHeartbeat(Base):
        worker = CharField(max_length=128, unique=True)
        started_at = DateTimeField()
        seen_at = DateTimeField(index=True)
        class Meta:
            table_name = 'worker_heartbeat'

    db.create_tables([HueyKV, HueySchedule, HueyTask, HueyCounter, JobRun, WorkerHeartbeat])


def down(migrator, db):
    for t in ('worker_heartbeat', 'job_run', 'huey_counter', 'huey_task', 'huey_schedule', 'huey_kv'):
        db.execute_sql(f'DROP TABLE IF EXISTS "{t}"')
