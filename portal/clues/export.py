"""The clue ledger (问题线索台账) as .xlsx: the page's filters, inside scope_clues(user), in paper layout.

What the file may hold is what the ledger page shows: number, day, channel, the subject as recorded
against an account, category, status, disposal, handler, deadline. Never the reporter's identity, the
tip's content, messages or file names: the sealed columns are not even read (the query below does not
decrypt anything)."""
from flask import request
from flask_login import current_user

from .. import audit, clock, uploads, xlsx
from ..errors import Invalid
from ..models import Category, Department, Item, User
from ..models.tip import Clue
from ..permissions import require
from . import bp, queries
from .forms import FilterForm

HEADERS = ["序号", "线索编号", "收到日期", "来源", "被反映人", "被反映人单位", "问题类别", "状态", "核查结论",
           "处置方式", "承办人", "承办部门", "时限", "是否超期"]
WIDTHS = [6, 14, 11, 10, 10, 14, 14, 8, 10, 10, 10, 14, 11, 8]
EXPORT_LIMIT = 50_000


def rows_of(clues):
    """The rows, with names looked up in three queries (not three per clue)."""
    clues = list(clues)
    people = _names(User, User.real_name, {c.subject_user_id for c in clues} | {c.handler_id for c in clues})
    depts = _names(Department, Department.name,
                   {c.subject_department_id for c in clues} | {c.handler_department_id for c in clues})
    items = {}
    ids = [i for i in {c.item_id for c in clues} if i]
    if ids:
        items = {i: f"{name}·{seq}" for i, seq, name in
                 Item.select(Item.id, Item.seq, Category.name).join(Category).where(Item.id.in_(ids)).tuples()}
    for n, c in enumerate(clues, 1):
        yield [n, c.number, c.tip.received_on.isoformat(), c.channel_label,
               people.get(c.subject_user_id, "待认定"), depts.get(c.subject_department_id, ""),
               items.get(c.item_id, "其他"), c.status_label, c.conclusion_label, c.disposal_label,
               people.get(c.handler_id, ""), depts.get(c.handler_department_id, ""),
               c.due.isoformat() if c.due else "", "超期" if c.is_overdue else ""]


def _names(model, column, ids):
    ids = [i for i in ids if i]
    return dict(model.select(model.id, column).where(model.id.in_(ids)).tuples()) if ids else {}


@bp.route("/export.xlsx")
@require("clues.view")
def export():
    form = FilterForm(request.args)
    form.category.choices = queries.category_choices()
    form.handler.choices = queries.handler_filter_choices(current_user)
    f = {k: v for k, v in form.data.items() if v not in (None, "", 0) and k != "page"} if form.validate() else {}
    query = queries.filtered(current_user, f).order_by(Clue.id)
    total = query.count()
    if total > EXPORT_LIMIT:
        raise Invalid(f"符合条件的线索有 {total} 条，超过一次导出的上限 {EXPORT_LIMIT} 条，请增加筛选条件。")
    today = clock.today().isoformat()
    data = xlsx.simple("问题线索台账", HEADERS, rows_of(query.iterator()), WIDTHS,
                       title=f"问题线索台账（{today}）", note=xlsx.form_note(form) if f else "")
    audit.record("clue_export", "clue", "", detail={"filters": {k: str(v) for k, v in f.items()}, "rows": total})
    return uploads.download(data, f"问题线索台账-{today}.xlsx", "xlsx")

