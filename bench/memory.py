"""A web worker's memory (RSS) after a day's mix of pages: `.venv/bin/python bench/memory.py [--rounds 30]`.

For each database (bench/common.py), in a fresh process: the resident memory of a fresh process (the data seeded by another one) after create_app, after rounds
of the pages a day brings (ledger, a search, the dashboard, clues, notices, home) — and whether WeasyPrint was
loaded by any of them — and, for comparison, after one PDF made in the same process. Goal (issue 16): ≤ 120 MB
after the mix; PDFs are made where WeasyPrint is loaded (the job worker), never by the pages above.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, each_database  # noqa: E402

SEED = r'''
import json, sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import ledger
app, _office, depts = ledger.build({url!r}, {tmp!r}, 2000, staff=500)
print("DEPTS" + json.dumps(list(depts)))
'''

CHILD = r'''
import sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
import ledger
from portal import create_app
app = create_app(ledger.config({url!r}, {tmp!r}))
depts = {depts!r}
base = rss()
app.config["WTF_CSRF_ENABLED"] = False
c = ledger.login_client(app, "u00000")
for i in range({rounds}):
    for u in ("/ledger/", f"/ledger/?dept={{depts[i % len(depts)]}}", "/ledger/?q=迟到", "/dashboard/", "/clues/",
              "/notices/", "/", f"/ledger/?page={{i + 2}}"):
        c.get(u)
day = rss()
loaded = "weasyprint" in sys.modules
import weasyprint
weasyprint.HTML(string="<p>测试</p>").write_pdf()
print(f"  a fresh worker process after create_app {{base:6.1f}} MiB; after {rounds} rounds of pages {{day:6.1f}} MiB "
      f"(×{{day / base:.2f}}), WeasyPrint loaded by them: {{loaded}}; goal ≤ 120 MiB: {{'ok' if day <= 120 else 'MISSED'}}")
print(f"  the same process after one PDF made in it: {{rss():6.1f}} MiB (×{{rss() / base:.2f}}) — why PDFs are made by the job worker")
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    a = ap.parse_args()

    def run(url, tmp):
        here = os.path.dirname(os.path.abspath(__file__))
        # the data is seeded by one process, measured by another: a web worker never seeds a bureau
        seed = subprocess.run([sys.executable, "-c", SEED.format(root=ROOT, bench=here, url=url, tmp=tmp)],
                              capture_output=True, text=True)
        if seed.returncode:
            print(seed.stderr[-2000:])
            sys.exit(1)
        depts = json.loads(next(line[5:] for line in seed.stdout.splitlines() if line.startswith("DEPTS")))
        code = CHILD.format(root=ROOT, bench=here, url=url, tmp=tmp, rounds=a.rounds, depts=depts)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        print("\n".join(line for line in out.stdout.splitlines() if "built" not in line))
        if out.returncode:
            print(out.stderr[-2000:])
            sys.exit(1)
    each_database("memory", run)


if __name__ == "__main__":
    main()
