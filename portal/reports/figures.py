"""The report's further figures over the period (issue 14 §3): self-check participation by department,
problems by item / severity / status with the 自查从宽 share, clues by channel (受理 / 交办 / 办结 / 转立案),
一案双查, accountability outcomes and the 长效机制 built. Each is one SQL aggregate; tests recompute them
with their own queries.

Definitions (the period is [start, end], both days included):
  participation  as of the period's end: 应参加 = active people with a business role; 已提交 = of them, who
                 submitted a version up to the end; 退回敷衍 = who had a version returned as perfunctory up
                 to the end; 未提交 = 应参加 − 已提交.
  problems       registered in the period (not withdrawn), as in numbers.period_stats.
  clues          受理 accepted_at in the period, 交办 assigned_at in the period, 办结 concluded_at in the
                 period, 转立案 of those concluded, the ones found true or partly true (属实 / 部分属实).
  一案双查        leaders' accountability problems registered in the period, and those paired with a
                 person's problem.
  长效机制        mechanisms dated in the period.
"""
import datetime as dt
from collections import OrderedDict

from peewee import Case, fn

from ..models import SEVERITIES, STATUSES, Campaign, Department, Item, Problem, RoleAssignment, User
from ..models.ledger import Mechanism
from ..models.selfcheck import SelfCheck, SelfCheckVersion
from ..models.tip import CHANNELS, SUBSTANTIATED, Clue
from ..outcomes.counts import counts as outcome_counts
from ..permissions import BUSINESS_ROLES


def _lo(d):
    return dt.datetime.combine(d, dt.time.min)


def _hi(d):
    return dt.datetime.combine(d + dt.timedelta(days=1), dt.time.min)


def _within(field, start, end):
    return (field >= _lo(start)) & (field < _hi(end))


def _new(start, end):
    return _within(Problem.created_at, start, end) & (Problem.withdrawn == False)  # noqa: E712


def participation(end):
    """[{name, expected, submitted, perfunctory, missing}] by department, as of the period's end."""
    c = Campaign.active()
    business = fn.EXISTS(RoleAssignment.select(RoleAssignment.id).where(
        (RoleAssignment.user == User.id) & RoleAssignment.role.in_(sorted(BUSINESS_ROLES))))
    cid = c.id if c is not None else 0
    submitted = fn.EXISTS(SelfCheckVersion.select(SelfCheckVersion.id).join(SelfCheck)
                          .where((SelfCheck.user == User.id) & (SelfCheck.campaign == cid)
                                 & (SelfCheckVersion.submitted_at < _hi(end))))
    perfunctory = fn.EXISTS(SelfCheckVersion.select(SelfCheckVersion.id).join(SelfCheck)
                            .where((SelfCheck.user == User.id) & (SelfCheck.campaign == cid)
                                   & (SelfCheckVersion.perfunctory == True)  # noqa: E712
                                   & (SelfCheckVersion.reviewed_at < _hi(end))))
    q = (User.select(User.department, fn.COUNT(User.id),
                     fn.SUM(Case(None, [(submitted, 1)], 0)), fn.SUM(Case(None, [(perfunctory, 1)], 0)))
         .where((User.is_active_flag == True) & business)  # noqa: E712
         .group_by(User.department).tuples())
    counts = {d: (n, int(s or 0), int(p or 0)) for d, n, s, p in q}
    out = []
    for d in Department.select().order_by(Department.sort_order, Department.id):
        if d.id not in counts:
            continue
        n, s, p = counts[d.id]
        out.append({"name": d.name, "expected": n, "submitted": s, "perfunctory": p, "missing": n - s})
    return out


def _grouped(field, start, end):
    return dict(Problem.select(field, fn.COUNT(Problem.id)).where(_new(start, end)).group_by(field).tuples())


def problems(start, end):
    """By item, severity and status (new in the period), and the self-reported share."""
    by_item = OrderedDict()
    counts = dict(Problem.select(Problem.item, fn.COUNT(Problem.id)).where(_new(start, end))
                  .group_by(Problem.item).tuples())
    items = {i.id: i for i in Item.select().where(Item.id.in_([k for k in counts if k] or [0]))}
    for item_id in sorted(counts, key=lambda k: (items[k].seq if k in items else 10**6)):
        it = items.get(item_id)
        by_item[str(it.seq) if it else "—"] = {"name": it.short if it else "未归类", "n": counts[item_id]}
    sev = _grouped(Problem.severity, start, end)
    st = _grouped(Problem.status, start, end)
    total = sum(st.values())
    selfr = Problem.select().where(_new(start, end) & (Problem.self_reported == True)).count()  # noqa: E712
    return {"items": list(by_item.values()),
            "severity": {k: sev.get(k, 0) for k in SEVERITIES} | {k: v for k, v in sev.items() if k not in SEVERITIES},
            "status": {k: st.get(k, 0) for k in STATUSES} | {k: v for k, v in st.items() if k not in STATUSES},
            "total": total, "self": selfr,
            "self_share": round(100.0 * selfr / total, 1) if total else None}


def clues(start, end):
    """{channel: {accepted, assigned, concluded, filed}} for the period, every channel listed."""
    def count(field, extra=None):
        cond = _within(field, start, end)
        if extra is not None:
            cond = cond & extra
        return dict(Clue.select(Clue.channel, fn.COUNT(Clue.id)).where(cond).group_by(Clue.channel).tuples())
    acc, asg = count(Clue.accepted_at), count(Clue.assigned_at)
    con = count(Clue.concluded_at)
    filed = count(Clue.concluded_at, Clue.conclusion.in_(SUBSTANTIATED))
    channels = list(CHANNELS) + sorted((set(acc) | set(asg) | set(con)) - set(CHANNELS))
    out = OrderedDict()
    for ch in channels:
        out[ch] = {"name": CHANNELS.get(ch, ch), "accepted": acc.get(ch, 0), "assigned": asg.get(ch, 0),
                   "concluded": con.get(ch, 0), "filed": filed.get(ch, 0)}
    return out


def dual(start, end):
    new = _new(start, end) & (Problem.is_accountability == True)  # noqa: E712
    return {"accountability": Problem.select().where(new).count(),
            "paired": Problem.select().where(new & Problem.partner.is_null(False)).count()}


def mechanisms(start, end):
    return [{"title": m.title, "date": m.date.isoformat()}
            for m in Mechanism.select().where(Mechanism.date.between(start, end)).order_by(Mechanism.date, Mechanism.id)]


def outcomes(start, end):
    """四种形态, 组织处理 and 一案双查 outcomes decided in the period (portal/outcomes/counts.py)."""
    data = outcome_counts(start, end)
    return {"forms": data["forms"], "measures": data["org_measures"], "sanctions": data["sanctions"],
            "lenient": data["lenient"], "strict": data["strict"], "dual": data["dual"], "available": True}


def extra_stats(start, end):
    return {"participation": participation(end), "problems": problems(start, end), "clues": clues(start, end),
            "dual": dual(start, end), "mechanisms": mechanisms(start, end), "outcomes": outcomes(start, end)}
