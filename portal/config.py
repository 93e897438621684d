"""Default configuration. Layers: these defaults -> instance/config.py -> PORTAL_* env -> test config.
With PORTAL_ENV = "production" (env PORTAL_PORTAL_ENV=production) apply_production() then forces the
cookie flags below and adds HSTS: production is served over HTTPS only."""
import logging
import os
import stat

DEFAULT_SECRET = "change-me"
MIN_SECRET_LENGTH = 16

# forced in production whatever the other layers say
PRODUCTION = {
    "SESSION_COOKIE_SECURE": True,  # the CSRF token lives in the session cookie (Flask-WTF)
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PREFERRED_URL_SCHEME": "https",
    # Flask-WTF's extra HTTPS check wants a same-site Referer on every POST, but the tip box's pages send
    # none (Referrer-Policy: no-referrer), so every tip would be refused. The CSRF token, SameSite=Lax
    # session cookies and HSTS (no plain-HTTP cookie injection) carry the protection.
    "WTF_CSRF_SSL_STRICT": False,
}
HSTS = "max-age=31536000; includeSubDomains"


class Defaults:
    PORTAL_ENV = "development"  # "production" refuses a default secret
    SECRET_KEY = DEFAULT_SECRET
    DATABASE_URL = None  # None: SQLite at instance/portal.sqlite3
    # how long a write waits for another transaction's lock (SQLite busy_timeout, PostgreSQL lock_timeout)
    # before the request answers 503 "系统繁忙" with nothing written
    DB_LOCK_TIMEOUT_MS = 10000
    DB_MAX_CONNECTIONS = 32

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    IDLE_TIMEOUT_MINUTES = 30
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session

    # defaults of the security administrator's settings (stored in the database once changed)
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MIN_CLASSES = 3  # of lower case, upper case, digits, symbols
    LOCKOUT_THRESHOLD = 5
    LOCKOUT_MINUTES = 10
    LOGIN_ADDRESS_LIMIT = "30 per 10 minutes"  # failed sign-ins from one client address ("" = off)
    # two-factor sign-in (TOTP): required for these roles (the secadmin may add roles); the three
    # administrators' requirement cannot be switched off. TOTP_ENFORCED = False lets everyone sign in
    # without it (tests); people who enrolled are still asked.
    TOTP_ENFORCED = True
    TOTP_REQUIRED_ROLES = ("sysadmin", "secadmin", "auditor", "discipline")
    TOTP_MANDATORY_ROLES = ("sysadmin", "secadmin", "auditor")
    TOTP_ISSUER = "风纪"
    # argon2 parameters; tests lower them
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 2

    MAX_CONTENT_LENGTH = 110 * 1024 * 1024
    UPLOAD_MAX_FILES = 5  # per submission
    UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # per file
    UPLOAD_MAX_TOTAL_FILES = 20  # per tip, its follow-ups included
    UPLOAD_MAX_TOTAL_BYTES = 60 * 1024 * 1024  # per submission, and per tip with its follow-ups
    UPLOAD_MAX_PIXELS = 50_000_000  # images: checked from the header before decoding
    UPLOAD_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # Office files: checked before expanding

    DUE_SOON_DAYS = 7  # ledger: flag entries due within N days
    SELFCHECK_REMIND_DAYS = 5  # notice N days before the self-check deadline
    PAGE_SIZE = 50

    # Number of trusted reverse proxies in front of the app (0 = none). With 1, the client address
    # (used in memory only, for rate limits) comes from the proxy's X-Forwarded-For.
    PROXY_FIX_X_FOR = 0

    RATELIMIT_ENABLED = True
    # counters in the portal's own database (portal/ratelimit.py): shared by every worker and server
    RATELIMIT_STORAGE_URI = "portaldb://"
    RATELIMIT_HEADERS_ENABLED = False

    MAIL_SERVER = None  # SMTP off by default
    MAIL_PORT = 25
    MAIL_SENDER = "fengji@localhost"
    MAIL_DOMAIN = None  # addresses are <username>@MAIL_DOMAIN; without it nobody is mailed
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_TIMEOUT = 10
    PORTAL_BASE_URL = ""  # e.g. http://fengji.bureau.local, for links in e-mails
    REPORT_REMIND_DAYS = 3  # remind department heads N days before a reporting period is due
    JOBS_IMMEDIATE = False  # True: a queued job runs at once in the caller (tests, `jobs run`)
    PDF_RENDERER = "process"  # web requests make PDFs in a render child (portal/pdfs.py); "inline": here
    PDF_TIMEOUT = 120          # seconds before a render is stopped and answered 503
    PDF_CHILD_MAX_TASKS = 200  # the render child is replaced after this many PDFs (bounded memory)
    JOBS_MODULES = ()  # extra modules that register jobs (tests' sample jobs)
    JOBS_HEARTBEAT_SECONDS = 15  # a worker silent for 3 beats is dead; its running jobs are taken up again
    # tip box (issue 12 §3)
    TIPS_TRACK_MINUTES = 15  # a reporter's follow-up session ends after N idle minutes ...
    TIPS_TRACK_MAX_MINUTES = 60  # ... and N minutes after it began, whatever happens
    TIPS_POW_BITS = 16  # proof of work on submission: leading zero bits of SHA-256 (about 2^N hashes)
    TIPS_POW_MINUTES = 120  # how long a form's challenge stays valid (single use)
    TIPS_RETENTION_DAYS = 365  # a closed tip's content, messages and files are purged N days after closing
    TIPS_PURGE_NOTICE_DAYS = 14  # the office is told N days before a purge
    TIPS_IDENTITY_ACCESS_DAYS = 30  # an approved identity access request opens the identity for N days

    BACKUP_DIR = None  # None: instance/backups (better: another disk)
    BACKUP_PASSPHRASE = None  # for `backup nightly` and the job worker; or PORTAL_BACKUP_PASSPHRASE
    BACKUP_KEEP = 14  # the nightly backup keeps the newest N archives in BACKUP_DIR
    BACKUP_MAX_AGE_HOURS = 48  # the admin page and /healthz turn red when the last good backup is older
    HEALTH_REQUIRE_BACKUP = None  # /healthz fails without a fresh backup; None = only in production
    HEALTH_MIN_FREE_MB = 1024  # /healthz fails when instance/ or BACKUP_DIR has less free disk space
    WORKER_HEARTBEAT_MAX_AGE_SECONDS = 120  # the job worker touches instance/worker_heartbeat

    # sign-in with the bureau's directory (portal/auth/ldap.py); off while LDAP_URL is empty. The three
    # administrators always sign in with their local password.
    LDAP_URL = ""  # e.g. ldap://dc1.bureau.local:389 or ldaps://…
    LDAP_BIND_DN = ""  # the service account that searches ("" = anonymous search)
    LDAP_BIND_PASSWORD = ""
    LDAP_BASE_DN = ""  # e.g. ou=people,dc=bureau,dc=local
    LDAP_USER_FILTER = "(uid={username})"  # AD: "(sAMAccountName={username})"; {username} is escaped
    LDAP_MATCH = "username"  # the portal field an account is matched on: "username" or "employee_no"
    LDAP_MATCH_ATTRIBUTE = "uid"  # the directory attribute holding it (e.g. employeeNumber)
    LDAP_NAME_ATTRIBUTE = "cn"  # the person's name, for an account opened at first sign-in
    LDAP_DEPARTMENT_ATTRIBUTE = ""  # e.g. "ou" or "department": set it to open accounts at first sign-in
    LDAP_TIMEOUT_SECONDS = 5


