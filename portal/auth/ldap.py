"""Sign-in with the bureau's directory (OpenLDAP or Active Directory, issue 18 §4), optional: on while
LDAP_URL is set in instance/config.py.

A name typed on the sign-in page is looked up with the service account (LDAP_BIND_DN, or anonymously) under
LDAP_BASE_DN with LDAP_USER_FILTER, then the password is checked by binding as the entry found. The entry is
matched to a portal account by username or employee number (LDAP_MATCH / LDAP_MATCH_ATTRIBUTE). The
account's lockout, the per-address limit and the audit records are those of local passwords; the password
itself is never stored. With LDAP_DEPARTMENT_ATTRIBUTE set, the directory's department (by name) is taken
on an account's first sign-in, and a person with no portal account yet gets one (role 干部职工).

The three administrators (sysadmin, secadmin, auditor) always sign in with their local password: a
directory entry is never used for their accounts. A directory that cannot be reached answers 503 with a
Chinese message; nothing is written but the audit record.
"""
import logging
import secrets
from dataclasses import dataclass

from flask import current_app, g
from ldap3 import NONE, SUBTREE, Connection, Server
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from .. import audit
from ..extensions import db
from ..models import Department, User
from ..permissions import ADMIN_ROLES
from . import attempts

log = logging.getLogger(__name__)

DOWN_MESSAGE = "统一身份认证服务暂时无法连接，请稍后再试；如急需登录，请联系系统管理员。"
NO_ACCOUNT = "统一身份认证已通过，但门户中还没有您的账号，请联系系统管理员开通。"
DISABLED = "该账号已停用，请联系系统管理员。"
MANAGED = "您的密码由单位统一身份认证系统管理，请在该系统中修改。"
VIA = "directory"


class DirectoryDown(Exception):
    """The directory could not be reached, or refused the service account."""


@dataclass
class Entry:
    dn: str
    key: str  # the value of LDAP_MATCH_ATTRIBUTE
    name: str
    department: str


def enabled() -> bool:
    return bool(current_app.config.get("LDAP_URL"))


def local_only(user) -> bool:
    """Accounts that never sign in through the directory: the three administrators'."""
    return bool(user.roles & ADMIN_ROLES)


def _cfg(key):
    return current_app.config.get(key)


def _connection(dn=None, password=None) -> Connection:
    timeout = int(_cfg("LDAP_TIMEOUT_SECONDS") or 5)
    server = Server(_cfg("LDAP_URL"), connect_timeout=timeout, get_info=NONE)
    return Connection(server, user=dn or None, password=password or None, receive_timeout=timeout,
                      raise_exceptions=False, read_only=True)


def _first(entry, attr) -> str:
    if not attr or attr not in entry.entry_attributes:
        return ""
    value = entry[attr].value
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def find(username: str) -> Entry | None:
    """The one directory entry for the name typed, or None (no entry, or more than one)."""
    match_attr, name_attr = _cfg("LDAP_MATCH_ATTRIBUTE") or "uid", _cfg("LDAP_NAME_ATTRIBUTE") or "cn"
    dept_attr = _cfg("LDAP_DEPARTMENT_ATTRIBUTE") or ""
    flt = (_cfg("LDAP_USER_FILTER") or "(uid={username})").replace("{username}", escape_filter_chars(username))
    conn = _connection(_cfg("LDAP_BIND_DN"), _cfg("LDAP_BIND_PASSWORD"))
    try:
        if not conn.bind():
            log.error("LDAP service bind refused: %s", conn.result)
            raise DirectoryDown("service bind refused")
        ok = conn.search(_cfg("LDAP_BASE_DN") or "", flt, SUBTREE, size_limit=2,
                         attributes=[a for a in (match_attr, name_attr, dept_attr) if a])
        code = conn.result.get("result") if conn.result else 0
        if not ok and code not in (0, 4):  # 4: size limit (more than one entry), treated as none
            log.error("LDAP search failed: %s", conn.result)
            raise DirectoryDown("search failed")
        entries = list(conn.entries)
    except LDAPException as e:
        raise DirectoryDown(str(e)) from e
    finally:
        try:
            conn.unbind()
        except LDAPException:
            pass
    if len(entries) != 1:
        return None
    e = entries[0]
    return Entry(dn=e.entry_dn, key=_first(e, match_attr), name=_first(e, name_attr),
                 department=_first(e, dept_attr))


