"""督办通知单: a register document (kind "supervision-notice", 信函格式, numbered 机管督〔年〕N号 at issue)
generated from one or several overdue problems of one department and addressed to its head."""
from .. import audit, clock, workdays
from ..errors import Invalid
from ..models import Department, Problem
from ..models.document import DEFAULT_PREFIX, Document
from . import people

KIND = "supervision-notice"


def _sentence(text: str) -> str:
    text = (text or "").strip().replace("\n", " ")
    return text if not text or text[-1] in "。！？；" else text + "。"


def draft_fields(dept, problems, today=None) -> dict:
    from ..documents.adapters import _date_text, default_fields
    today = today or clock.today()
    heads = people.heads(dept.id)
    lines = ["经局“六治六提”工作领导小组办公室跟踪，你单位下列问题已超过整改时限仍未整改到位，现予督办："]
    for i, p in enumerate(problems, 1):
        who = p.person.real_name if p.person_id else dept.name
        late = workdays.workdays_between(p.deadline, today)
        lines.append(f"{i}.{who}：{_sentence(p.description)}整改时限{_date_text(p.deadline)}，"
                     f"已逾期{late}个工作日。")
    lines.append("请你单位负责同志切实履行“一岗双责”，督促责任人于收到本通知单之日起5个工作日内整改到位，"
                 "并将整改情况及佐证材料书面报局领导小组办公室。逾期仍未整改的，将按程序提请分管局领导、"
                 "局主要负责同志督办。")
    fields = default_fields(KIND)
    fields.update(kind=KIND, prefix=DEFAULT_PREFIX[KIND], title="督办通知单",
                  addressees=(f"{dept.name}{heads[0].real_name}同志" if len(heads) == 1 else f"{dept.name}负责同志"),
                  body="\n".join(lines), doc_date=today,
                  signature="局领导小组办公室")  # short: the date then stands 右空二字 (7.3.5.2)
    return fields


def create(actor, problem_ids) -> Document:
    """The draft 督办通知单 of the given problems: all overdue, all of one department."""
    from ..documents.service import create_draft
    probs = list(Problem.select().where(Problem.id.in_(list(problem_ids) or [0])).order_by(Problem.deadline,
                                                                                           Problem.id))
    if not probs:
        raise Invalid("请先选择逾期问题")
    if len({p.department_id for p in probs}) > 1:
        raise Invalid("一份督办通知单只能针对一个部门的问题，请按部门分别生成")
    late = [p for p in probs if not p.is_overdue]
    if late:
        raise Invalid("只有逾期未整改的问题可以督办：" + "、".join(f"#{p.id}" for p in late))
    dept = Department.get_by_id(probs[0].department_id)
    doc = create_draft(actor, draft_fields(dept, probs), [p.id for p in probs])
    audit.record("supervision_notice_draft", "document", doc.id, actor=actor,
                 detail={"problems": len(probs), "department": dept.name})
    return doc


def notices_query():
    return Document.select().where(Document.kind == KIND)
