"""Helpers for the register's tests (real rows, real renders)."""
import datetime as dt
import io
import json

from portal import clock
from portal.documents import adapters, service
from portal.models import Document
from tests.factories import default_campaign, make_department, make_user

BODY = "为推进作风纪律整顿，现将有关情况通报如下。\n一、基本情况\n检查发现个别干部工作时间脱岗。\n二、工作要求\n各单位要举一反三，抓好整改。"


def clerk(dept=None, username=None):
    return make_user(username, dept or make_department("办公室"), roles=("clerk", "staff"), real_name="赵文静")


def draft(actor, kind="circular", problems=(), **fields):
    data = dict(adapters.default_fields(kind), kind=kind, prefix=service.DEFAULT_PREFIX.get(kind, ""),
                title="关于作风纪律整顿明察暗访情况的通报", body=BODY, doc_date=dt.date(2026, 5, 6))
    data.update(fields)
    return service.create_draft(actor, data, problems)


def pdf_text(data: bytes) -> str:
    import pdfplumber
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def reload(doc) -> Document:
    return Document.get_by_id(doc.id)


def submitted_selfcheck(user, problems=1):
    """A submitted self-check with one frozen version, as the self-check area writes it."""
    from portal.models.selfcheck import SelfCheck, SelfCheckVersion
    camp = default_campaign()
    items = []
    for seq in (1, 2, 3):
        probs = [] if seq > problems else [{
            "key": f"k{seq}", "aspect": "工作", "description": f"对分管工作跟踪督办不够，第{seq}项进展缓慢",
            "measure": "建立工作清单，每周调度一次", "deadline": "2026-06-30", "fixed_at_once": False}]
        items.append({"item_id": seq, "seq": seq, "category": "治“拖”", "category_title": "提升执行意识",
                      "text": "工作推进拖沓，落实不力", "no_problem": not probs, "problems": probs})
    content = {"person": {"id": user.id, "name": user.real_name, "department": user.department.name,
                          "title": user.title},
               "campaign": {"id": camp.id, "name": camp.name}, "number": 1,
               "submitted_at": clock.now().strftime("%Y-%m-%d %H:%M"), "items": items}
    sc = SelfCheck.create(user=user, campaign=camp, status="submitted", versions_count=1,
                          submitted_at=clock.now())
    SelfCheckVersion.create(selfcheck=sc, number=1, content_hash="x" * 64,
                            content=json.dumps(content, ensure_ascii=False))
    return sc
