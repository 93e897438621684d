from peewee import CharField, DateTimeField, IntegerField, TextField

from .. import clock
from .base import Immutable


class AuditRecord(Immutable):
    """Append-only, hash-chained. `seq` is unique: two writers can never chain onto the same link."""
    seq = IntegerField(unique=True)
    at = DateTimeField(default=clock.now, index=True)
    actor_id = IntegerField(null=True, index=True)
    actor_name = CharField(max_length=64, default="")
    action = CharField(max_length=48, index=True)
    object_type = CharField(max_length=32, default="")
    object_id = CharField(max_length=64, default="")
    outcome = CharField(max_length=16, default="ok")
    detail = TextField(default="")
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64)
