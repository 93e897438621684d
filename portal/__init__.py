"""风纪 (Fengji): the 六治六提 campaign portal. create_app() builds the Flask application."""
import importlib
import os
import secrets

from flask import Flask

from .config import DEFAULT_SECRET, Defaults, apply_production, coerce, private_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# one blueprint per area, in navigation order
AREAS = ("auth", "main", "help", "admin", "selfcheck", "tips", "clues", "ledger", "documents",
         "inspections", "dashboard", "reports", "notices", "supervision", "jobs", "publications",
         "outcomes", "campaigns")


def _load_config(app, test_config):
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for key, value in os.environ.items():
        if key.startswith("PORTAL_"):
            app.config[key[len("PORTAL_"):]] = coerce(value)
    if os.environ.get("DATABASE_URL") and not (test_config or {}).get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.update(test_config)


def _ensure_secret(app):
    """Generate a random SECRET_KEY into instance/ on first start; refuse the default in production."""
    if app.config.get("SECRET_KEY") and app.config["SECRET_KEY"] != DEFAULT_SECRET:
        return
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        app.config["SECRET_KEY"] = f.read().strip()


def create_app(test_config=None) -> Flask:
    instance_path = ((test_config or {}).get("INSTANCE_PATH") or os.environ.get("PORTAL_INSTANCE_PATH")
                     or os.path.join(ROOT, "instance"))
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path),
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    private_dir(app.instance_path)  # 0700: the database, the keys and the evidence live here
    _load_config(app, test_config)
    apply_production(app)  # refuses a default secret; Secure cookies and HSTS
    _ensure_secret(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]), x_proto=1)

    from . import cache, db, params, web
    from .extensions import csrf, limiter, login_manager

    cache.clear()  # a new app may sit on a database rebuilt under this process (tests)
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    web.init_app(app)
    params.init_app(app)  # before the blueprints: the bounded <int:> converter, the bad-input guards

    for area in AREAS:
        module = importlib.import_module(f"{__name__}.{area}")
        app.register_blueprint(module.bp)

    from . import cli, health, jobs
    cli.init_app(app)
    health.init_app(app)
    jobs.bind_app_defaults(app)
    return app
