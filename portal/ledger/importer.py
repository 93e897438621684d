"""Import of an existing Excel 整改台账: the layout export.py writes (title row, header row, the ledger
columns), optionally with a 编号 column. The whole file is checked first; any row error (row number,
column, reason in Chinese) and nothing is written. A row's stable key (its 编号, or a hash of
department, person, item and description) is stored in Problem.origin, and a row already in the ledger
(same key, or the same department, person, item and description) is skipped: a re-import of the same
file creates no duplicates. Cells are read as stored: a formula (`=…`) is text, never evaluated."""
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

from .. import audit, clock, problems
from ..extensions import db
from ..models import SEVERITIES, SOURCES, STATUSES, Campaign, Department, Item, Problem, User
from ..models.ledger import ACTION_KINDS, ProblemAction
from ..permissions import scope_entry_departments
from .table import COLUMNS

MAX_ROWS = 2000
REQUIRED = ("责任单位", "问题描述")
KNOWN = set(COLUMNS) | {"编号"}
SOURCE_BY_LABEL = {v: k for k, v in SOURCES.items()} | {"自查（主动查摆）": "selfcheck", "自查从宽": "selfcheck"}
SEVERITY_BY_LABEL = {v: k for k, v in SEVERITIES.items()}
STATUS_BY_LABEL = {v: k for k, v in STATUSES.items()}
ACTION_BY_LABEL = {v: k for k, v in ACTION_KINDS.items()}
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a ledger, no header, too many rows)."""


@dataclass
class Row:
    no: int  # the row number in Excel
    values: dict  # column title -> text (or date)
    fields: dict = field(default_factory=dict)
    actions: list = field(default_factory=list)
    key: str = ""


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).split()) if not isinstance(v, str) else v.strip()


def read(data: bytes) -> list[Row]:
    """The data rows below the header (found among the first 5 rows by its 问题描述 cell)."""
    from openpyxl import load_workbook
    try:  # data_only=False: a formula cell gives its formula text, nothing is calculated
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file problem, not a 500
        raise ImportFileError("无法读取该 Excel 文件，请确认是 .xlsx 格式的台账。")
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header, head_no = None, 0
    for no, r in enumerate(rows, 1):
        cells = [_text(c) for c in r]
        if "问题描述" in cells:
            header, head_no = cells, no
            break
        if no >= 5:
            break
    if header is None:
        raise ImportFileError("未找到表头：前 5 行中应有“问题描述”“责任单位”等列（可下载导入模板对照）。")
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise ImportFileError(f"表头缺少必填列：{'、'.join(missing)}。")
    cols = {i: h for i, h in enumerate(header) if h in KNOWN}
    out = []
    for no, r in enumerate(rows, head_no + 1):
        values = {h: (r[i] if i < len(r) else None) for i, h in cols.items()}
        if all(_text(v) == "" for v in values.values()):
            continue
        out.append(Row(no, values))
        if len(out) > MAX_ROWS:
            raise ImportFileError(f"一次最多导入 {MAX_ROWS} 行，请分批导入。")
    wb.close()
    if not out:
        raise ImportFileError("文件中没有可导入的数据行。")
    return out


def _date(v):
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    m = DATE_RE.match(_text(v))
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


class _Lookup:
    """Departments, people and items, loaded once for the whole file."""

    def __init__(self, user):
        self.allowed = dict(Department.select(Department.name, Department.id)
                            .where(scope_entry_departments(user) & (Department.is_active == True))  # noqa: E712
                            .tuples())
        self.all_names = {n for (n,) in Department.select(Department.name).tuples()}
        self.people = {}
        for uid, name, did in (User.select(User.id, User.real_name, User.department)
                               .where(User.is_active_flag == True).tuples()):  # noqa: E712
            self.people.setdefault((did, name), []).append(uid)
        self.campaign = Campaign.active()
        self.items = {it.seq: it for it in Item.select().where(
            Item.campaign == (self.campaign.id if self.campaign else 0))}


def _check_row(row: Row, look: _Lookup, err):
    v = {k: _text(x) if k not in ("整改时限",) else x for k, x in row.values.items()}
    f = row.fields
    src = v.get("问题来源", "")
    f["source"] = SOURCE_BY_LABEL.get(src, "other" if not src else None)
    if f["source"] is None:
        err("问题来源", f"“{src[:20]}”不是可选的来源（{'、'.join(SOURCES.values())}）")
    f["self_reported"] = f["source"] == "selfcheck"
    dname = v.get("责任单位", "")
    f["department"] = look.allowed.get(dname)
    if not dname:
        err("责任单位", "不能为空")
    elif f["department"] is None:
        err("责任单位", f"“{dname[:30]}”不在您可登记的范围内" if dname in look.all_names
            else f"系统中没有名为“{dname[:30]}”的单位")
    pname = v.get("责任人", "")
    f["person"] = None
    if pname and f["department"]:
        ids = look.people.get((f["department"], pname), [])
        if not ids:
            err("责任人", f"“{dname}”中没有名为“{pname[:20]}”的在职人员")
        elif len(ids) > 1:
            err("责任人", f"“{dname}”中有 {len(ids)} 人名为“{pname[:20]}”，请在系统中手工登记")
        else:
            f["person"] = ids[0]
    cat = v.get("问题类别", "")
    f["item"] = None
    if cat:
        m = re.match(r"^(?:(\S+?)\s+)?(\d{1,3})\s*[.．、]?", cat)
        it = look.items.get(int(m.group(2))) if m else None
        if it is None or (m.group(1) and m.group(1) != it.category.name):
            err("问题类别", f"“{cat[:30]}”不是本次活动清单中的问题项（应如“{_example(look)}”）")
        else:
            f["item"] = it.id
    desc = v.get("问题描述", "")
    if not 4 <= len(desc) <= 4000:
        err("问题描述", "应为 4–4000 字")
    f["description"] = desc
    sev = v.get("严重程度", "")
    f["severity"] = SEVERITY_BY_LABEL.get(sev, "general" if not sev else None)
    if f["severity"] is None:
        err("严重程度", f"“{sev[:20]}”不是可选值（{'、'.join(SEVERITIES.values())}）")
    f["measures"] = v.get("整改措施", "")[:4000]
    raw_dl = row.values.get("整改时限")
    f["deadline"] = _date(raw_dl) if _text(raw_dl) else None
    if _text(raw_dl) and f["deadline"] is None:
        err("整改时限", f"“{_text(raw_dl)[:20]}”不是有效日期（应如 2026-12-31）")
    st = re.sub(r"（[^）]*）", "", v.get("整改状态", "")).strip()  # "待整改（逾期）", "已整改（待验收）"
    f["status"] = STATUS_BY_LABEL.get(st, "pending" if not st else None)
    if f["status"] is None:
        err("整改状态", f"“{st[:20]}”不是可选值（{'、'.join(STATUSES.values())}）")
    closing = v.get("销号情况", "")
    if f["status"] == "closed":
        m = re.search(r"(\d{4}-\d{1,2}-\d{1,2})", closing)
        d = _date(m.group(1)) if m else None
        f["closed_at"] = dt.datetime.combine(d, dt.time(12)) if d else clock.now()
    for part in filter(None, re.split(r"[；;]", v.get("处理方式", ""))):
        m = re.match(r"^\s*(\S+?)\s*(\d{4}-\d{1,2}-\d{1,2})?\s*$", part)
        kind = ACTION_BY_LABEL.get(m.group(1)) if m else None
        if kind is None:
            err("处理方式", f"“{part[:20]}”应为“通报/提醒/约谈 日期”")
        else:
            row.actions.append((kind, _date(m.group(2)) if m.group(2) else clock.today()))
    remark = [s for s in re.split(r"[；;]", v.get("备注", "")) if s.strip()]
    f["fixed_at_once"] = "立行立改" in remark
    f["remark"] = "；".join(s for s in remark if s != "立行立改")[:1000]
    number = v.get("编号", "")
    basis = f"no|{number}" if number else "|".join(
        str(x) for x in (f["department"], f["person"], f["item"], " ".join(desc.split())))
    row.key = "import:" + hashlib.sha1(basis.encode()).hexdigest()


def _example(look) -> str:
    it = look.items.get(1)
    return f"{it.category.name} 1" if it else "1"


def check(user, rows: list[Row]) -> list[tuple[int, str, str]]:
    """Check every row; [(row number, column, reason)], empty when the whole file is valid."""
    look = _Lookup(user)
    errors = []
    if look.campaign is None:
        return [(rows[0].no, "问题类别", "尚未载入活动清单，无法导入")]
    for row in rows:
        _check_row(row, look, lambda col, why, n=row.no: errors.append((n, col, why)))
    return errors


def _exists(row: Row) -> bool:
    f = row.fields
    same = ((Problem.department == f["department"]) & (Problem.description == f["description"])
            & (Problem.withdrawn == False))  # noqa: E712
    same &= Problem.person.is_null() if f["person"] is None else (Problem.person == f["person"])
    same &= Problem.item.is_null() if f["item"] is None else (Problem.item == f["item"])
    return Problem.select().where((Problem.origin == row.key) | same).exists()


def write(user, rows: list[Row], filename: str = "") -> tuple[int, int]:
    """Write every valid row not yet in the ledger, in one transaction; (created, skipped)."""
    created = skipped = 0
    seen = set()
    campaign = Campaign.active()
    with db.atomic():
        for row in rows:
            if row.key in seen or _exists(row):
                skipped += 1
                continue
            seen.add(row.key)
            p = problems.create(actor=user, note=f"导入台账第 {row.no} 行", campaign=campaign.id,
                                origin=row.key, **row.fields)
            for kind, date in row.actions:
                a = ProblemAction.create(problem=p, kind=kind, date=date, by=user, note="导入台账")
                problems.add_event(p, user, "action", note=f"{ACTION_KINDS[kind]}（导入）", action_id=a.id,
                                   action_kind=kind, date=date.isoformat())
            created += 1
        audit.record("ledger_import", "problem", "", actor=user,
                     detail={"file": filename[:80], "rows": len(rows), "created": created, "skipped": skipped})
    return created, skipped
