"""Create in-app notices. `notify(user, kind, text, url, key)`: with a key, at most one notice per
(user, key) — calling again is a no-op — so triggers can run repeatedly."""
from peewee import IntegrityError

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


def unread_count(user) -> int:
    return Notice.select().where((Notice.user == user.id) & Notice.read_at.is_null()).count()
