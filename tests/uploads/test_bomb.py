"""A decompression bomb sent to the tip box without logging in is refused from its header, in Chinese,
and the worker does not grow. The upload runs in a fresh process so that its peak resident size
(ru_maxrss) measures this request alone, after a warm-up request through the same path."""
import json
import os
import subprocess
import sys

import pytest

from portal.models.tip import TipFile
from tests.tips.util import org as tips_org
from tests.tips.util import tip_data

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

WORKER = r"""
import io, json, resource, sys
cfg = json.loads(sys.argv[1])
from portal import create_app
from tests.conftest import PortalClient, base_config
from tests.uploads.samples import png_bomb, png_bytes
from tests.tips.util import proof

app = create_app(base_config(cfg["db"], cfg["instance"]))
app.test_client_class = PortalClient
client = app.test_client()

def post(name, data, work):
    form = dict(cfg["form"], **work)  # the page's proof of work, computed before the measured request
    form["files"] = [(io.BytesIO(data), name)]
    return client.post("/tips/", data=form, content_type="multipart/form-data")

warm = post("warm.png", png_bytes((400, 300)), proof(client))
bomb = png_bomb(cfg["w"], cfg["h"], rows=cfg["rows"])
work = proof(client)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = post("bomb.png", bomb, work)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"warm": warm.status_code, "status": r.status_code, "text": r.get_data(as_text=True),
                  "grew_kb": after - before, "bomb_bytes": len(bomb)}))
"""


@pytest.mark.parametrize("w,h,rows", [
    (20_000, 20_000, 16),  # the header claims 400 megapixels, the stream is tiny
    (10_000, 10_000, None),  # 100 megapixels of real (all-zero) rows: under Pillow's own default guard
], ids=["20000x20000", "10000x10000"])
def test_png_bomb_on_the_tip_box_is_refused_without_growing_the_worker(app, db_url, tmp_path, w, h, rows):
    with app.app_context():
        from portal.extensions import db
        with db.connection_context():
            tips_org()
            form = tip_data()
    cfg = {"db": db_url, "instance": str(tmp_path / "worker"), "form": form, "w": w, "h": h, "rows": rows}
    out = subprocess.run([sys.executable, "-c", WORKER, json.dumps(cfg)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["warm"] == 200
    assert res["bomb_bytes"] < 1_000_000  # a small upload
    assert res["status"] == 422
    assert "尺寸过大" in res["text"] and "万像素" in res["text"]
    assert res["grew_kb"] < 50 * 1024, f"the worker grew by {res['grew_kb'] // 1024} MB"
    with app.app_context():
        from portal.extensions import db
        with db.connection_context():
            assert TipFile.select().count() == 1  # the warm-up's picture only
