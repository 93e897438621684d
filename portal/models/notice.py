from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from .. import clock
from .base import BaseModel
from .org import User


class Notice(BaseModel):
    """An in-app notice for one person (the bell). Areas create them through portal.notify."""
    user = ForeignKeyField(User, backref="notices", on_delete="CASCADE")
    kind = CharField(max_length=32)  # deadline, returned, clue_assigned, report_due, draw ...
    text = TextField()
    url = CharField(max_length=255, default="")
    dedupe_key = CharField(max_length=128, null=True)  # one notice per (user, key)
    created_at = DateTimeField(default=clock.now, index=True)
    read_at = DateTimeField(null=True)
    emailed = BooleanField(default=False)

    class Meta:
        indexes = ((("user", "read_at"), False), (("user", "dedupe_key"), True))
