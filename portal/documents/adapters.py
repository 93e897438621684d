"""Data of the portal → the engine's doc dicts (see render.py's docstring), and small things the register
needs around the engine: the 草稿 watermark, the preview page served in a sandboxed frame."""
from __future__ import annotations

import datetime as dt
import io
import re
import threading

from flask import current_app, has_app_context


DEFAULT_ORGAN = "××市机关事务管理局"
CN_NUM = "一二三四五六七八九十"


def organ_name() -> str:
    if has_app_context():
        return current_app.config.get("DOCUMENT_ORGAN") or DEFAULT_ORGAN
    return DEFAULT_ORGAN


def default_fields(kind: str) -> dict:
    """What a new draft of ``kind`` starts with."""
    o = organ_name()
    base = dict(signature=o, printer=o + "办公室", organ="")
    if kind in ("circular", "notice", "report", "supervision-notice"):
        base["organ"] = o + "文件"
    elif kind in ("reminder-letter", "talk-notice"):
        base["organ"] = o
        base["printer"] = ""
    elif kind == "minutes":
        base["organ"] = o + "党组会议纪要"
        base["signature"] = ""                     # 纪要: no 署名 and no seal, the date alone under the lists
    if kind == "report":
        base["addressees"] = "市纪委监委派驻纪检组，市纪工委，市纠风办"
    elif kind in ("circular", "notice"):
        base["addressees"] = "机关各科室，各事业单位"
    if kind in ("work-plan", "department-report"):
        base["printer"] = ""
    return base


