"""Extension singletons, bound to the app in create_app()."""
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from peewee import DatabaseProxy

db = DatabaseProxy()
csrf = CSRFProtect()
login_manager = LoginManager()


def _client_key():
    # Rate-limit key: the client address hashed with a key that changes every day (portal/ratelimit.py),
    # so the shared counter table never holds an address.
    from .ratelimit import address_key
    return address_key()


limiter = Limiter(key_func=_client_key, default_limits=[])

from . import ratelimit  # noqa: E402,F401  registers the portaldb:// storage scheme
