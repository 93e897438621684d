"""Demo tips and clues for `flask seed-demo`: every status, every channel, a clue about the chief for the
higher body, an overdue one, two tips about the same person, and a 属实 conclusion with 一案双查."""
import datetime as dt

import click

from .. import clock, workdays
from ..demo import demo_hook
from ..models import Item, User
from ..tips import service as tips
from . import identity, service


def _item(seq):
    from ..models import Campaign
    c = Campaign.active()
    return Item.get_or_none((Item.campaign == c) & (Item.seq == seq)) if c else None


def _back(n):
    """The working day n working days before today."""
    day = clock.today()
    while n > 0:
        day -= dt.timedelta(days=1)
        if workdays.is_workday(day):
            n -= 1
    return day


@demo_hook
def demo_clues(ctx):
    acc = ctx["accounts"]
    depts = ctx["departments"]
    office = acc["demo-discipline"]
    staff, head, chief = acc["demo-staff"], acc["demo-head"], acc["demo-chief"]
    asset_person = (User.select().where(User.department == depts["资产管理科"].id)
                    .order_by(User.id.desc()).first())

    def tip(subject, body, item, back, reporter=None, channel="online", files=()):
        t, clue, code, password = tips.create_tip(
            subject={"name": subject.real_name, "department": subject.department.name,
                     "department_id": subject.department_id, "title": subject.title,
                     "when": body[1], "where": body[2]},
            body=body[0], item_id=getattr(_item(item), "id", None), reporter=reporter, channel=channel,
            received_on=_back(back), recorded_by=None if channel == "online" else office,
            issue_code=channel == "online" or reporter is not None)
        return clue, code, password

    c1, code1, pw1 = tip(staff, ("多次在上班时间用办公电脑玩网络游戏，有时一玩就是一个多小时，科里同事都知道。",
                                 "2026年10月以来", "财务科办公室"), 18, 3)
    c2, _, _ = tip(staff, ("经常上午九点以后才到岗，下午四点多就离开，考勤由同事代打。", "近两个月", "局机关"),
                   17, 6, reporter={"name": "张建华", "phone": "13912345678", "email": ""})
    c2 = service.transition(c2, "accepted", office, note="实名举报，已电话告知受理")
    service.message_reporter(c2, office, "您反映的问题已受理，我们将依规核查，请耐心等待。")
    # the office asks to see a named reporter's identity; demo-custodian (身份保管人) decides
    identity.request_access(c2, office, "需电话联系举报人，核实代打卡的具体日期和知情人。")

    c3, _, _ = tip(head, ("工作日中午在单位附近饭店饮酒，下午上班时酒气明显。", "2026年11月中旬", "××路某饭店"),
                   13, 12, channel="phone")
    c3 = service.transition(c3, "accepted", office)
    c3 = service.transition(c3, "assigned", office, disposal="verify", handler_id=office.id, workdays=20)
    c3 = service.transition(c3, "verifying", office, note="调取考勤和饭店监控")

    if asset_person is not None:
        c4, _, _ = tip(asset_person, ("借公务用车接送家属，节假日也不交回车辆钥匙。", "2026年国庆假期", "公务用车停车场"),
                       16, 30, channel="letter", reporter={"name": "刘敏", "phone": "13700001111", "address": "本市××区"})
        c4 = service.transition(c4, "accepted", office)
        c4 = service.transition(c4, "assigned", office, disposal="verify", handler_id=office.id, workdays=15)
        c4 = service.transition(c4, "verifying", office)
        service.add_note(c4, office, "调阅派车单和出车记录，找当事人谈话，情况基本属实。")
        leader = service.leader_candidates(asset_person.department_id)[0]
        service.transition(c4, "concluded", office, conclusion="true",
                           finding="经调阅派车单、行车记录并谈话核实，反映问题属实。",
                           reply="经核查，您反映的问题属实，已责令整改并作相应处理。感谢您的监督。",
                           person_id=asset_person.id, leader_id=leader.id,
                           description="违规使用公务用车接送家属，节假日未按规定交回车辆。",
                           severity="serious", deadline=clock.today() + dt.timedelta(days=30))

    tip(staff, ("办理报销手续时态度生硬，材料一次不给说清楚，让人来回跑好几趟。", "", "财务科窗口"), 8, 22,
        channel="email")  # pending and past its 15-working-day acceptance limit: overdue
    tip(chief, ("反映局主要负责人在节日期间收受下属单位礼品。", "2026年中秋", ""), 16, 4)  # for the higher body
    c7, _, _ = tip(head, ("反映其在干部考核中搞平衡、当老好人。", "", ""), 6, 40, channel="visit")
    c7 = service.transition(c7, "accepted", office)
    c7 = service.transition(c7, "assigned", office, disposal="talk", handler_id=office.id, workdays=10)
    c7 = service.transition(c7, "verifying", office)
    service.transition(c7, "concluded", office, conclusion="false", finding="经谈话函询，未发现反映问题。")
    click.echo(f"演示举报查询码：{tips.format_code(code1)}  查询密码：{pw1}")
