"""Migrations bring an empty database to the newest version; every model's table and columns exist."""
from peewee import Model

from portal import db as portal_db
from portal.extensions import db
from portal.models.base import BaseModel
from tests.conftest import _drop_everything


def _all_models():
    seen, stack = [], list(BaseModel.__subclasses__())
    while stack:
        m = stack.pop()
        if m not in seen:
            seen.append(m)
            stack.extend(m.__subclasses__())
    return [m for m in seen if issubclass(m, Model) and not m.__name__ == "Immutable"]


def test_empty_to_newest_and_models_match(app):
    with app.app_context():
        with db.connection_context():
            _drop_everything()
            assert db.get_tables() == []
        applied = portal_db.upgrade()
        assert applied[0].startswith("0001") and applied == sorted(applied)
        assert portal_db.upgrade() == []  # idempotent
        with db.connection_context():
            tables = set(db.get_tables())
            for model in _all_models():
                name = model._meta.table_name
                assert name in tables, f"no migration creates table {name}"
                cols = {c.name for c in db.get_columns(name)}
                for field in model._meta.sorted_fields:
                    assert field.column_name in cols, f"{name}.{field.column_name} missing from migrations"


def test_init_db_command_on_fresh_database(app, runner):
    with app.app_context():
        with db.connection_context():
            _drop_everything()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "0001_foundation" in result.output
    result = runner.invoke(args=["db-upgrade"])
    assert "已应用迁移 0 个" in result.output
