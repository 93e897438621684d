"""Tip box timings, one process, on SQLite and PostgreSQL (bench/common.py), production Argon2 parameters.

    .venv/bin/python bench/tips.py                 # 10 submissions with one 5 MB file, 10 follow-up logins
    .venv/bin/python bench/tips.py --runs 30 --mb 20 --clues 5000

Prints the median and p90 of:
  - submitting a tip with one evidence file (the whole request: form, type check, AES-GCM sealing of the
    content and the file, storing it, the Argon2 hash of code + password, the clue with its number);
  - the follow-up login on /tips/track (one Argon2 verification; deliberately slow);
  - Argon2 hash / verify alone, and AES-GCM seal / open of the file alone;
  - the clue ledger list page for the discipline office with N clues.
"""
import argparse
import hashlib
import io
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import each_database  # noqa: E402  (puts the project on sys.path)

from portal import campaigns, create_app  # noqa: E402
from portal import db as portal_db  # noqa: E402
from portal.extensions import db  # noqa: E402


BASE = {}  # the login page's median (ms) measured in this run: each figure is also shown as a multiple of it


def stats(name, values, unit="ms"):
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    med = statistics.median(values)
    ratio = f"   {med / BASE['login']:8.1f} × the login page" if BASE.get("login") else ""
    print(f"{name:<46} median {med:8.1f} {unit}   p90 {p90:8.1f} {unit}   n={len(values)}{ratio}")


def pdf_bytes(size):
    """A well-formed one-page PDF carrying `size` random bytes in a stream (the upload check opens PDFs)."""
    blob = os.urandom(size)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"<< /Length %d >>\nstream\n" % len(blob) + blob + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--mb", type=int, default=5)
    ap.add_argument("--clues", type=int, default=1000)
    args = ap.parse_args()
    each_database("tips", lambda url, tmp: run(args, url, tmp))


