"""工作看板 /dashboard: the campaign's numbers as charts (server-rendered SVG) with data tables, each bar
linking to the ledger filtered to the problems it counts."""
from urllib.parse import quote_plus

from flask import current_app, g, render_template, url_for
from markupsafe import Markup
from flask_login import current_user

from .. import cache, clock
from ..htmx import render
from ..models import SOURCES, STATUSES, Department
from ..nav import home_panel, register_nav
from ..permissions import can, require
from . import bp, queries, service, sources
from .charts import Bar, Chart, Seg, layout

STATUS_KEYS = ("pending", "in_progress", "rectified", "closed")


# the ledger's filter parameters (portal/ledger/forms.py parse_filters)
LEDGER_PARAMS = {"department": "dept", "category": "cat", "source": "source", "severity": "severity",
                 "status": "status", "overdue": "overdue", "aspect": "aspect", "action": "action",
                 "action_month": "action_month", "self_reported": "self_reported"}


def _ledger_base():
    """The ledger's address, once per request; for a viewer who oversees some departments only (a
    分管领导) with scope=depts, so the ledger lists the departments the numbers count and not also the
    viewer's own problems elsewhere."""
    base = getattr(g, "_ledger_base", None)
    if base is None:
        from flask_login import current_user
        limited = current_user.is_authenticated and queries.scope_departments(current_user) is not None
        base = g._ledger_base = url_for("ledger.index") + ("?scope=depts" if limited else "")
    return base


def ledger_url(**params):
    """The ledger list filtered to exactly the problems a number counts: department=<id>,
    category=<category id>, source, severity, status, overdue=1. (Hundreds per page: the base address
    is built once per request.)"""
    q = "&".join(f"{LEDGER_PARAMS[k]}={_quoted(f'c{v}' if k == 'category' else v)}"
                 for k, v in params.items() if v is not None)
    base = _ledger_base()
    return base + (("&" if "?" in base else "?") + q if q else "")


_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def _quoted(v):
    """A query-string value as urlencode writes it (ids, keys and months need no quoting: the fast path)."""
    v = str(v)
    return v if _SAFE.issuperset(v) else quote_plus(v)


def clue_url(**params):
    return url_for("clues.index", **params)


def selfcheck_url(dept_id):
    """The self-check department overview of one department."""
    return url_for("selfcheck.department", dept=dept_id)


def status_charts(p):
    return {"status": layout(Chart(
        "c-status", "各部门问题整改情况",
        [Bar(d["name"], [Seg(s, STATUSES[s], d[s], ledger_url(department=d["id"], status=s))
                         for s in STATUS_KEYS],
             href=ledger_url(department=d["id"]),
             note=(f"整改率 {d['rate']:g}%" if d["rate"] is not None else ""))
         for d in p["departments"]],
        legend=[(s, STATUSES[s]) for s in STATUS_KEYS])),
        "overdue": layout(Chart(
            "c-overdue", "逾期未整改问题（按部门）",
            [Bar(d["name"], [Seg("overdue", "逾期", d["overdue"], ledger_url(department=d["id"], overdue=1))],
                 href=ledger_url(department=d["id"], overdue=1))
             for d in p["departments"]],
            legend=[("overdue", "逾期未整改")]))}


def category_charts(p):
    return {"category": layout(Chart(
        "c-category", "问题按整顿重点分类",
        [Bar(c["name"], [Seg("cat", c["title"] or c["name"], c["n"],
                             ledger_url(category=c["id"]) if c["id"] else None)],
             href=ledger_url(category=c["id"]) if c["id"] else None)
         for c in p["by_category"]])),
        "aspect": layout(Chart(
            "c-aspect", "问题按方面分类",
            [Bar(a["name"], [Seg("asp", a["name"], a["n"], ledger_url(aspect=a["id"] or "none"))],
                 href=ledger_url(aspect=a["id"] or "none"))
             for a in p["by_aspect"]]))}


def source_charts(p):
    split = p["self_split"]
    return {"source": layout(Chart(
        "c-source", "问题来源：自查从宽、被查从严",
        [Bar("自查发现（从宽）", [Seg("self", "自查发现", split["self"], ledger_url(self_reported=1))],
             href=ledger_url(self_reported=1)),
         Bar("被查发现（从严）", [Seg("others", "被查发现", split["others"], ledger_url(self_reported=0))],
             href=ledger_url(self_reported=0))]
        + [Bar(f"其中：{SOURCES[s]}", [Seg("src-" + ("self" if s == "selfcheck" else "others"), SOURCES[s], n,
                                         ledger_url(source=s))], href=ledger_url(source=s))
           for s, n in p["by_source"].items()],
        legend=[("self", "自查发现"), ("others", "被查发现")]))}


def selfcheck_charts(sc):
    if sc is None:
        return {}
    return {"selfcheck": layout(Chart(
        "c-selfcheck", "个人自查进度（按部门）",
        [Bar(d["name"], [Seg(k, lbl, d.get(k, 0), selfcheck_url(d["id"])) for k, lbl in sc["legend"]],
             href=selfcheck_url(d["id"]), note=f"退回敷衍 {d['perfunctory']}" if d["perfunctory"] else "")
         for d in sc["departments"]],
        legend=sc["legend"], unit="人"))}


