"""Retention: a closed tip's content, messages and files are purged TIPS_RETENTION_DAYS after it closed.

A tip closes when its clue is concluded, or — for a clue reserved for the higher body — when it was
forwarded; schedule() then sets the tip's own purge date (Tip.purge_on, shown on the clue page). run(),
called daily by `flask tips purge` (or a job worker), is idempotent:
  1. tips closed before this existed get their date from the closing day;
  2. the discipline office is told TIPS_PURGE_NOTICE_DAYS before (a tip noticed late gets its purge moved
     so that the office always has that many days);
  3. expired follow-up sessions and spent proof-of-work challenges are deleted;
  4. tips due and noticed are purged: messages, files (and their sealed bytes on disk), the reply to the
     reporter, the receipt (code lookup and password verifier) and follow-up sessions go; the tip row keeps
     only an empty sealed shell and its dates, the clue keeps its number, status and conclusion for the
     statistics. The audit line says how many messages and files went, and nothing of what they said.
"""
import datetime as dt
import os

from flask import current_app, url_for

from .. import audit, clock, crypto
from ..extensions import db
from ..models import RoleAssignment, User
from ..models.tip import Clue, PowStamp, Tip, TipFile, TipMessage, TrackSession
from ..notify import notify

PURGED = {"subject": {k: "" for k in ("name", "department", "title", "when", "where")} | {"department_id": None},
          "body": "", "purged": True}


def _days(key) -> int:
    return int(current_app.config[key])


def schedule(tip_id: int, closed_on: dt.date) -> dt.date:
    """Called when the tip's clue closes: its purge date."""
    day = closed_on + dt.timedelta(days=_days("TIPS_RETENTION_DAYS"))
    Tip.update(purge_on=day).where((Tip.id == tip_id) & Tip.purged_on.is_null()).execute()
    return day


def change(tip: Tip, day: dt.date, actor, clue_id: int) -> dt.date:
    """The office sets this tip's own purge date (longer or shorter than the default), at least the
    notice period ahead; the office is told again before the new date. Audited (the date only)."""
    today = clock.today()
    earliest = today + dt.timedelta(days=_days("TIPS_PURGE_NOTICE_DAYS"))
    if tip.purged_on is not None:
        raise ValueError("该举报的内容已按保存期限删除")
    if not earliest <= day <= today + dt.timedelta(days=3650):
        raise ValueError(f"保存期限须在 {earliest.isoformat()} 至 {(today + dt.timedelta(days=3650)).isoformat()} 之间")
    with db.atomic():
        Tip.update(purge_on=day, purge_notice_on=None).where(Tip.id == tip.id).execute()
        audit.record("tip_retention_change", "clue", clue_id, actor=actor, detail={"purge_on": day.isoformat()})
    return day


def _backfill() -> int:
    n = 0
    closed = (Clue.select(Clue.tip, Clue.concluded_at, Clue.forwarded_at).join(Tip)
              .where(Tip.purge_on.is_null() & Tip.purged_on.is_null()
                     & ((Clue.status == "concluded") | Clue.forwarded_at.is_null(False))))
    for c in closed:
        at = c.concluded_at or c.forwarded_at
        schedule(c.tip_id, at.date() if isinstance(at, dt.datetime) else at)
        n += 1
    return n


def _clue_url(clue_id: int) -> str:
    try:
        return url_for("clues.detail", clue_id=clue_id)
    except RuntimeError:  # the CLI has no request to build a URL from
        return f"/clues/{clue_id}"


def _office() -> list[int]:
    return [u.id for u in User.select(User.id).join(RoleAssignment)
            .where((RoleAssignment.role == "discipline") & (User.is_active_flag == True)).distinct()]  # noqa: E712


def _notify(today: dt.date) -> int:
    lead = dt.timedelta(days=_days("TIPS_PURGE_NOTICE_DAYS"))
    rows = list(Clue.select(Clue, Tip).join(Tip).where(
        Tip.purged_on.is_null() & Tip.purge_notice_on.is_null() & (Tip.purge_on <= today + lead)))
    office = _office()
    for clue in rows:
        day = max(clue.tip.purge_on, today + lead)
        for uid in office:
            notify(uid, "tip_purge", f"线索 {clue.number} 的举报内容、往来信息和证据材料将于 {day.isoformat()} "
                                     f"按保存期限删除（线索编号、办理记录和结论保留）。如需延长，请在此前调整保存期限。",
                   _clue_url(clue.id), key=f"tip-purge:{clue.tip_id}:{day.isoformat()}")
        Tip.update(purge_notice_on=today, purge_on=day).where(Tip.id == clue.tip_id).execute()
    return len(rows)


def purge_tip(tip: Tip, today: dt.date) -> dict:
    clue = Clue.get(Clue.tip == tip)
    keys = [f.storage_key for f in TipFile.select(TipFile.storage_key).where(TipFile.tip == tip)]
    with db.atomic():
        files = TipFile.delete().where(TipFile.tip == tip).execute()
        messages = TipMessage.delete().where(TipMessage.tip == tip).execute()
        TrackSession.delete().where(TrackSession.tip == tip).execute()
        Tip.update(sealed=crypto.seal(PURGED, tip.aad()), lookup=None, verifier="", purged_on=today
                   ).where(Tip.id == tip.id).execute()
        Clue.update(sealed_reply="").where(Clue.id == clue.id).execute()
        audit.record("tip_purge", "clue", clue.id, detail={"messages": messages, "files": files})
    for key in keys:  # after the commit: a rollback must not leave rows pointing at deleted files
        try:
            os.unlink(os.path.join(current_app.instance_path, "uploads", key))
        except FileNotFoundError:
            pass
    return {"messages": messages, "files": files}


def run(today: dt.date | None = None) -> dict:
    today = today or clock.today()
    now = clock.now()  # also forget ended follow-up sessions and spent challenges nobody came to clean up
    TrackSession.delete().where((TrackSession.expires_at < now) | (TrackSession.ends_at < now)).execute()
    PowStamp.delete().where(PowStamp.expires_at < now).execute()
    out = {"scheduled": _backfill(), "noticed": _notify(today), "purged": 0, "messages": 0, "files": 0}
    due = Tip.select().where(Tip.purged_on.is_null() & Tip.purge_notice_on.is_null(False) & (Tip.purge_on <= today))
    for tip in list(due):
        counts = purge_tip(tip, today)
        out["purged"] += 1
        out["messages"] += counts["messages"]
        out["files"] += counts["files"]
    return out

