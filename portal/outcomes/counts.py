"""Figures for the periodic report: outcomes decided from `start` to `end` (inclusive) by 四种形态, by
组织处理 and 政务处分, 自查从宽 / 从严, and 一案双查 (cases where both the violator and a leader were dealt with).
Void outcomes are not counted. No scoping: the caller (the report) is the discipline office's."""
from peewee import fn

from ..models.outcome import FORMS, Outcome
from . import options


def counts(start, end) -> dict:
    base = (Outcome.void == False) & Outcome.decided_on.between(start, end)  # noqa: E712
    by_form = dict(Outcome.select(Outcome.form, fn.COUNT(Outcome.id)).where(base).group_by(Outcome.form).tuples())
    org_labels = options.labels("org_measure")
    by_org = dict(Outcome.select(Outcome.org_measure, fn.COUNT(Outcome.id))
                  .where(base & (Outcome.org_measure != "")).group_by(Outcome.org_measure).tuples())
    sanction_labels = options.labels("sanction")
    by_sanction = dict(Outcome.select(Outcome.sanction, fn.COUNT(Outcome.id))
                       .where(base & (Outcome.sanction != "")).group_by(Outcome.sanction).tuples())
    by_resp = dict(Outcome.select(Outcome.responsibility, fn.COUNT(Outcome.id)).where(base)
                   .group_by(Outcome.responsibility).tuples())
    by_leniency = dict(Outcome.select(Outcome.leniency, fn.COUNT(Outcome.id)).where(base)
                       .group_by(Outcome.leniency).tuples())
    # 一案双查: a violator's outcome linked to a leader's outcome, both in the period
    Leader = Outcome.alias()
    pairs = (Outcome.select(Outcome.id).join(Leader, on=(Outcome.partner == Leader.id))
             .where(base & (Outcome.responsibility == "direct") & (Leader.void == False)  # noqa: E712
                    & Leader.decided_on.between(start, end)))
    leaders = (Outcome.select(fn.COUNT(fn.DISTINCT(Outcome.person)))
               .where(base & Outcome.responsibility.in_(("main", "supervision"))).scalar() or 0)
    return {
        "total": sum(by_form.values()),
        "forms": {FORMS[k]: by_form.get(k, 0) for k in FORMS},
        "org_measures": {org_labels.get(k, k): v for k, v in sorted(by_org.items())},
        "sanctions": {sanction_labels.get(k, k): v for k, v in sorted(by_sanction.items())},
        "lenient": by_leniency.get("lenient", 0),
        "strict": by_leniency.get("strict", 0),
        "dual": {"cases": pairs.count(), "leaders": leaders, "main": by_resp.get("main", 0),
                 "supervision": by_resp.get("supervision", 0)},
    }
