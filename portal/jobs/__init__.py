"""Background jobs: the worker process, the job queue (Huey over the portal's database) and the system
administrator's page of jobs. Nothing here runs inside a user's request except enqueue()."""
import importlib

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

from .queue import JOBS, bind_app, enqueue, huey, job, progress  # noqa: E402,F401
from . import tasks  # noqa: E402,F401 - registers the scheduled jobs
from . import cli, views  # noqa: E402,F401


def load_modules(app) -> None:
    """Modules named in JOBS_MODULES register more jobs (areas, and tests' sample jobs)."""
    names = app.config.get("JOBS_MODULES") or ()
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    for name in names:
        importlib.import_module(name)


def bind_app_defaults(app) -> None:
    """Called by create_app: immediate mode from the config, extra job modules loaded."""
    huey.immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    load_modules(app)
