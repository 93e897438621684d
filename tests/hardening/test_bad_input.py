"""Bad input never gives a 5xx: every GET route of the url_map, as every role and anonymously, with its
path parameters filled with ids that exist (found by following the pages' own links in the demo
bureau), then with hostile query values (huge and negative integers, over-long digit strings, NUL
bytes, Unicode digits, impossible dates) for every parameter name the code reads, and hostile path
parameters. A 4xx, a redirect or the value being ignored are all fine; a 500 is not."""
import os
import re
from urllib.parse import quote, urlencode, urlsplit

from werkzeug.routing import RequestRedirect
from werkzeug.exceptions import HTTPException

from portal import demo
from portal.demo import DEMO_ACCOUNTS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "Demo#Pass2026"
HUGE = "99999999999999999999"
LONG = "9" * 4400  # passes str.isdigit(), but int() refuses more than 4,300 digits
BAD = [HUGE, "-99999999999999999999", "-1", LONG, "a\x00b", "²", "2026-02-30", "x" * 300]
LINK_RE = re.compile(r'(?:href|hx-get|action|src)="(/[^"#]*)"')


def param_names() -> set:
    """Every name the code looks up in a request's arguments or a form, read from the sources (so a new
    parameter is walked without anyone editing this test)."""
    names = set()
    get_re = re.compile(r"""(?:args|values|form|f|request\.\w+)\.get(?:list)?\(\s*["']([a-z][a-z0-9_]*)["']""")
    field_re = re.compile(r"^\s+([a-z][a-z0-9_]*)\s*=\s*\w*Field\(", re.M)
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "portal")):
        for name in files:
            if name.endswith(".py"):
                text = open(os.path.join(folder, name), encoding="utf-8").read()
                names |= set(get_re.findall(text))
                if name.startswith("forms") or "Form)" in text:
                    names |= set(field_re.findall(text))
    return names - {"csrf_token"}


def crawl(client, adapter, samples: dict, start="/"):
    """Follow same-site links breadth first, keeping the first URL seen for each endpoint."""
    todo, seen_endpoints = [start], set()
    while todo:
        url = todo.pop(0)
        path = urlsplit(url).path
        try:
            endpoint, _args = adapter.match(path, method="GET")
        except RequestRedirect:
            continue
        except HTTPException:
            continue
        if endpoint in seen_endpoints or endpoint == "static":
            continue
        seen_endpoints.add(endpoint)
        samples.setdefault(endpoint, url)
        r = client.get(url)
        assert r.status_code < 500, (url, r.status_code)
        if r.mimetype == "text/html":
            todo += [u.replace("&amp;", "&") for u in LINK_RE.findall(r.get_data(as_text=True))]


def fill(rule, samples, bad=None) -> str:
    """A URL for the rule: the crawled sample, or the rule with its parameters set (1 for ints) — or,
    with `bad`, every path parameter set to the bad value."""
    if bad is None and rule.endpoint in samples:
        return urlsplit(samples[rule.endpoint]).path
    out = rule.rule
    for conv, arg in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        value = bad if bad is not None else ("1" if conv == "int" else "x")
        if conv == "int" and bad is not None and not bad.isdigit():
            value = HUGE
        out = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?%s>" % arg, quote(value, safe=""), out)
    return out


def test_every_get_route_survives_hostile_parameters(app, ctx):
    demo.seed(PASSWORD, people=30)
    names = sorted(param_names())
    adapter = app.url_map.bind("localhost")
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
    clients, samples = {}, {}
    for who in [None] + [a[0] for a in DEMO_ACCOUNTS]:
        c = clients[who] = app.test_client()
        if who:
            assert c.post("/login", data={"username": who, "password": PASSWORD}).status_code == 302, who
        crawl(c, adapter, samples.setdefault(who, {}))
    failures, sent = [], 0

    def get(who, url, **kw):
        nonlocal sent
        sent += 1
        r = clients[who].get(url, **kw)
        if r.status_code >= 500:
            failures.append((who, url[:100], r.status_code))
        return r

    for k, rule in enumerate(rules):
        opened = []
        for who in clients:
            base = fill(rule, samples[who])
            first = get(who, base)
            closed = first.status_code in (401, 403) or (
                first.status_code == 302 and "/login" in first.headers.get("Location", ""))
            if not closed:
                opened.append((who, base))
            if rule.arguments:  # hostile path parameters: a bounded <int:> gives 404, others are refused
                for value in (HUGE, "a\x00b"):
                    get(who, fill(rule, samples[who], bad=value))
        # every role that may open the page gets the huge integer; up to four of them (rotating over the
        # routes, so every role is walked) get every hostile value, in full pages and htmx fragments
        rotated = opened[k % len(opened):] + opened[:k % len(opened)] if opened else []
        for n, (who, base) in enumerate(rotated):
            values = BAD if n < 4 else [HUGE]
            for i, value in enumerate(values):
                if value == LONG and n > 0:
                    continue  # 680 KB of query string: once per route is enough
                get(who, f"{base}?{urlencode({name: value for name in names})}",
                    headers={"HX-Request": "true"} if i % 2 else {})
    assert not failures, "\n".join(map(str, failures))
    assert sent > len(rules) * len(clients)


POST_IDENTITIES = [None, "demo-discipline", "demo-head", "demo-inspector", "demo-clerk", "demo-secadmin",
                   "demo-sysadmin"]
POST_BAD = [HUGE, "²", "-1", "x" * 300]


def test_every_post_route_survives_hostile_form_values(app, ctx):
    """The same for forms: every POST route, with every field name set to a hostile value, answers
    4xx (or does the harmless thing), never 5xx. Path ids come from the pages' own links."""
    demo.seed(PASSWORD, people=12)
    names = sorted(param_names())
    adapter = app.url_map.bind("localhost")
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods
             and r.endpoint not in ("auth.logout", "static")]
    failures, known = [], {}
    for who in POST_IDENTITIES:
        c = app.test_client()
        if who:
            assert c.post("/login", data={"username": who, "password": PASSWORD}).status_code == 302, who
        samples = {}
        crawl(c, adapter, samples)
        for url in samples.values():  # path values seen in links, by parameter name
            try:
                known.update({k: str(v) for k, v in adapter.match(urlsplit(url).path)[1].items()})
            except HTTPException:
                pass
        for rule in rules:
            url = rule.rule
            for conv, arg in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
                value = known.get(arg, "1" if conv == "int" else "x")
                url = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?%s>" % arg, quote(value, safe=""), url)
            for i, value in enumerate(POST_BAD):
                form = {name: value for name in names}
                r = c.post(url, data=form, headers={"HX-Request": "true"} if i % 2 else {})
                if r.status_code >= 500:
                    failures.append((who, url, repr(value[:12]), r.status_code))
                if r.status_code in (401, 403) or (r.status_code == 302 and "/login" in r.headers.get("Location", "")):
                    break  # not this role's form: the other values would meet the same door
        if who:
            c.post("/logout")
    assert not failures, "\n".join(map(str, failures))
