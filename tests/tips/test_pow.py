"""Anti-spam on submission: a proof of work computed by the page (here: in Python), verified on submit,
single use, signed by the server, with a clear Chinese message when it is missing or wrong — and nothing
about the reporter kept."""
import datetime as dt
import re

from portal.models.tip import PowStamp, Tip

from .util import proof, solve, submit

ERROR_RE = re.compile(r"data-pow-error>([^<]+)<")


def _pow_error(r):
    m = ERROR_RE.search(r.get_data(as_text=True))
    return m.group(1) if m else ""


def test_the_form_carries_a_signed_challenge_and_loads_the_work_script(client, ctx):
    page = client.get("/tips/").get_data(as_text=True)
    assert 'name="pow_challenge"' in page and 'data-pow-bits="16"' in page
    assert "js/tips-pow.js" in page and "js-sha256" in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None  # no inline script (strict CSP)


def test_without_the_work_the_form_is_refused_with_a_chinese_message_and_kept(client, ctx):
    body = "没有完成防刷验证的提交，内容必须保留。"
    r, code, _ = submit(client, pow=False, body=body)
    assert r.status_code == 422 and code is None
    assert "防刷验证" in _pow_error(r) and "内容已保留" in _pow_error(r)
    assert body in r.get_data(as_text=True)
    assert Tip.select().count() == 0


def test_wrong_work_or_a_forged_challenge_is_refused(client, ctx):
    p = proof(client)
    wrong = str(int(p["pow_nonce"]) + 1)
    while solve(p["pow_challenge"], 16) == wrong:  # pragma: no cover - the next number is almost never a solution
        wrong = str(int(wrong) + 1)
    r, _, _ = submit(client, pow=False, pow_challenge=p["pow_challenge"], pow_nonce="abc")
    assert r.status_code == 422 and "未通过" in _pow_error(r)
    # an easier challenge made up by a client: the signature does not match
    payload, sig = p["pow_challenge"].rsplit(".", 1)
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "AB") + "." + sig
    r, _, _ = submit(client, pow=False, pow_challenge=forged, pow_nonce=solve(forged, 1))
    assert r.status_code == 422 and "未通过" in _pow_error(r)
    assert Tip.select().count() == 0


def test_a_challenge_is_spent_once_and_only_its_hash_is_kept(client, ctx):
    p = proof(client)
    r, code, _ = submit(client, pow=False, **p)
    assert r.status_code == 200 and code
    r, code, _ = submit(client, pow=False, **p)  # the same form sent again
    assert r.status_code == 422 and code is None and "未通过" in _pow_error(r)
    assert Tip.select().count() == 1
    stamp = PowStamp.get()
    assert stamp.digest != p["pow_challenge"] and p["pow_challenge"] not in stamp.digest
    assert (stamp.expires_at.minute, stamp.expires_at.second) == (0, 0)  # the hour only
    assert [c.name for c in PowStamp._meta.sorted_fields] == ["digest", "expires_at"]


def test_an_old_challenge_has_expired(client, ctx, travel):
    start = dt.datetime(2026, 12, 3, 9, 0, 0)
    travel(start)
    p = proof(client)
    travel(start + dt.timedelta(minutes=121))
    r, _, _ = submit(client, pow=False, **p)
    assert r.status_code == 422 and "过期" in _pow_error(r)
    # the page answered with a fresh challenge, and the work on it is accepted
    r, code, _ = submit(client)
    assert r.status_code == 200 and code


def test_spent_challenges_are_forgotten_after_they_expire(client, ctx, travel):
    start = dt.datetime(2026, 12, 3, 9, 0, 0)
    travel(start)
    submit(client)
    assert PowStamp.select().count() == 1
    travel(start + dt.timedelta(hours=4))
    submit(client)
    assert PowStamp.select().count() == 1  # the old hash is gone, the new one is there