def bind_as(dn: str, password: str) -> bool:
    """Whether the directory accepts the password for the entry (an empty one never: that would be an
    unauthenticated bind, which succeeds)."""
    if not password:
        return False
    conn = _connection(dn, password)
    try:
        return bool(conn.bind())
    except LDAPException as e:
        raise DirectoryDown(str(e)) from e
    finally:
        try:
            conn.unbind()
        except LDAPException:
            pass


def account_for(entry: Entry) -> User | None:
    if not entry.key:
        return None
    field = User.employee_no if _cfg("LDAP_MATCH") == "employee_no" else User.username
    return User.get_or_none(field == entry.key)


def _directory_department(entry: Entry):
    if not (_cfg("LDAP_DEPARTMENT_ATTRIBUTE") and entry.department):
        return None
    return Department.get_or_none((Department.name == entry.department) & (Department.is_active == True))  # noqa: E712


def _open_account(username: str, entry: Entry) -> User | None:
    """First sign-in of someone the portal does not know yet, when the directory names their department."""
    from ..accounts import create_user
    from ..passwords import hash_password
    dept = _directory_department(entry)
    if dept is None:
        return None
    by_employee = _cfg("LDAP_MATCH") == "employee_no"
    name = username if by_employee else entry.key
    if User.select().where(User.username == name).exists():
        return None
    extra = {"employee_no": entry.key} if by_employee else {}
    with db.atomic():
        # a random local password nobody knows: the account signs in through the directory only
        user = create_user(name, (entry.name or name)[:32], dept, None, roles=("staff",), must_change=False,
                           password_hash=hash_password(secrets.token_urlsafe(32)), **extra)
        audit.record("ldap_account_open", "user", user.id, actor=user,
                     detail={"username": name, "department": dept.name})
    return user


def _first_sign_in_department(user: User, entry: Entry) -> None:
    if user.last_login_at is not None:
        return
    dept = _directory_department(entry)
    if dept is None or dept.id == user.department_id:
        return
    with db.atomic():
        old = user.department_id
        User.update(department=dept.id).where(User.id == user.id).execute()
        audit.record("department_change", "user", user.id, actor=user,
                     detail={"from": old, "to": dept.id, "source": VIA})
    user.department = dept


def _down(slot, username, user=None):
    if slot is not None:
        slot.give_back()
    if user is not None:
        attempts.give_back(user)
    audit.record("login_failed", "user", user.id if user else username[:64], outcome="error",
                 actor=user, detail="directory_down")
    return DOWN_MESSAGE, 503


def check(username: str, password: str, slot):
    """The directory's answer for a sign-in: the User, or (message, status) like views.check_password."""
    try:
        entry = find(username)
    except DirectoryDown:
        return _down(slot, username)
    user = account_for(entry) if entry else None
    if entry is None:
        return attempts.unknown_name_try(username, password), 401
    if user is not None and local_only(user):  # an administrator's account: never through the directory
        return attempts.unknown_name_try(username, password, detail="admin_local_only"), 401
    if user is None:
        if attempts.name_locked(username):
            return attempts.unknown_name_try(username, password), 401
        try:
            ok = bind_as(entry.dn, password)
        except DirectoryDown:
            return _down(slot, username)
        if not ok:
            return attempts.unknown_name_try(username, password), 401
        user = _open_account(username, entry)
        if user is None:
            audit.record("login_failed", "user", username[:64], outcome="refused", detail="no_account")
            return NO_ACCOUNT, 403
    else:
        n = attempts.reserve(user)
        if n is None:
            return attempts.refused(user), 401
        try:
            ok = bind_as(entry.dn, password)
        except DirectoryDown:
            return _down(slot, username, user)
        if not ok:
            locked = attempts.fail(user, n, detail={"via": VIA})
            return (attempts.just_locked_message() if locked else attempts.GENERIC_FAIL), 401
        _first_sign_in_department(user, entry)
    if slot is not None:
        slot.give_back()
    if not user.is_active:
        attempts.give_back(user)
        audit.record("login_failed", "user", user.id, outcome="disabled", actor=user)
        return DISABLED, 401
    if user.must_change_password:  # an initial local password means nothing here: the directory's is used
        User.update(must_change_password=False).where(User.id == user.id).execute()
        user.must_change_password = False
    g.login_via = VIA
    return user