def cn_index(i: int) -> str:
    if i <= 10:
        return CN_NUM[i - 1]
    if i < 20:
        return "十" + CN_NUM[i - 11]
    return CN_NUM[i // 10 - 1] + "十" + (CN_NUM[i % 10 - 1] if i % 10 else "")


def uploaded_pdfs(extra: dict) -> list:
    """The uploaded PDF attachments' bytes by attachment number - 1 (None where there is none)."""
    from .. import uploads
    out = []
    for item in extra.get("attachment_pdfs") or []:
        out.append(uploads.load(item["key"]) if isinstance(item, dict) and item.get("key") else None)
    return out


# ---------------------------------------------------------------- register Document → doc
def document_to_doc(doc, number=None, seal_png=None) -> dict:
    """A register Document as the engine's doc dict."""
    from . import content
    from .drafts import linked_problems
    extra = doc.extra_dict
    body, tables = content.extract_tables(doc.body)
    d = dict(kind=doc.kind, organ=doc.organ, number=number, title=doc.title, addressees=doc.addressees,
             body=body, tables=tables,
             attachments=content.attachments(doc.attachment_list, extra.get("attachment_bodies") or [],
                                             uploaded_pdfs(extra)),
             signature=doc.signature, date=doc.doc_date or None, seal=bool(doc.seal),
             seal_png=seal_png if doc.seal else None, note=doc.note, copy_to=doc.copy_to, printer=doc.printer,
             print_date=doc.print_date or doc.doc_date or None, **content.header_fields(extra))
    if doc.kind == "report":
        d["signer"] = doc.signer
    if doc.kind == "minutes":
        for k in ("attendees", "absent", "observers"):
            d[k] = str(extra.get(k) or "")
    if doc.kind == "circular" and doc.id:
        probs = linked_problems(doc)
        if probs:
            d["body"] = (d["body"] or "").rstrip("\n") + "\n" + problems_text(probs)
    return d


def problems_text(problems) -> str:
    """The named Problems as numbered body lines (they stay on the 22 × 28 grid, unlike a table)."""
    lines = ["被通报问题清单："]
    for i, p in enumerate(problems, 1):
        who = f"{p.person.real_name}（{p.department.name}）" if p.person_id else p.department.name
        lines.append(f"{i}.{who}：{_sentence(p.description)}整改状态：{p.status_label}。")
    return "\n".join(lines)


# ---------------------------------------------------------------- self-check version → 个人对照检查材料
ASPECT_WORDS = {"thought": "思想", "study": "学习", "work": "工作", "life": "生活", "style": "作风"}


def _date_text(v) -> str:
    if not v:
        return ""
    if isinstance(v, (dt.date, dt.datetime)):
        return f"{v.year}年{v.month}月{v.day}日"
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", str(v))
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日" if m else str(v)


def _sentence(text: str) -> str:
    text = (text or "").strip()
    return text if not text or text[-1] in "。！？；" else text + "。"


def selfcheck_to_doc(content: dict, intro: str | None = None) -> dict:
    """SelfCheckVersion.content (the submitted snapshot) → the self-check-report doc dict: one section per
    category, each problem with its aspect, description, measure and deadline."""
    person = content.get("person") or {}
    campaign = content.get("campaign") or {}
    labels = ASPECT_WORDS
    items = sorted(content.get("items") or [], key=lambda it: (it.get("seq") or 0))
    cats: dict = {}
    for it in items:
        key = it.get("category") or it.get("category_title") or ""
        cats.setdefault(key, {"title": str(key), "items": []})["items"].append(it)
    out, total = [], 0
    for cat in cats.values():
        parts, n = [], 0
        for it in cat["items"]:
            for p in (it.get("problems") or []) if not it.get("no_problem") else []:
                n += 1
                aspect = labels.get(p.get("aspect"), p.get("aspect") or "")
                desc = _sentence(p.get("description"))
                head = f"（{cn_index(n)}）{aspect}方面。" if aspect else f"（{cn_index(n)}）"
                line = head + f"对照“{(it.get('text') or '').strip().rstrip('。')}”，{desc}"
                parts.append(line)
                tail = []
                if p.get("measure"):
                    tail.append("整改措施：" + _sentence(p["measure"]))
                if p.get("fixed_at_once"):
                    tail.append("已立行立改。")
                elif p.get("deadline"):
                    tail.append(f"整改时限：{_date_text(p['deadline'])}。")
                if tail:
                    parts.append("".join(tail))
        total += n
        title = cat["title"]
        if n:
            out.append(dict(q=f"关于{title}方面存在的问题", a="\n".join(parts)))
        else:
            out.append(dict(q=f"关于{title}方面", a=f"经逐项对照检查，本人在{title}方面未发现明显问题，今后将继续严格要求自己。"))
    cname = campaign.get("name") or "“六治六提”干部队伍作风纪律整顿"
    body = intro if intro is not None else (
        f"按照{cname}工作部署要求，本人认真学习了整顿工作方案，对照整顿重点逐项开展自查自纠，"
        f"深入查找自身在思想、学习、工作、生活、作风等方面存在的问题，共查找问题{total}条。现将个人对照检查情况报告如下。")
    name = person.get("name") or ""
    submitted = content.get("submitted_at")
    date = None
    if submitted:
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(submitted))
        if m:
            date = dt.date(int(m[1]), int(m[2]), int(m[3]))
    title = "“六治六提”干部队伍作风纪律整顿\n个人对照检查材料"
    return dict(kind="self-check-report", title=title, person=name, department=person.get("department") or "",
                signature=name, date=date, body=body, items=out, seal=False)


# ---------------------------------------------------------------- department report → 单位自查自纠情况报告
def department_report_to_doc(report: dict) -> dict:
    """{"department", "campaign"?, "summary"?, "body"?, "problems": [{"category","description","measure",
    "deadline","status"?}], "date"?} → the department-report doc dict (a problem table at [[表格1]])."""
    dept = report.get("department") or ""
    problems = report.get("problems") or []
    rows = [[str(i), p.get("category") or "", p.get("description") or "", p.get("measure") or "",
             "立行立改" if p.get("fixed_at_once") else _date_text(p.get("deadline"))]
            for i, p in enumerate(problems, 1)]
    table = dict(caption=f"{dept}自查问题清单", header=["序号", "问题类别", "问题表现", "整改措施", "整改时限"],
                 widths=[1.6, 2.6, 8, 8, 3], rows=rows)
    body = report.get("body")
    if not body:
        summary = report.get("summary") or (
            f"按照局党组工作方案要求，{dept}组织全体干部职工对照整顿重点深入开展自查自纠，"
            f"共查找问题{len(problems)}条。现将有关情况报告如下。")
        body = "\n".join([summary, "一、查找问题情况", "具体情况见下表。", "[[表格1]]" if rows else "经对照检查，未发现问题。",
                          "二、下一步工作打算", report.get("next_steps") or "持续推进整改，确保问题按期整改到位，建立健全长效机制。"])
    return dict(kind="department-report", title=f"{dept}“六治六提”干部队伍作风纪律整顿自查自纠情况报告",
                addressees=report.get("addressees") or "局“六治六提”工作领导小组办公室", body=body,
                tables=[table] if rows else [], signature=dept, date=report.get("date"), seal=False)


