"""Demo data for the register: the seal, issued documents (a 通报 naming demo Problems) and drafts."""
import datetime as dt

from .. import clock
from ..demo import demo_hook
from ..models import Document, Problem, SealImage


@demo_hook
def documents_demo(ctx):
    from . import adapters, service
    from ..gongwen.samples import CIRCULAR_BODY, NOTICE_BODY, seal_png
    clerk = ctx["accounts"].get("demo-clerk")
    discipline = ctx["accounts"].get("demo-discipline")
    if clerk is None or Document.select().exists():
        return
    if SealImage.select().count() == 0:
        service.save_seal(seal_png(), ctx["accounts"].get("demo-secadmin") or clerk)
    today = clock.today()

    def draft(kind, actor, problems=(), **fields):
        data = dict(adapters.default_fields(kind), kind=kind, prefix=service.DEFAULT_PREFIX.get(kind, ""))
        data.update(fields)
        return service.create_draft(actor, data, problems)

    from ..models.ledger import ProblemAction as Action
    # the problems the ledger decided to circulate come first
    problems = list(Problem.select().join(Action, on=(Action.problem == Problem.id))
                    .where((Action.kind == "circular") & Action.document_id.is_null()).limit(2))
    seen_depts = {p.department_id for p in problems}
    for p in Problem.select().where(Problem.withdrawn == False).order_by(Problem.id):  # noqa: E712
        if len(problems) >= 3:
            break
        if p.department_id not in seen_depts and p.id not in {x.id for x in problems}:
            problems.append(p)
            seen_depts.add(p.department_id)
    notice = draft("notice", clerk, title="关于开展“六治六提”干部队伍作风纪律整顿“回头看”工作的通知",
                   body=NOTICE_BODY, doc_date=today - dt.timedelta(days=20), seal=True,
                   attachments=["“回头看”工作自查报告提纲"], copy_to="市纪委监委派驻纪检组，市纪工委，市纠风办",
                   print_date=today - dt.timedelta(days=20))
    service.issue(notice.id, clerk)
    circ = draft("circular", discipline or clerk, [p.id for p in problems],
                 title="关于“六治六提”干部队伍作风纪律整顿明察暗访情况的通报", body=CIRCULAR_BODY,
                 doc_date=today - dt.timedelta(days=6), copy_to="市纪委监委派驻纪检组，市纪工委，市纠风办",
                 print_date=today - dt.timedelta(days=6))
    service.issue(circ.id, clerk)
    draft("circular", clerk, title="关于部分单位自查自纠不深入问题的通报",
          body="近期，局领导小组办公室对各单位自查自纠情况进行了抽查。\n一、基本情况\n（待补充）",
          doc_date=today)
    draft("report", clerk, title="关于“六治六提”干部队伍作风纪律整顿工作进展情况的报告", signer="周正华",
          body="按照市纪工委工作部署，现将我局作风纪律整顿工作进展情况报告如下。\n一、主要工作\n（待补充）\n特此报告。",
          doc_date=today, seal=True)
