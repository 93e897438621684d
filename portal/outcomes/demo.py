"""Demo data: the founded clue's 一案双查 pair gets its outcomes (第一种形态 for the person, 监督责任 for the
leader) and is marked as a typical case."""
import datetime as dt

from .. import clock
from ..demo import demo_hook
from ..models.outcome import Outcome
from ..models.tip import SUBSTANTIATED, Clue, ClueProblem


@demo_hook
def outcomes_demo(ctx):
    from . import service, typical
    office = ctx["accounts"].get("demo-discipline")
    clue = (Clue.select().where((Clue.status == "concluded") & Clue.conclusion.in_(SUBSTANTIATED))
            .order_by(Clue.id).first())
    if office is None or clue is None or Outcome.select().exists():
        return
    day = (clock.today() - dt.timedelta(days=3)).isoformat()
    links = {l.role: l.problem_id for l in ClueProblem.select().where(ClueProblem.clue == clue.id)}
    if "person" in links:
        service.record(links["person"], office, dict(form_measure="1:self_examination", org_measure="circular",
                                                     decided_on=day, decided_by_body="局党组",
                                                     doc_number="机管纪〔2026〕2号"))
    if "accountability" in links:
        service.record(links["accountability"], office, dict(form_measure="1:talk", responsibility="supervision",
                                                             decided_on=day, decided_by_body="局党组"))
    typical.mark(office, "违规使用公务用车接送家属，一案双查追究分管领导监督责任。", clue_id=clue.id)


outcomes_demo.demo_order = 90  # after the clue ledger's demo, whatever the import order