def clue_charts(cl):
    status = [dict(r, href=clue_url(status=r["key"]) if cl["linkable"] else None) for r in cl["by_status"]]
    channel = [dict(r, href=clue_url(channel=r["key"]) if cl["linkable"] else None) for r in cl["by_channel"]]
    return {"clue_status": layout(Chart(
        "c-clue-status", "问题线索按办理状态",
        [Bar(r["label"], [Seg("clue", r["label"], r["n"], r["href"])], href=r["href"]) for r in status], unit="条")),
        "clue_channel": layout(Chart(
            "c-clue-channel", "问题线索按来源渠道",
            [Bar(r["label"], [Seg("clue", r["label"], r["n"], r["href"])], href=r["href"]) for r in channel],
            unit="条"))}


def action_charts(ac):
    return {"actions": layout(Chart(
        "c-actions", "通报、提醒、约谈（按月）",
        # a segment lists the problems with such an action in that month (one problem with two
        # actions of a kind in one month is counted twice here, once in the ledger)
        [Bar(m["label"], [Seg(k, lbl, m.get(k, 0), ledger_url(action=k, action_month=f"{m['month']:%Y-%m}"))
                          for k, lbl in ac["legend"]]) for m in ac["months"]],
        legend=ac["legend"], unit="次"))}


def build_charts(data):
    p = data["problems"]
    return {**selfcheck_charts(data.get("selfcheck")), **status_charts(p), **category_charts(p),
            **source_charts(p), **clue_charts(data["clues"]), **action_charts(data["actions"])}


def scope_note(user):
    from .queries import scope_departments
    depts = scope_departments(user)
    if depts is None:
        return "全局各部门"
    if not depts:
        return "（尚未设定分管部门）"
    names = [d.name for d in Department.select(Department.name).where(Department.id.in_(list(depts)))
             .order_by(Department.sort_order, Department.id)]
    return "您分管的部门：" + "、".join(names)


@bp.route("/")
@require("dashboard.view")
def index():
    body = render_body(current_user)
    return render("dashboard/page.html", None, body=body)


def render_body(user):
    """The page's content. Rendering hundreds of bars and links costs more than the numbers, so the
    HTML is cached too, keyed by the same data versions and the clue numbers (read fresh); after a write,
    each part of it is rendered again only if its own numbers moved (parts are kept by content)."""
    depts = queries.scope_departments(user)
    clues = sources.clue_stats(user, depts)

    def make():
        data = service.bundle(user)
        return Markup("".join(_parts(user, data, clues)))
    key = cache.key("body", depts, clock.today(), repr(clues), on=service.ON)
    return cache.memo("dashboard", key, make)


def _parts(user, data, clues):
    """(macro of templates/dashboard/_body.html, its arguments' inputs, how to make the arguments)."""
    p = data["problems"]
    sc = data.get("selfcheck")
    note = scope_note(user)
    yield _part("head", (note, p["today"]), lambda: (note, p))
    yield _part("counters", (p["total"], p["self_split"]), lambda: (p,))
    yield _part("selfcheck", sc, lambda: ({"selfcheck": sc}, selfcheck_charts(sc)))
    yield _part("status", (p["departments"], p["total"]), lambda: (p, status_charts(p)))
    yield _part("categories", (p["by_category"], p["by_aspect"]), lambda: (category_charts(p),))
    yield _part("sources", (p["by_source"], p["self_split"]), lambda: (source_charts(p),))
    yield _part("clues", clues, lambda: (clue_charts(clues),))
    yield _part("actions", data["actions"], lambda: (action_charts(data["actions"]),))


def _macros():
    """templates/dashboard/_body.html's macros, with the names they use (once per request)."""
    m = getattr(g, "_dashboard_macros", None)
    if m is None:
        m = g._dashboard_macros = current_app.jinja_env.get_template("dashboard/_body.html").make_module(
            {"ledger_url": ledger_url, "STATUSES": STATUSES, "STATUS_KEYS": STATUS_KEYS, "SOURCES": SOURCES})
    return m


@bp.app_template_global("dashboard_bar")
def dashboard_bar(c, b):
    """One bar of a chart as SVG (templates/dashboard/_chart.html `bar`), kept by content: its geometry,
    numbers, words and links."""
    key = cache.content_key("bar", c.id, c.unit, c.label_w, b.label, b.href, b.note, b.y, b.w,
                            tuple((s.key, s.label, s.value, s.href, s.x, s.w) for s in b.segs))

    def make():
        return str(current_app.jinja_env.get_template("dashboard/_chart.html").module.bar(c, b))
    return Markup(cache.memo("dashboard_bars", key, make))


def _part(name, inputs, args):
    """One part's HTML, kept by content: the key holds every number it shows and the ledger address its
    links start from (which depends on the viewer's scope), so no write can make it wrong."""
    key = cache.content_key(name, _ledger_base(), repr(inputs))

    def make():
        return str(getattr(_macros(), name)(*args()))
    return cache.memo("dashboard_parts", key, make)


register_nav("工作看板", "dashboard.index", lambda u: can(u, "dashboard.view"), order=80)


@home_panel(order=20)
def key_numbers_panel(user):
    if not can(user, "dashboard.view"):
        return None
    p = service.problem_stats(user)
    return render_template("dashboard/_home_panel.html", t=p["total"], split=p["self_split"],
                           ledger_url=ledger_url)
