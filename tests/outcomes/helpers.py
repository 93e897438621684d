"""A founded clue (属实) with its 一案双查 problems, written the way the clue ledger writes it."""
from portal import clock
from portal.clues import workflow
from portal.models.tip import Clue
from portal.tips import service as tips


def founded_clue(b, person=None, leader=None, description="工作时间多次脱岗"):
    person = person or b.staff_a
    leader = leader or b.head_a
    _tip, clue, _c, _p = tips.create_tip(
        subject={"name": person.real_name, "department": person.department.name,
                 "department_id": person.department_id},
        body="反映其工作时间多次脱岗。", channel="phone", received_on=clock.today(), recorded_by=b.office,
        issue_code=False)
    steps = [("accepted", {}),
             ("assigned", dict(disposal="verify", handler_id=b.office2.id, workdays=10)),
             ("verifying", {}),
             ("concluded", dict(conclusion="true", finding="经核查，反映问题属实。", person_id=person.id,
                                leader_id=leader.id, description=description))]
    for to, data in steps:
        clue = workflow.transition(Clue.get_by_id(clue.id), to, b.office, **data)
    return Clue.get_by_id(clue.id)
