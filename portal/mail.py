"""E-mail delivery of in-app notices through SMTP. Off unless MAIL_SERVER is configured.

A person's address: `user.email` when the User model has one, else `<username>@<MAIL_DOMAIN>` when
MAIL_DOMAIN is configured; people without an address are skipped (their notice stays in-app only).

Sent at most once: each notice is claimed (marked `emailed`, committed) before its message goes to the SMTP
server, and given back only when the server refuses it. A job killed between the two (kill -9, power cut)
leaves that one notice in-app only rather than mailing it twice when the job is taken up again; two workers
never both send it. The Message-ID is fixed per notice, so a mail server can also drop a duplicate.
"""
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app

from . import clock
from .models import Notice, User

log = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def address_for(user) -> str | None:
    addr = (getattr(user, "email", None) or "").strip()
    if addr:
        return addr
    domain = current_app.config.get("MAIL_DOMAIN")
    if domain and user.username:
        return f"{user.username}@{domain}"
    return None


def build_message(notice, user, to: str) -> EmailMessage:
    cfg = current_app.config
    msg = EmailMessage()
    msg["Subject"] = f"【风纪】{notice.text[:40]}"
    msg["From"] = formataddr(("风纪 作风纪律整顿平台", cfg.get("MAIL_SENDER") or "fengji@localhost"))
    msg["To"] = formataddr((user.real_name, to))
    msg["Message-ID"] = f"<notice-{notice.id}.{user.id}@fengji>" if notice.id else make_msgid(domain="fengji")
    base = (cfg.get("PORTAL_BASE_URL") or "").rstrip("/")
    link = f"\n\n查看：{base}{notice.url}" if notice.url and base else ""
    msg.set_content(f"{user.real_name}，您好：\n\n{notice.text}{link}\n\n"
                    f"（本邮件由系统于 {clock.now():%Y-%m-%d %H:%M} 自动发送，请勿回复。）", charset="utf-8")
    return msg


def deliver_pending(limit: int = 500) -> int:
    """Send every notice not yet e-mailed (oldest first); marks each sent one `emailed`.
    Returns how many were sent. Connection errors are logged and leave the rest for the next run."""
    if not enabled():
        return 0
    cfg = current_app.config
    pending = list(Notice.select(Notice, User).join(User)
                   .where((Notice.emailed == False) & Notice.read_at.is_null())  # noqa: E712
                   .order_by(Notice.id).limit(limit))
    if not pending:
        return 0
    sent = 0
    try:
        with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT") or 25),
                          timeout=int(cfg.get("MAIL_TIMEOUT") or 10)) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            for n in pending:
                # claim first (committed): a run cut short after this never sends the notice again
                if not Notice.update(emailed=True).where((Notice.id == n.id)
                                                         & (Notice.emailed == False)).execute():  # noqa: E712
                    continue  # another worker has it
                to = address_for(n.user)
                if not to:
                    continue  # without an address the notice is in-app only: do not try it again
                try:
                    smtp.send_message(build_message(n, n.user, to))
                except (OSError, smtplib.SMTPException):
                    Notice.update(emailed=False).where(Notice.id == n.id).execute()  # refused: next run
                    raise
                sent += 1
    except (OSError, smtplib.SMTPException) as e:
        log.warning("notice mail delivery failed after %d messages: %s", sent, e)
    return sent