# ---------------------------------------------------------------- ledger actions (ProblemAction)
def action_draft(action, problem) -> dict:
    """Fields of a 提醒函 / 约谈通知书 draft generated from a ledger action on a Problem."""
    kind = "talk-notice" if getattr(action, "kind", "") == "talk" else "reminder-letter"
    who = problem.person.real_name if problem.person_id else problem.department.name
    addressee = f"{who}同志" if problem.person_id else problem.department.name
    desc = _sentence(problem.description)
    note = (getattr(action, "note", "") or "").strip()
    when = getattr(action, "date", None)
    fields = default_fields(kind)
    from .. import clock
    fields.update(kind=kind, addressees=addressee, doc_date=clock.today())
    if kind == "talk-notice":
        fields["title"] = "约谈通知书"
        fields["signature"] = organ_name() + "“六治六提”工作领导小组"
        fields["body"] = "\n".join([
            f"经查，{desc}根据“六治六提”干部队伍作风纪律整顿工作有关要求，决定对你进行约谈。现将有关事项通知如下。",
            "一、约谈时间：" + (_date_text(when) if when else "另行通知") + "。",
            "二、约谈地点：机关党委（纪委）办公室。",
            "三、约谈人：机关纪委书记。",
            "四、有关要求：请提前准备书面说明材料，如实说明有关情况，按时到达约谈地点。" + (note and f"\n五、其他事项：{_sentence(note)}"),
        ])
    else:
        fields["title"] = "关于作风纪律整顿有关问题的提醒函"
        fields["signature"] = organ_name() + "“六治六提”工作领导小组办公室"
        fields["body"] = "\n".join([
            f"在“六治六提”干部队伍作风纪律整顿工作中，发现{desc}",
            "上述问题虽属苗头性、倾向性问题，但反映出纪律意识有所松懈。为防止小问题演变成大问题，现予以提醒，"
            "请认真对照检查，于收到本函之日起10个工作日内整改到位，并将整改情况书面报局领导小组办公室。" + (note and "\n" + note),
        ])
    return fields


# ---------------------------------------------------------------- 草稿 watermark
_wm_cache: dict = {}
_wm_lock = threading.Lock()


def _watermark_page(text: str) -> bytes:
    with _wm_lock:
        hit = _wm_cache.get(text)
        if hit:
            return hit
    from ..gongwen.fonts import font_set
    from ..pdfs import html_pdf
    path = font_set(None).path("hei")
    html = (f"<html><head><style>@font-face {{ font-family: WM; src: url('file://{path}'); }}"
            "@page { size: 210mm 297mm; margin: 0 }"
            "body { margin: 0 }"
            ".wm { position: absolute; top: 120mm; left: 0; width: 210mm; text-align: center;"
            " font-family: WM; font-size: 120pt; color: rgb(200, 40, 40); opacity: .16;"
            " transform: rotate(-35deg) }"
            ".tag { position: absolute; top: 8mm; right: 10mm; font-family: WM; font-size: 14pt;"
            " color: rgb(200, 40, 40) }"
            f"</style></head><body><div class='wm'>{text}</div><div class='tag'>{text}·未印发</div></body></html>")
    pdf = html_pdf(html)
    with _wm_lock:
        _wm_cache[text] = pdf
    return pdf


