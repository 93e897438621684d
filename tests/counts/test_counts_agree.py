"""Every number a page shows about problems or self-checks equals the length of the list it links to,
for every role of the bureau fixture and of the demo bureau (`flask seed-demo`): the home page's
panels, the dashboard, the ledger's counters and the self-check overview. One vocabulary of states."""
import datetime as dt
import html as htmllib
import re

import pytest

from portal.models import Campaign, User
from portal.models.selfcheck import SELFCHECK_STATUSES, SelfCheck
from tests.factories import PASSWORD, make_problem, make_user

LINK = re.compile(r'<a\b[^>]*?href="([^"]+)"[^>]*>(.*?)</a>', re.S)
LEDGER_ROW = re.compile(r'<tr id="row-\d+" class="ledger-row')
PEOPLE_ROW = re.compile(r'<tr class="[^"]*">\s*<td>[^<]*</td><td>[^<]*</td>\s*<td><span class="badge[^"]*">([^<]+)</span>')
NUMBER = re.compile(r"(\d+)")
PAGES = ("/", "/dashboard/", "/ledger/", "/selfcheck/department")


def _text(fragment):
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _get(client, url):
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.get_data(as_text=True)


def ledger_len(client, href):
    return len(LEDGER_ROW.findall(_get(client, href)))


def counted_links(page):
    """(href, number) of every link whose text is a count and that opens a list: the ledger filtered,
    or a department's self-check people."""
    out = []
    for href, inner in LINK.findall(page):
        href = htmllib.unescape(href)
        text = _text(inner)
        m = NUMBER.search(text)
        if not m or "%" in text or "次" in text:  # a rate; actions per month count actions, not problems
            continue
        if re.match(r"^/ledger/(\?|$)", href) and not re.search(r"[?&](page|sort)=", href):
            out.append(("ledger", href, int(m.group(1)), text))
    for m in re.finditer(r'<a href="([^"]*/selfcheck/department\?dept=\d+)" class="bar-link" aria-label="[^"]*?，([^：]+)：(\d+)人"', page):
        out.append(("people", htmllib.unescape(m.group(1)), int(m.group(3)), m.group(2)))
    return out


def check_user(client, auth, username, password, people=()):
    client.post("/logout")
    r = auth.login(username, password)
    assert r.status_code == 302, username
    seen = 0
    for url in PAGES + tuple(f"/people/{uid}" for uid in people):
        r = client.get(url)
        if r.status_code != 200:
            assert r.status_code in (403, 404), (username, url, r.status_code)
            continue
        page = r.get_data(as_text=True)
        for kind, href, n, label in counted_links(page):
            if kind == "ledger":
                assert ledger_len(client, href) == n, (username, url, label, href)
            else:
                rows = PEOPLE_ROW.findall(_get(client, href))
                assert sum(1 for lbl in rows if lbl == label) == n, (username, url, label, href, rows)
            seen += 1
        if url == "/selfcheck/department":
            check_selfcheck_overview(client, username, page)
    return seen


