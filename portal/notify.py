"""Create in-app notices. `notify(user, kind, text, url, key)`: with a key, at most one notice per
(user, key) — calling again is a no-op — so triggers can run repeatedly. `notify_many(rows)` is the same for
many notices at once (the periodic triggers): one lookup of the keys already sent, then chunked inserts that
skip a (user, key) pair the unique index already holds.

A notice is a row and nothing else: e-mail goes out afterwards from the rows (portal/mail.py), so bulk
notices are mailed exactly like single ones."""
from peewee import IntegrityError

from . import clock
from .extensions import db
from .models import Notice

KINDS = {
    "deadline": "整改时限临近",
    "overdue": "整改已逾期",
    "selfcheck_due": "自查截止临近",
    "returned": "退回",
    "clue_assigned": "线索交办",
    "report_due": "报送提醒",
    "draw": "抽查任务",
    "info": "通知",
    "rectify": "整改销号",
    "urge": "催办",
    "escalation": "逾期升级",
    "instruction": "领导批示",
    "digest": "分管部门周报",
    "publication": "通知公告",
}


def notify(user, kind: str, text: str, url: str = "", key: str | None = None):
    uid = getattr(user, "id", user)
    if key and Notice.select().where((Notice.user == uid) & (Notice.dedupe_key == key)).exists():
        return None
    try:
        with db.atomic():
            return Notice.create(user=uid, kind=kind, text=text, url=url, dedupe_key=key)
    except IntegrityError:
        return None  # a concurrent call created it


CHUNK = 500  # rows per INSERT; each chunk is committed on its own, so an interrupted run keeps what it made


def notify_many(rows, chunk: int | None = None) -> int:
    """Create many keyed notices: rows of (user, kind, text, url, key), key required. A (user, key) already
    present — from an earlier run, a run cut short half-way, a concurrent one — is skipped, so running the same
    rows again creates nothing. Returns how many notices were created."""
    wanted = {}
    for user, kind, text, url, key in rows:
        if not key:
            raise ValueError("notify_many needs a dedupe key for every notice")
        wanted.setdefault((getattr(user, "id", user), key), (kind, text, url or ""))
    if not wanted:
        return 0
    keys = sorted({k for _u, k in wanted})
    for i in range(0, len(keys), 900):  # 900: well under SQLite's bound on parameters per statement
        for uid, key in (Notice.select(Notice.user, Notice.dedupe_key)
                         .where(Notice.dedupe_key.in_(keys[i:i + 900])).tuples()):
            wanted.pop((uid, key), None)
    now = clock.now()
    todo = [(uid, kind, text, url, key, now, False) for (uid, key), (kind, text, url) in sorted(wanted.items())]
    made = 0
    chunk = chunk or CHUNK
    for i in range(0, len(todo), chunk):
        made += _insert_chunk(todo[i:i + chunk])
    return made


_FIELDS = [Notice.user, Notice.kind, Notice.text, Notice.url, Notice.dedupe_key, Notice.created_at, Notice.emailed]


def _insert_chunk(batch) -> int:
    with db.atomic():
        n = Notice.insert_many(batch, fields=_FIELDS).on_conflict_ignore().as_rowcount().execute()
    return int(n or 0)


def unread_count(user) -> int:
    return Notice.select().where((Notice.user == user.id) & Notice.read_at.is_null()).count()
