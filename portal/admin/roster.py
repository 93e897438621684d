"""The staff roster as an .xlsx workbook: the blank template, the all-or-nothing import with a
row-by-row list of problems, the import result (one-time passwords) and the export.

Columns (row 1, any order): 登录名 姓名 工号 部门 职务 手机号 角色.
"""
import io
import re
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from peewee import IntegrityError, fn

from .. import audit, uploads, xlsx
from ..extensions import db
from ..models import Department, RoleAssignment, User
from ..passwords import generate_password
from ..permissions import ROLES, RoleConflict, check_role_set, scope_users
from ..permissions import ADMIN_ROLES
from .service import EMAIL_RE, MOBILE_RE, USERNAME_RE, attach_roles, normalise_phone

HEADERS = ["登录名", "姓名", "工号", "部门", "职务", "手机号", "邮箱", "角色"]
FIELDS = ["username", "real_name", "employee_no", "department", "title", "phone", "email", "roles"]
REQUIRED = {"登录名", "姓名", "部门"}
OPTIONAL_COLUMNS = {"邮箱"}  # added later: rosters filled in on the older template still import
MAX_ROWS = 2000
MAX_SCAN_ROWS = 10 * MAX_ROWS  # rows read at most, blank ones included
MAX_COLUMNS = 64
MAX_UNZIPPED = 50 * 1024 * 1024  # a 2,000-row roster expands to well under 2 MB
ROLE_SEP = "、"

# what people write in the 角色 column, beyond the exact labels and codes
ROLE_ALIASES = {
    "职工": "staff", "干部": "staff", "科室负责人": "dept_head", "单位负责人": "dept_head",
    "事业单位负责人": "dept_head", "科长": "dept_head", "分管领导": "leader", "局长": "chief",
    "组长": "chief", "纪委": "discipline", "领导小组办公室": "discipline", "文书": "clerk",
    "明察暗访": "inspector", "系统管理": "sysadmin", "安全管理": "secadmin", "审计管理": "auditor",
}


@dataclass
class RowError:
    row: int | None  # spreadsheet row number (1 = header); None = the file as a whole
    column: str
    message: str


@dataclass
class RosterRow:
    row: int
    username: str = ""
    real_name: str = ""
    employee_no: str = ""
    department: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""
    roles_text: str = ""
    roles: set = field(default_factory=set)
    dept: Department | None = None


@dataclass
class ImportResult:
    errors: list
    rows: int = 0
    created: list = field(default_factory=list)  # [(RosterRow, password)]

    @property
    def ok(self):
        return not self.errors


# --- reading -----------------------------------------------------------------------------------

