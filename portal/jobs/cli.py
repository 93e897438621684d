"""`flask --app app jobs worker` runs the queue; `jobs run NAME` runs one job now, in the foreground."""
import logging
import threading

import click
from flask import current_app

from ..extensions import db
from . import bp
from .queue import JOBS, bind_app, enqueue, huey, worker_id
from .tasks import beat, heartbeat_seconds, reap


def _beating(app, worker, stop: threading.Event):
    with app.app_context():
        every = heartbeat_seconds()
    while not stop.wait(every):
        try:
            with app.app_context(), db.connection_context():
                beat(worker)
                reap()  # a dead worker's running jobs are taken up within a beat or four, not a minute more
        except Exception:  # noqa: BLE001 - a missed beat must not end the worker; the next one retries
            logging.getLogger(__name__).exception("heartbeat failed")


@bp.cli.command("worker")
@click.option("--threads", default=2, show_default=True, help="并行执行的作业数")
def worker_command(threads):
    """Run the job worker: scheduled notices, batch printing, reports, mail, backups."""
    from huey.consumer import Consumer
    from . import load_modules
    app = current_app._get_current_object()
    app.config["PDF_RENDERER"] = "inline"  # the job worker is where PDFs are made (portal/pdfs.py)
    load_modules(app)
    bind_app(app)
    huey.immediate = False
    worker = worker_id()
    with db.connection_context():
        beat(worker)
        reap()  # runs left by a worker that died before this one started
    stop = threading.Event()
    threading.Thread(target=_beating, args=(app, worker, stop), daemon=True).start()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    click.echo(f"作业进程已启动：{worker}，{threads} 个执行线程")
    try:
        Consumer(huey, workers=threads, worker_type="thread", periodic=True, check_worker_health=True,
                 max_delay=2.0).run()
    finally:
        stop.set()


@bp.cli.command("run")
@click.argument("name")
def run_command(name):
    """Run one job now in this process (e.g. `jobs run notices`)."""
    from . import load_modules
    load_modules(current_app)
    if name not in JOBS:
        raise click.ClickException(f"没有名为 {name} 的作业：{'、'.join(sorted(JOBS))}")
    huey.immediate = True
    with db.connection_context():
        run = enqueue(name)
    click.echo(f"作业 {name} #{run.id}：{run.status_label}")
