"""Extension singletons, bound to the app in create_app()."""
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from peewee import DatabaseProxy

db = DatabaseProxy()
csrf = CSRFProtect()
login_manager = LoginManager()


def _client_key():
    # Rate-limit key for the tip box. The address is used in memory only, never stored or logged.
    from flask import request
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=_client_key, default_limits=[])
