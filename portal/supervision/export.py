"""督办 records as one .xlsx (portal/xlsx.py): 催办, 督办通知单 and 升级督办, each within the user's scope."""
from openpyxl.styles import Font
from peewee import JOIN

from .. import xlsx
from ..models import Department, Problem, User
from ..models.document import Document, DocumentProblem
from ..models.supervision import Escalation, Urge
from ..permissions import can, scope_problems, scope_users


def _sheet(wb, title, headers, widths, rows, first=False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.cell(row=1, column=1, value=title).font = Font(name="黑体", size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    xlsx.header(ws, 2, headers, widths)
    for r in rows:
        ws.append(list(r))
    xlsx.print_setup(ws, header_rows=2)


def urge_rows(user):
    Person, By = User.alias("p"), User.alias("b")
    q = (Urge.select(Urge, Problem.id, Problem.description, Department.name, Person.real_name, By.real_name)
         .join(Problem, on=(Urge.problem == Problem.id), join_type=JOIN.LEFT_OUTER)
         .switch(Urge).join(Person, on=(Urge.person == Person.id), join_type=JOIN.LEFT_OUTER)
         .join(Department, on=(Person.department == Department.id), join_type=JOIN.LEFT_OUTER)
         .switch(Urge).join(By, on=(Urge.by == By.id), join_type=JOIN.LEFT_OUTER)
         .where(((Urge.kind == "problem") & Urge.problem.in_(Problem.select(Problem.id).where(scope_problems(user))))
                | ((Urge.kind == "selfcheck") & Urge.person.in_(User.select(User.id).where(scope_users(user)))))
         .order_by(Urge.at, Urge.id))
    for u in q:
        p = u.problem if u.problem_id else None
        yield (u.at.strftime("%Y-%m-%d %H:%M"), u.kind_label, f"#{p.id}" if p else "", p.description if p else "",
               u.person.real_name if u.person_id else "", u.by.real_name if u.by_id else "", u.notified, u.note)


def escalation_rows(user):
    q = (Escalation.select(Escalation, Problem).join(Problem)
         .where(scope_problems(user)).order_by(Escalation.at, Escalation.id))
    for e in q:
        yield (e.at.strftime("%Y-%m-%d %H:%M"), f"#{e.problem_id}", e.problem.description,
               e.problem.department.name, e.deadline.isoformat(), e.workdays_overdue, e.level_label, e.notified)


def notice_rows(user):
    if not can(user, "documents.write"):
        return
    for d in Document.select().where(Document.kind == "supervision-notice").order_by(Document.id):
        ids = [dp.problem_id for dp in DocumentProblem.select().where(DocumentProblem.document == d.id)]
        yield (d.number or "（未印发）", d.status_label, d.addressees, "、".join(f"#{i}" for i in ids),
               d.doc_date.isoformat() if d.doc_date else "", d.issued_at.strftime("%Y-%m-%d %H:%M") if d.issued_at else "")


def workbook(user) -> bytes:
    wb = xlsx.new_workbook()
    _sheet(wb, "催办记录", ["催办时间", "类型", "问题编号", "问题描述", "被催办人", "催办人", "通知对象", "说明"],
           [18, 10, 10, 40, 10, 10, 24, 24], urge_rows(user), first=True)
    _sheet(wb, "督办通知单", ["发文字号", "状态", "主送", "督办问题", "成文日期", "印发时间"],
           [22, 10, 28, 24, 14, 18], notice_rows(user) or [])
    _sheet(wb, "升级督办", ["升级时间", "问题编号", "问题描述", "责任单位", "整改时限", "逾期工作日", "升级至", "通知对象"],
           [18, 10, 40, 14, 14, 10, 10, 24], escalation_rows(user))
    return xlsx.to_bytes(wb)