def cell_text(value) -> str:
    """A cell as text: numbers typed into Excel come back as int/float (13800001234.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_roles(text: str) -> tuple[set, list]:
    """(role codes, unknown words). Labels may themselves contain 、, so they are matched whole first."""
    text = (text or "").replace("(", "（").replace(")", "）").strip()
    names = {label: code for code, label in ROLES.items()}
    names.update(ROLE_ALIASES)
    for label in sorted(names, key=len, reverse=True):
        text = text.replace(label, f" {names[label]} ")
    roles, unknown = set(), []
    for token in re.split(r"[、,，;；/\s]+", text):
        if not token:
            continue
        if token in ROLES:
            roles.add(token)
        else:
            unknown.append(token)
    return roles, unknown


def read_rows(data: bytes) -> tuple[list, list]:
    """Rows of the first sheet, and errors about the file's shape (not its content). The archive's
    expanded size is checked before openpyxl opens it (a zip bomb is refused unread), the sheet is
    streamed (read-only) and reading stops after MAX_SCAN_ROWS rows and MAX_COLUMNS columns."""
    if uploads.detect(data) != "xlsx":
        return [], [RowError(None, "", "文件不是有效的 Excel 工作簿（.xlsx），请使用下载的模板填写")]
    try:
        uploads.check_zip(data, "花名册", max_total=MAX_UNZIPPED, max_entries=500)
    except uploads.UploadError as e:
        return [], [RowError(None, "", str(e))]
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is the same answer to the user
        return [], [RowError(None, "", "文件不是有效的 Excel 工作簿（.xlsx），请使用下载的模板填写")]
    try:
        ws = wb.worksheets[0]
        rows_iter = ws.iter_rows(values_only=True, max_row=MAX_SCAN_ROWS + 1, max_col=MAX_COLUMNS)
        header = next(rows_iter, None)
        if not header:
            return [], [RowError(1, "", "工作表为空：第 1 行应为列标题")]
        names = [cell_text(h) for h in header]
        missing = [h for h in HEADERS if h not in names and h not in OPTIONAL_COLUMNS]
        if missing:
            return [], [RowError(1, h, "缺少此列（请使用下载的模板，勿修改第 1 行列标题）") for h in missing]
        index = {h: names.index(h) for h in HEADERS if h in names}
        rows = []
        for n, values in enumerate(rows_iter, start=2):
            if n > MAX_SCAN_ROWS:
                return [], [RowError(None, "", f"工作表超过 {MAX_SCAN_ROWS} 行（含空行），请删除多余的行后再导入")]
            values = list(values or ())
            texts = {h: cell_text(values[index[h]]) if h in index and index[h] < len(values) else ""
                     for h in HEADERS}
            if not any(texts.values()):
                continue  # blank line
            if len(rows) >= MAX_ROWS:
                return [], [RowError(None, "", f"一次最多导入 {MAX_ROWS} 行，请分批导入")]
            rows.append(RosterRow(
                row=n, username=texts["登录名"], real_name=texts["姓名"], employee_no=texts["工号"],
                department=texts["部门"], title=texts["职务"], phone=normalise_phone(texts["手机号"]),
                email=texts["邮箱"], roles_text=texts["角色"]))
        if not rows:
            return [], [RowError(None, "", "文件中没有人员数据（第 2 行起填写，每人一行）")]
        return rows, []
    finally:
        wb.close()


# --- validation --------------------------------------------------------------------------------

def validate(rows: list) -> list:
    """Every problem of every row, against the file itself and the database."""
    errors = []

    def err(r, col, msg):
        errors.append(RowError(r.row, col, msg))

    departments = {d.name: d for d in Department.select()}
    usernames = [r.username.lower() for r in rows if r.username]
    taken_users = set()
    taken_nos = set()
    for i in range(0, len(usernames), 500):
        chunk = usernames[i:i + 500]
        taken_users |= {u.lower() for (u,) in User.select(User.username)
                        .where(fn.LOWER(User.username).in_(chunk)).tuples()}
    nos = [r.employee_no for r in rows if r.employee_no]
    for i in range(0, len(nos), 500):
        taken_nos |= {n for (n,) in User.select(User.employee_no)
                      .where(User.employee_no.in_(nos[i:i + 500])).tuples()}
    seen_user: dict = {}
    seen_no: dict = {}
    for r in rows:
        # 登录名
        if not r.username:
            err(r, "登录名", "不能为空")
        elif not USERNAME_RE.match(r.username):
            err(r, "登录名", f"“{r.username}”不合规：须为 2–64 位字母、数字、点、下划线或短横线，以字母或数字开头")
        elif r.username.lower() in seen_user:
            err(r, "登录名", f"“{r.username}”与第 {seen_user[r.username.lower()]} 行重复")
        elif r.username.lower() in taken_users:
            err(r, "登录名", f"“{r.username}”已被现有账号使用")
        if r.username:
            seen_user.setdefault(r.username.lower(), r.row)
        # 姓名
        if not r.real_name:
            err(r, "姓名", "不能为空")
        elif len(r.real_name) > 32:
            err(r, "姓名", "最多 32 字")
        # 工号
        if r.employee_no:
            if len(r.employee_no) > 32:
                err(r, "工号", "最多 32 位")
            elif r.employee_no in seen_no:
                err(r, "工号", f"“{r.employee_no}”与第 {seen_no[r.employee_no]} 行重复")
            elif r.employee_no in taken_nos:
                err(r, "工号", f"“{r.employee_no}”已被现有人员使用")
            seen_no.setdefault(r.employee_no, r.row)
        # 部门
        if not r.department:
            err(r, "部门", "不能为空")
        else:
            d = departments.get(r.department)
            if d is None:
                err(r, "部门", f"部门“{r.department}”不存在，请先在部门管理中建立")
            elif not d.is_active:
                err(r, "部门", f"部门“{r.department}”已停用")
            else:
                r.dept = d
        # 职务
        if len(r.title) > 64:
            err(r, "职务", "最多 64 字")
        # 手机号
        if r.phone and not MOBILE_RE.match(r.phone):
            err(r, "手机号", f"“{r.phone}”不是 11 位大陆手机号码")
        # 邮箱
        if r.email and (len(r.email) > 128 or not EMAIL_RE.match(r.email)):
            err(r, "邮箱", f"“{r.email[:40]}”不是有效的电子邮箱地址")
        # 角色
        roles, unknown = parse_roles(r.roles_text)
        if unknown:
            err(r, "角色", f"未知角色：{'、'.join(unknown)}")
        else:
            r.roles = roles or {"staff"}
            try:
                check_role_set(r.roles)
            except RoleConflict as e:
                err(r, "角色", str(e))
            else:
                if r.roles & ADMIN_ROLES:  # 三员分立: administrator roles come from the secadmin only
                    err(r, "角色", "三员分立：管理员角色须由安全管理员在“角色管理”中授予，不能从花名册导入")
    return errors


# --- import ------------------------------------------------------------------------------------

# One-time passwords are 14 random characters (~86 bits): their strength is in the randomness, not in
# the hash's cost, and each must be replaced at first login (then hashed with the full parameters).
# A lighter Argon2id keeps a 500-row import to seconds instead of minutes at the production cost.
_ONE_TIME_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def hash_one_time(password: str) -> str:
    return _ONE_TIME_HASHER.hash(password)


def import_roster(data: bytes, actor, filename: str = "") -> ImportResult:
    """All rows or none. Passwords are hashed before the write transaction, which stays short."""
    rows, errors = read_rows(data)
    if not errors:
        errors = validate(rows)
    if errors:
        audit.record("roster_import", "roster", filename[:64], outcome="refused", actor=actor,
                     detail={"rows": len(rows), "errors": len(errors)})
        return ImportResult(errors=errors, rows=len(rows))
    prepared = []
    for r in rows:
        password = generate_password()
        prepared.append((r, password, hash_one_time(password)))
    try:
        with db.atomic():
            for r, _pw, hashed in prepared:
                user = User.create(username=r.username, real_name=r.real_name, department=r.dept,
                                   employee_no=r.employee_no or None, title=r.title, phone=r.phone,
                                   email=r.email, password_hash=hashed, must_change_password=True)
                audit.record("user_create", "user", user.id, actor=actor,
                             detail={"username": r.username, "source": "roster"})
                for role in sorted(r.roles):
                    RoleAssignment.create(user=user, role=role)
                    audit.record("role_grant", "user", user.id, actor=actor, detail={"role": role})
            audit.record("roster_import", "roster", filename[:64], actor=actor, detail={"rows": len(rows)})
    except IntegrityError:
        # someone created a clashing account between validation and write: nothing was imported
        audit.record("roster_import", "roster", filename[:64], outcome="failed", actor=actor,
                     detail={"rows": len(rows), "reason": "integrity"})
        return ImportResult(errors=[RowError(None, "", "导入时发现登录名或工号与刚创建的账号冲突，未导入任何人员，请重新上传")],
                            rows=len(rows))
    return ImportResult(errors=[], rows=len(rows), created=[(r, pw) for r, pw, _h in prepared])


# --- workbooks ---------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B3241B")
WIDTHS = [16, 12, 12, 22, 18, 15, 26, 28]


def _sheet(ws, headers, widths):
    xlsx.header(ws, 1, headers, widths, font=HEADER_FONT, fill=HEADER_FILL)
    xlsx.print_setup(ws)
    return ws


def _bytes(wb) -> bytes:
    return xlsx.to_bytes(wb)  # formula-like text stays text


def template_bytes() -> bytes:
    """The blank roster: the header row, text-formatted number columns, a 部门 drop-down, instructions."""
    wb = xlsx.new_workbook()
    ws = _sheet(wb.active, HEADERS, WIDTHS)
    ws.title = "花名册"
    for col in ("A", "C", "F"):  # keep leading zeros and long digit strings as typed
        for row in range(2, 502):
            ws[f"{col}{row}"].number_format = "@"
    names = [d.name for d in Department.select().where(Department.is_active == True)  # noqa: E712
             .order_by(Department.sort_order, Department.name)]
    if names:
        lists = wb.create_sheet("部门列表")
        for n in names:
            lists.append([n])
        lists.sheet_state = "hidden"
        dv = DataValidation(type="list", formula1=f"'部门列表'!$A$1:$A${len(names)}", allow_blank=True,
                            showErrorMessage=True, errorTitle="部门不存在", error="请从下拉列表中选择部门")
        ws.add_data_validation(dv)
        dv.add("D2:D1000")
    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 90
    notes.append(["列", "说明"])
    for h, text in [
        ("登录名", "必填。2–64 位字母、数字、点、下划线或短横线，以字母或数字开头；不得与现有账号或本表其他行重复。"),
        ("姓名", "必填，最多 32 字。"),
        ("工号", "选填；填写时不得与现有人员或本表其他行重复。"),
        ("部门", "必填，须为系统中已有的在用部门名称（可从下拉列表选择）。"),
        ("职务", "选填，如：科长、一级主任科员。"),
        ("手机号", "选填；填写时须为 11 位大陆手机号码。"),
        ("邮箱", "选填；接收系统通知邮件的电子邮箱地址。"),
        ("角色", "选填，不填视为“干部职工”；多个角色以“、”或“，”分隔。可填："
                 + "；".join(ROLES.values()) + "。系统管理员、安全管理员、审计管理员三员分立，不得兼任其他角色。"),
        ("导入规则", "整表校验：任一行有误则整表不导入，并逐行列出问题。导入成功后每人生成一次性初始密码，首次登录须修改。"),
    ]:
        notes.append([h, text])
    for c in notes[1]:
        c.font = Font(bold=True)
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return _bytes(wb)


def roles_text(roles) -> str:
    return ROLE_SEP.join(ROLES[r] for r in ROLES if r in roles)


def export_query(viewer):
    from ..models import Department as D
    return (User.select(User, D).join(D)
            .where(scope_users(viewer) & (User.is_active_flag == True))  # noqa: E712
            .order_by(D.sort_order, D.name, User.sort_name, User.username))


def export_bytes(viewer) -> tuple[bytes, int]:
    """The active people in the viewer's scope, in the template's columns (full phone numbers)."""
    users = attach_roles(list(export_query(viewer)))
    wb = xlsx.new_workbook()
    ws = _sheet(wb.active, HEADERS, WIDTHS)
    ws.title = "花名册"
    for u in users:
        ws.append([u.username, u.real_name, u.employee_no or "", u.department.name, u.title or "",
                   u.phone or "", u.email or "", roles_text(u.roles)])
    for row in ws.iter_rows(min_row=2):
        for i in (0, 2, 5):
            row[i].number_format = "@"
    audit.record("roster_export", "roster", "", actor=viewer, detail={"rows": len(users)})
    return _bytes(wb), len(users)


def result_bytes(created) -> bytes:
    """The import result: who was created and their one-time initial passwords."""
    wb = xlsx.new_workbook()
    ws = _sheet(wb.active, ["登录名", "姓名", "部门", "角色", "初始密码"], [16, 12, 22, 28, 20])
    ws.title = "初始密码"
    for r, pw in created:
        ws.append([r.username, r.real_name, r.department, roles_text(r.roles), pw])
    ws.append([])
    ws.append(["说明：初始密码仅此一次提供，请当面或以密封方式分发；首次登录须修改密码。"])
    return _bytes(wb)
