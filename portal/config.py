"""Default configuration. Layers: these defaults -> instance/config.py -> PORTAL_* env -> test config."""

DEFAULT_SECRET = "change-me"


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

    PASSWORD_MIN_LENGTH = 8
    LOCKOUT_THRESHOLD = 5
    LOCKOUT_MINUTES = 10
    # argon2 parameters; tests lower them
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 2

    MAX_CONTENT_LENGTH = 110 * 1024 * 1024
    UPLOAD_MAX_FILES = 5
    UPLOAD_MAX_BYTES = 20 * 1024 * 1024

    DUE_SOON_DAYS = 7  # ledger: flag entries due within N days
    SELFCHECK_REMIND_DAYS = 5  # notice N days before the self-check deadline
    PAGE_SIZE = 50

    # Number of trusted reverse proxies in front of the app (0 = none). With 1, the client address
    # (used in memory only, for rate limits) comes from the proxy's X-Forwarded-For.
    PROXY_FIX_X_FOR = 0

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
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
    JOBS_IMMEDIATE = False  # True: a queued job runs at once in the caller (tests, `jobs run`)
    JOBS_MODULES = ()  # extra modules that register jobs (tests' sample jobs)
    JOBS_HEARTBEAT_SECONDS = 15  # a worker silent for 4 beats is dead; its running jobs are taken up again
    REPORT_REMIND_DAYS = 3  # remind department heads N days before a reporting period is due


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
