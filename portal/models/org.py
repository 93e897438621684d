"""The organisation: departments (a tree), people, their roles and the departments leaders are in charge of."""
import secrets

from flask_login import UserMixin
from peewee import (BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField)

from .. import clock
from .base import BaseModel

DEPARTMENT_KINDS = {
    "bureau": "局机关",
    "leadership": "局领导班子",
    "office": "科室",
    "unit": "事业单位",
}


class Department(BaseModel):
    name = CharField(max_length=64, unique=True)
    kind = CharField(max_length=16, default="office")
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    sort_order = IntegerField(default=0)
    is_active = BooleanField(default=True)

    @property
    def kind_label(self):
        return DEPARTMENT_KINDS.get(self.kind, self.kind)

    def __str__(self):
        return self.name


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, BaseModel):
    username = CharField(max_length=64, unique=True)
    real_name = CharField(max_length=32)
    employee_no = CharField(max_length=32, unique=True, null=True)
    department = ForeignKeyField(Department, backref="members", on_delete="RESTRICT")
    title = CharField(max_length=64, default="")  # 职务
    phone = CharField(max_length=32, default="")
    email = CharField(max_length=128, default="")  # notices are mailed here (else <username>@MAIL_DOMAIN)
    is_active_flag = BooleanField(default=True, column_name="is_active")
    password_hash = CharField(max_length=255, default="")
    must_change_password = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    last_login_at = DateTimeField(null=True)
    session_token = CharField(max_length=64, default=new_session_token)
    created_at = DateTimeField(default=clock.now)
    sort_name = CharField(max_length=160, default="", index=True)  # 拼音 key of real_name (migration 0040)

    def save(self, *args, **kwargs):
        # the key is computed only when the name is new or changed: a login's save of last_login_at must
        # not load pypinyin's dictionaries (~55 MB) into every web worker
        if not self.sort_name or "real_name" in self._dirty:
            from ..sorting import sort_name
            self.sort_name = sort_name(self.real_name)
        return super().save(*args, **kwargs)

    @classmethod
    def update(cls, *args, **values):
        """Every update that sets real_name also sets its 拼音 key — unless the key is given with it (as
        save() does, with every field: the key it carries is already right)."""
        data = dict(args[0]) if args and args[0] else {}
        named = {getattr(k, "name", k) for k in data} | set(values)
        if "real_name" in named and "sort_name" not in named:
            from ..sorting import sort_name
            if "real_name" in values:
                values["sort_name"] = sort_name(values["real_name"])
            else:
                name = next(v for k, v in data.items() if getattr(k, "name", k) == "real_name")
                data["sort_name"] = sort_name(name)
        if data:
            return super().update(data, **values)
        return super().update(**values)

    # Flask-Login ------------------------------------------------------
    @property
    def is_active(self):
        return bool(self.is_active_flag)

    def get_id(self):
        # the token changes at logout and password change, invalidating every copy of the cookie
        return f"{self.id}:{self.session_token}"

    # roles ------------------------------------------------------------
    @property
    def roles(self) -> frozenset:
        cached = self.__dict__.get("_roles")
        if cached is None:
            cached = frozenset(r.role for r in RoleAssignment.select(RoleAssignment.role)
                               .where(RoleAssignment.user == self.id))
            self.__dict__["_roles"] = cached
        return cached

    def forget_roles(self):
        self.__dict__.pop("_roles", None)
        self.__dict__.pop("_charge", None)

    def has_role(self, *names) -> bool:
        return bool(self.roles.intersection(names))

    @property
    def departments_in_charge(self) -> frozenset:
        cached = self.__dict__.get("_charge")
        if cached is None:
            cached = frozenset(c.department_id for c in LeaderCharge.select(LeaderCharge.department)
                               .where(LeaderCharge.leader == self.id))
            self.__dict__["_charge"] = cached
        return cached

    @property
    def phone_masked(self) -> str:
        p = self.phone or ""
        if len(p) >= 7:
            return p[:3] + "****" + p[-4:]
        return "****" if p else ""

    def __str__(self):
        return self.real_name


class RoleAssignment(BaseModel):
    user = ForeignKeyField(User, backref="role_rows", on_delete="CASCADE")
    role = CharField(max_length=16)

    class Meta:
        indexes = ((("user", "role"), True),)


class LeaderCharge(BaseModel):
    """A 分管局领导 and one department in their charge."""
    leader = ForeignKeyField(User, backref="charges", on_delete="CASCADE")
    department = ForeignKeyField(Department, backref="leaders", on_delete="CASCADE")

    class Meta:
        indexes = ((("leader", "department"), True),)