def watermark(pdf: bytes, text: str = "草稿") -> bytes:
    """Stamp every page of ``pdf`` with a large diagonal ``text`` and a small corner tag."""
    from pypdf import PdfReader, PdfWriter
    stamp = PdfReader(io.BytesIO(_watermark_page(text))).pages[0]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        page.merge_page(stamp)
    writer.add_metadata({"/Title": f"{text}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- the preview page (sandboxed frame)
PREVIEW_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
               "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


def preview_page(kind: str, doc: dict, font_url, css_url: str) -> str:
    """render_html's page for the browser: the engine's inline stylesheet replaced by the static gongwen.css
    and @font-face rules served by the portal (the PDF fonts, so the preview breaks lines as the PDF)."""
    from ..gongwen.fonts import CSS_FAMILY
    from ..gongwen.render import render_html
    html = render_html(kind, doc, fonts_dir())
    faces = "\n".join(f"@font-face {{ font-family: {fam}; src: url('{font_url(role)}'); }}"
                      for role, fam in CSS_FAMILY.items())
    head = (f'<link rel="stylesheet" href="{css_url}">\n<style>{faces}\n'
            "body.gongwen { background: #e9eaec; zoom: .74; }</style>")
    html = re.sub(r"<style>.*?</style>", lambda m: head, html, count=1, flags=re.S)
    if head not in html:
        html = html.replace("</head>", head + "</head>", 1)
    return html


def fonts_dir():
    import os
    return os.path.join(current_app.instance_path, "fonts")


def department_report_row_to_doc(rep) -> dict:
    """A selfcheck DepartmentReport row (numbers frozen at submission, the head's narrative) and the
    department's self-reported Problems from the ledger → the department-report doc dict."""
    import json

    from ..models import Category, Item, Problem
    numbers = json.loads(rep.numbers or "{}")
    dept = rep.department.name
    rows = (Problem.select(Problem, Category.name.alias("cat"))
            .join(Item, on=(Problem.item == Item.id)).join(Category, on=(Item.category == Category.id))
            .where((Problem.department == rep.department_id) & (Problem.source == "selfcheck")
                   & (Problem.withdrawn == False) & (Problem.campaign == rep.campaign_id))  # noqa: E712
            .order_by(Category.seq, Problem.id).objects())
    problems = [dict(category=p.cat, description=p.description, measure=p.measures, deadline=p.deadline,
                     fixed_at_once=p.fixed_at_once) for p in rows]
    n = {k: numbers.get(k, 0) for k in ("people", "submitted", "approved", "not_submitted", "problems",
                                        "fixed_at_once")}
    by_cat = "、".join(f"{k}方面{v}条" for k, v in (numbers.get("by_category") or {}).items() if v)
    by_aspect = "、".join(f"{k}方面{v}条" for k, v in (numbers.get("by_aspect") or {}).items() if v)
    lines = [
        f"按照局党组《全局“六治六提”干部队伍作风纪律整顿工作方案》要求，{dept}组织全体干部职工对照整顿重点深入开展"
        f"自查自纠。现将有关情况报告如下。",
        "一、自查自纠基本情况",
        f"{dept}共有干部职工{n['people']}人，已提交个人对照检查材料{n['submitted']}人，其中审核通过{n['approved']}人，"
        f"尚未提交{n['not_submitted']}人。共查找问题{n['problems']}条，其中立行立改{n['fixed_at_once']}条。",
    ]
    if by_cat:
        lines.append(f"（一）按问题类别分。{by_cat}。")
    if by_aspect:
        lines.append(f"（{'二' if by_cat else '一'}）按问题方面分。{by_aspect}。")
    lines += ["二、查找问题清单", "具体情况见下表。" if problems else "经对照检查，未发现问题。"]
    if problems:
        lines.append("[[表格1]]")
    narrative = (rep.narrative or "").strip()
    if narrative:
        lines += ["三、工作开展情况及下一步打算", narrative]
    date = rep.submitted_at.date() if rep.submitted_at else None
    doc = department_report_to_doc(dict(department=dept, problems=problems, body="\n".join(lines), date=date))
    return doc