def run(args, url, tmp):
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url,
                      "INSTANCE_PATH": os.path.join(tmp, "instance"), "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, "TIPS_POW_BITS": 1, "TOTP_ENFORCED": False, "UPLOAD_MAX_BYTES": max(20, args.mb + 1) * 1024 * 1024})
    cfg = app.config
    print(f"Argon2id: time_cost={cfg['ARGON2_TIME_COST']} memory={cfg['ARGON2_MEMORY_COST'] // 1024} MiB "
          f"parallelism={cfg['ARGON2_PARALLELISM']}; file {args.mb} MB; {url.split(':')[0]}")
    with app.app_context():
        portal_db.upgrade()
        from portal import crypto
        from portal.accounts import create_user
        from portal.models import Department
        from portal.passwords import hasher
        from portal.tips import service as tips
        with db.connection_context():
            campaigns.load_default()
            dept = Department.create(name="机关党委（纪委）")
            create_user("bench-office", "郑清源", dept, "Bench@Pass2026", roles=["discipline", "staff"],
                        must_change=False)
        payload = pdf_bytes(args.mb * 1024 * 1024)
        client = app.test_client()
        client.get("/login")
        login = sorted(timed(lambda: client.get("/login"))[0] for _ in range(20))
        BASE["login"] = login[len(login) // 2]
        print(f"baseline: the login page, median {BASE['login']:.1f} ms")
        submit_ms, codes = [], []
        for i in range(args.runs):
            page = client.get("/tips/").get_data(as_text=True)  # the proof of work the page's script does
            challenge = re.search(r'name="pow_challenge" type="hidden" value="([^"]*)"', page).group(1)
            from portal.tips.pow import zero_bits
            nonce = next(n for n in range(10 ** 7) if zero_bits(hashlib.sha256(f"{challenge}:{n}".encode()).digest()) >= 1)
            data = {"pow_challenge": challenge, "pow_nonce": str(nonce), "subject_name": "李明", "subject_department": "-1", "subject_department_other": "财务科",
                    "item": "0", "body": "上班时间多次用办公电脑玩网络游戏。" * 10, "identity": "anonymous",
                    "password_mode": "generate", "files": [(io.BytesIO(payload), "证据.pdf")]}
            ms, r = timed(lambda: client.post("/tips/", data=data, content_type="multipart/form-data"))
            assert r.status_code == 200, (r.status_code, re.findall(r"(?:error|errors)[^>]*>([^<]+)<", r.get_data(as_text=True))[:5])
            text = r.get_data(as_text=True)
            codes.append((re.search(r"data-receipt-code>([^<]+)<", text).group(1),
                          re.search(r"data-receipt-password>([^<]+)<", text).group(1)))
            submit_ms.append(ms)
        track_ms = []
        for code, pw in codes:
            c = app.test_client()
            ms, r = timed(lambda: c.post("/tips/track", data={"code": code, "password": pw}))
            assert r.status_code == 302
            track_ms.append(ms)
        wrong_ms = []
        for code, _ in codes[:5]:
            c = app.test_client()
            ms, r = timed(lambda: c.post("/tips/track", data={"code": code, "password": "wrong-password"}))
            assert r.status_code == 401
            wrong_ms.append(ms)
        h = hasher()
        hash_ms, verify_ms = [], []
        for _ in range(args.runs):
            ms, digest = timed(lambda: h.hash("1234567812345678\x00ABCD-EFGH-JKMN-PQRS"))
            hash_ms.append(ms)
            verify_ms.append(timed(lambda: h.verify(digest, "1234567812345678\x00ABCD-EFGH-JKMN-PQRS"))[0])
        seal_ms, open_ms = [], []
        for _ in range(args.runs):
            ms, blob = timed(lambda: crypto.seal_bytes(payload, "bench|file"))
            seal_ms.append(ms)
            open_ms.append(timed(lambda: crypto.open_bytes(blob, "bench|file"))[0])
        stats(f"submit tip + one {args.mb} MB file (whole request)", submit_ms)
        stats("follow-up login, right password (whole request)", track_ms)
        stats("follow-up login, wrong password (whole request)", wrong_ms)
        stats("Argon2 hash (code + password)", hash_ms)
        stats("Argon2 verify", verify_ms)
        stats(f"AES-GCM seal {args.mb} MB", seal_ms)
        stats(f"AES-GCM open {args.mb} MB", open_ms)

        # the list page with many clues (content sealed like real ones, cheap verifier to save time)
        with db.connection_context():
            from portal.models.tip import Clue, Tip
            from portal.clues import service as clues
            import datetime as dt
            from portal import clock
            have = Clue.select().count()
            with db.atomic():
                for i in range(have, args.clues):
                    tip = Tip(channel="phone", named=False, received_on=clock.today() - dt.timedelta(days=i % 200),
                              subject_key=tips.subject_key(f"人员{i % 300}"), sealed="")
                    tip.sealed = crypto.seal({"subject": {"name": f"人员{i % 300}"}, "body": "内容", "reporter": None},
                                             tip.aad())
                    tip.save(force_insert=True)
                    clues.open_clue(tip)
        office = app.test_client()
        r = office.post("/login", data={"username": "bench-office", "password": "Bench@Pass2026"})
        assert r.status_code == 302 and "/login" not in r.headers["Location"], (r.status_code, r.headers)

        def page(url, **kw):  # a page that really is the clue list, not a redirect to a sign-in step
            ms, r = timed(lambda: office.get(url, **kw))
            assert r.status_code == 200 and "clue" in r.get_data(as_text=True), (url, r.status_code)
            return ms
        list_ms = [page("/clues/") for _ in range(args.runs)]
        filt_ms = [page("/clues/?status=pending&deadline=overdue", headers={"HX-Request": "true"})
                   for _ in range(args.runs)]
        stats(f"clue list page, {args.clues} clues (discipline)", list_ms)
        stats("clue list htmx filter (overdue, pending)", filt_ms)


if __name__ == "__main__":
    main()
