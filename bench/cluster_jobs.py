"""A job for bench/cluster.py (loaded by the worker through JOBS_MODULES; not a benchmark itself): it leaves
one mark file per run in the shared instance folder, so the script can check that each queued job ran once."""
import os

from flask import current_app

from portal.jobs import job


@job("cluster_mark")
def cluster_mark(run, n: int):
    folder = os.path.join(current_app.instance_path, "cluster-marks")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{n}.{os.getpid()}.{run.id}.{run.attempts}"), "w") as f:
        f.write("done")
