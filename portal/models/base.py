from peewee import Model

from ..extensions import db


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Immutable(BaseModel):
    """Rows that are written once: updates and deletes through the ORM are refused."""

    def save(self, *args, **kwargs):
        if self._pk is not None and not kwargs.get("force_insert"):
            raise PermissionError(f"{type(self).__name__} records are append-only")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} records are append-only")

    @classmethod
    def update(cls, *args, **kwargs):
        raise PermissionError(f"{cls.__name__} records are append-only")

    @classmethod
    def delete(cls):
        raise PermissionError(f"{cls.__name__} records are append-only")