# keys that are parsed as int/bool when they come from PORTAL_* env variables
def coerce(value: str):
    low = value.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    try:
        return int(value)
    except ValueError:
        return value


def apply_production(app) -> None:
    """Production: refuse a default or short secret, force the cookie flags, send HSTS."""
    if app.config.get("PORTAL_ENV") != "production":
        return
    secret = app.config.get("SECRET_KEY")
    if not secret or secret == DEFAULT_SECRET or len(str(secret)) < MIN_SECRET_LENGTH:
        raise RuntimeError("生产环境不得使用默认或过短的 SECRET_KEY：请在 instance/config.py 或 PORTAL_SECRET_KEY 中"
                           f"设置至少 {MIN_SECRET_LENGTH} 位的随机字符串。")
    app.config.update(PRODUCTION)

    @app.after_request
    def _hsts(resp):
        resp.headers.setdefault("Strict-Transport-Security", HSTS)
        return resp


def private_dir(path: str) -> None:
    """Create `path` mode 0700, or tighten an existing one that others could read (instance/ holds the
    database, the keys and the evidence)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
            os.chmod(path, 0o700)
    except OSError as e:  # not ours to change: say so, do not stop
        logging.getLogger(__name__).warning("cannot make %s private: %s", path, e)


def private_file(path: str) -> None:
    """Create an empty `path` mode 0600 if it is missing, or tighten an existing one."""
    try:
        if not os.path.exists(path):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        elif stat.S_IMODE(os.stat(path).st_mode) & 0o077:
            os.chmod(path, 0o600)
    except OSError as e:
        logging.getLogger(__name__).warning("cannot make %s private: %s", path, e)
