import pytest
from flask import g


@pytest.fixture(autouse=True)
def _fresh_login_per_request(app):
    """With the `ctx` fixture the app context (and `g`) outlives each request, so Flask-Login would
    keep the first request's user for every later request — even from another client. Forget it at
    the start of each request so each client is itself."""
    def forget():
        g.pop("_login_user", None)
    app.before_request_funcs.setdefault(None, []).insert(0, forget)
