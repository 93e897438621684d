"""One-click drafts of the plan's answers to a 多发频发 pattern: 通报, 提醒函 or 约谈通知书, drafted from the
problems involved and linked to them in the register."""
from .. import audit, clock
from ..errors import Invalid
from ..models import Problem
from ..models.document import DEFAULT_PREFIX
from ..quoting import quoted

KINDS = {"circular": "circular", "reminder": "reminder-letter", "talk": "talk-notice"}


def _sentence(text):
    text = (text or "").strip().replace("\n", " ")
    return text if not text or text[-1] in "。！？；" else text + "。"


def draft(actor, answer: str, problem_ids):
    from ..documents.adapters import action_draft, default_fields, organ_name
    from ..documents.service import create_draft
    if answer not in KINDS:
        raise Invalid("请选择通报、提醒或约谈")
    probs = list(Problem.select().where(Problem.id.in_(list(problem_ids) or [0])).order_by(Problem.id))
    if not probs:
        raise Invalid("没有可依据的问题")
    first = probs[0]
    who = first.person.real_name if first.person_id else first.department.name
    item = first.item.text if first.item_id else "同类"
    kind = KINDS[answer]
    if answer == "circular":
        fields = default_fields(kind)
        fields.update(kind=kind, title=f"关于{who}{quoted(item[:30])}问题多发频发的通报", doc_date=clock.today(),
                      body=(f"在“六治六提”干部队伍作风纪律整顿中，{who}在{quoted(item)}方面累计发现问题"
                            f"{len(probs)}个，属多发频发问题。为严肃纪律、警示教育，现予以通报。\n"
                            "各科室（单位）要举一反三，对照检查，坚决防止类似问题再次发生。"))
    else:
        class _Act:
            kind = answer
            note = ""
            date = None
        fields = action_draft(_Act(), first)
        listing = "".join(f"（{i}）{_sentence(p.description)}" for i, p in enumerate(probs, 1))
        fields["body"] = fields["body"].replace(_sentence(first.description),
                                                f"在{quoted(item)}方面多次出现问题：{listing}", 1)
    fields["prefix"] = DEFAULT_PREFIX.get(kind, "")
    fields.setdefault("signature", organ_name())
    doc = create_draft(actor, fields, [p.id for p in probs])
    audit.record("document_create", "document", doc.id, actor=actor,
                 detail={"kind": kind, "problems": len(probs), "source": "多发频发"})
    return doc