def check_selfcheck_overview(client, username, page):
    """Each department's row (per state) equals its people list, and the labels are the one vocabulary."""
    assert "已提交" not in page and "未提交</th>" not in page and "已审核" not in page
    for m in re.finditer(r'<td><a href="([^"]+)">([^<]+)</a></td>\s*<td class="num">(\d+)</td>(.*?)</tr>', page, re.S):
        href, name, people, cells = htmllib.unescape(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        states = dict(re.findall(r'data-state="(\w+)">(\d+)<', cells))
        rows = PEOPLE_ROW.findall(_get(client, href))
        assert len(rows) == people, (username, name)
        for key, n in states.items():
            assert sum(1 for lbl in rows if lbl == SELFCHECK_STATUSES[key]) == int(n), (username, name, key)


@pytest.fixture
def big_pages(app):
    app.config["PAGE_SIZE"] = 2000


def _selfcheck(user, status, perfunctory=0):
    c = Campaign.active()
    SelfCheck.create(user=user.id, campaign=c.id, status=status, perfunctory_count=perfunctory,
                     versions_count=0 if status in ("not_started", "draft") else 1)


def test_counts_agree_for_every_role_of_the_bureau(ctx, client, auth, bureau, big_pages, travel):
    b = bureau
    travel(dt.date(2026, 12, 3))
    today = dt.date(2026, 12, 3)
    extra = [make_user(f"x{i}", d, real_name=f"职工{i}") for i, d in enumerate((b.fin, b.asset, b.fin, b.asset))]
    people = [b.staff_a, b.staff_a2, b.staff_b, b.head_a, b.head_b] + extra
    for i, p in enumerate(people * 3):
        status = ("pending", "in_progress", "rectified", "closed")[i % 4]
        make_problem(person=p, actor=b.office, status=status, description=f"问题{i}",
                     deadline=today + dt.timedelta(days=(i % 7) - 3))
    # the leader's own problems (in 局领导班子, not a department in their charge) and the office's
    make_problem(person=b.leader, actor=b.office, status="pending", deadline=today - dt.timedelta(days=5),
                 description="分管领导本人的逾期问题")
    make_problem(person=b.leader, actor=b.office, status="in_progress", description="分管领导本人的问题")
    make_problem(person=b.clerk, actor=b.office, status="pending", deadline=today - dt.timedelta(days=1))
    for u, st, pf in ((b.staff_a, "submitted", 0), (b.staff_a2, "returned", 1), (b.staff_b, "approved", 0),
                      (extra[0], "draft", 0), (extra[1], "returned", 0), (b.head_b, "submitted", 1)):
        _selfcheck(u, st, pf)
    roles = [b.chief, b.leader, b.office, b.disc_head, b.head_a, b.head_b, b.staff_a, b.inspector, b.clerk]
    ids = [u.id for u in people] + [b.leader.id, b.clerk.id]
    seen = {u.username: check_user(client, auth, u.username, PASSWORD, ids) for u in roles}
    assert seen["leader"] > 20 and seen["office"] > 20 and seen["head_a"] > 3, seen
    # the leader's ledger without the filter holds their own problems too: the filter matters
    client.post("/logout")
    auth.login(b.leader)
    assert ledger_len(client, "/ledger/") == ledger_len(client, "/ledger/?scope=depts") + 2
    home = _get(client, "/")
    overdue = [int(NUMBER.search(_text(t)).group(1)) for h, t in LINK.findall(home)
               if "overdue=1" in h and "dept=" not in h and NUMBER.search(_text(t))]
    assert len(overdue) == 2 and overdue[0] == overdue[1], overdue  # the two home panels agree
    # the 分管部门 panel's per-department overdue counts add up to the same number
    per_dept = [int(NUMBER.search(_text(t)).group(1)) for h, t in LINK.findall(home)
                if "overdue=1" in h and "dept=" in h and NUMBER.search(_text(t))]
    assert sum(per_dept) == overdue[0], (per_dept, overdue)
    assert "查看分管部门自查情况" in home and "查看本单位自查情况" not in home


def test_a_persons_page_shows_selfcheck_and_problems_within_scope(ctx, client, auth, bureau, big_pages):
    b = bureau
    make_problem(person=b.staff_a, actor=b.office, status="pending", description="李明的问题")
    _selfcheck(b.staff_a, "returned", 1)
    auth.login(b.head_a)
    page = _get(client, f"/people/{b.staff_a.id}")
    assert "已退回" in page and "退回敷衍 1 次" in page and 'id="person-problems"' in page
    assert f"/ledger/?person={b.staff_a.id}" in page.replace("&amp;", "&")
    client.post("/logout")
    auth.login(b.head_b)  # another department's head: not theirs to see
    assert client.get(f"/people/{b.staff_a.id}").status_code == 404
    client.post("/logout")
    auth.login(b.staff_a2)  # a colleague sees neither
    assert client.get(f"/people/{b.staff_a.id}").status_code == 404
    client.post("/logout")
    auth.login(b.sysadmin)  # the administrators see contact details only
    page = _get(client, f"/people/{b.staff_a.id}")
    assert "person-selfcheck" not in page and "person-problems" not in page


def test_counts_agree_on_the_demo_bureau(ctx, client, auth, runner, big_pages):
    r = runner.invoke(args=["seed-demo", "--password", "Demo#Pass2026"])
    assert r.exit_code == 0, r.output
    names = [u.username for u in User.select().where(User.username.startswith("demo-"))
             if u.roles - {"sysadmin", "secadmin", "auditor"}]
    assert len(names) >= 7
    seen = {n: check_user(client, auth, n, "Demo#Pass2026") for n in names}
    assert seen["demo-leader"] > 10 and seen["demo-discipline"] > 10, seen
