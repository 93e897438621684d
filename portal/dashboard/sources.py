"""Dashboard numbers whose data belong to other areas: self-checks, clues, actions taken.

Scope is in SQL, as for problems.
"""
import datetime as dt
from collections import OrderedDict

from peewee import fn

from .. import clock
from ..models import Campaign, Department
from ..models.selfcheck import PERFUNCTORY_LABEL, SELFCHECK_STATUSES
from ..models.tip import CHANNELS, CLUE_STATUSES, Clue
from ..models.tally import ActionTally
from .queries import _in_scope, departments

# the self-check's one vocabulary (models/selfcheck.py), in the order of the work
SELFCHECK_LEGEND = [(k, SELFCHECK_STATUSES[k]) for k in ("not_started", "draft", "submitted", "returned", "approved")]
ACTION_LEGEND = [("circular", "通报"), ("reminder", "提醒"), ("talk", "约谈")]
MONTHS_SHOWN = 12


def selfcheck_stats(depts):
    """Per department: people who must fill the self-check (active, with a business role) by the
    state of their self-check in the active campaign (no row = not started), and how many were
    returned as perfunctory (退回敷衍) at least once — selfcheck.department.status_tally, the count
    the department overview shows too."""
    from ..selfcheck.department import status_tally
    campaign = Campaign.active()
    if campaign is None:
        return None
    tally = status_tally(depts, campaign)
    blank = {"people": 0, "perfunctory": 0, **{k: 0 for k, _ in SELFCHECK_LEGEND}}
    rows = OrderedDict((d.id, {"id": d.id, "name": d.name, **blank}) for d in departments(depts))
    total = dict(blank)
    for dept_id, counts in tally.items():
        row = rows.get(dept_id)
        if row is None:
            d = Department.get_by_id(dept_id)
            row = rows[dept_id] = {"id": d.id, "name": d.name, **blank}
        for r in (row, total):
            for k in blank:
                r[k] += counts.get(k, 0)
    shown = [r for r in rows.values() if r["people"]]
    return {"departments": shown, "total": total, "legend": SELFCHECK_LEGEND,
            "deadline": campaign.selfcheck_deadline, "perfunctory_label": PERFUNCTORY_LABEL}


def clue_scope(user, depts):
    """Clues counted for the viewer: never escalated ones (about the chief or the discipline head,
    handled by the higher body) nor clues about the viewer; leaders count the clues about the
    departments in their charge."""
    base = (Clue.escalated == False)  # noqa: E712
    base &= (Clue.subject_user.is_null() | (Clue.subject_user != user.id))
    if depts is None:
        return base
    return base & _in_scope(Clue.subject_department, depts)


def clue_stats(user, depts):
    statuses, channels = CLUE_STATUSES, CHANNELS
    q = (Clue.select(Clue.status, Clue.channel, fn.COUNT(Clue.id))
         .where(clue_scope(user, depts))
         .group_by(Clue.status, Clue.channel).tuples())
    by_status = OrderedDict((k, 0) for k in statuses)
    by_channel = OrderedDict((k, 0) for k in channels)
    total = 0
    for st, ch, n in q:
        by_status[st] = by_status.get(st, 0) + n
        by_channel[ch] = by_channel.get(ch, 0) + n
        total += n
    # the clue list counts the same clues for the office and the chief (views link there); a
    # leader's list is narrower (assigned clues only), so the leader's numbers are not linked
    return {"total": total, "linkable": depts is None,
            "by_status": [{"key": k, "label": statuses.get(k, k), "n": n} for k, n in by_status.items()],
            "by_channel": [{"key": k, "label": channels.get(k, k), "n": n} for k, n in by_channel.items()]}


def _add_months(d, n):
    y, m = divmod(d.month - 1 + n, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)


def action_stats(depts, today=None):
    """通报 / 提醒 / 约谈 per month (by the action's date), the last MONTHS_SHOWN months up to this one,
    for problems of the departments in scope."""
    t = ActionTally  # the trigger-maintained tally (migration 0012): a row per department, month and kind
    today = today or clock.today()
    first = _add_months(today.replace(day=1), -(MONTHS_SHOWN - 1))
    q = (t.select(t.month, t.kind, fn.SUM(t.n))
         .where((t.month >= f"{first:%Y-%m}") & (t.month <= f"{today:%Y-%m}") & (t.n != 0)
                & _in_scope(t.department_id, depts))
         .group_by(t.month, t.kind).tuples())
    months = OrderedDict()
    m = first
    while m <= today:
        months[m] = {"month": m, "label": f"{m.year}年{m.month}月", **{k: 0 for k, _ in ACTION_LEGEND}}
        m = _add_months(m, 1)
    total = {k: 0 for k, _ in ACTION_LEGEND}
    for ym, kind, n in q:
        n = int(n)
        row = months.get(dt.date(int(ym[:4]), int(ym[5:7]), 1))
        if row is None:
            continue
        row[kind] = row.get(kind, 0) + n
        total[kind] = total.get(kind, 0) + n
    rows = list(months.values())
    # leading empty months are not worth a row each
    while len(rows) > 3 and not any(rows[0][k] for k, _ in ACTION_LEGEND):
        rows.pop(0)
    return {"months": rows, "total": total, "legend": ACTION_LEGEND, "since": first}
