"""The editor's plain-text conventions turned into the engine's doc dict parts.

Tables: two or more consecutive lines whose cells are separated by "|" (or "｜", or a tab — what Excel and
WPS put on the clipboard) form a table, the first line its header row; a line just above that starts with
"表" and a number ("表1　问题清单") is its caption. The table takes the place of those lines in the text
(the engine's "[[表格N]]"). A Markdown-style rule line ("|---|---|") is ignored.

Header fields (7.2.1–7.2.3): 份号, 密级和保密期限 ("机密★1年"), 紧急程度. Attachments (7.3.7): a title
with a content becomes a page of its own after the signature; without one it is only listed in 附件说明.
"""
import re

SEP = re.compile(r"\t|[|｜]")
CAPTION = re.compile(r"^表\s*[0-9０-９一二三四五六七八九十]+[\s　:：.．、]*\S")
RULE = re.compile(r":?-{2,}:?")
SECRET_LEVELS = ("秘密", "机密", "绝密")
URGENCY = ("加急", "特急")


def _cells(line):
    s = line.strip()
    if "\t" not in s:
        s = s.strip("|｜")
    return [c.strip() for c in SEP.split(s)]


def _is_row(line):
    return bool(SEP.search(line)) and len(_cells(line)) >= 2


def extract_tables(text, first=1):
    """(text with each table replaced by "[[表格N]]", the tables) — N counts from ``first``."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out, tables, i = [], [], 0
    while i < len(lines):
        if _is_row(lines[i]) and i + 1 < len(lines) and _is_row(lines[i + 1]):
            rows = []
            while i < len(lines) and _is_row(lines[i]):
                cells = _cells(lines[i])
                if not all(RULE.fullmatch(c) for c in cells if c):
                    rows.append(cells)
                i += 1
            caption = out.pop().strip() if out and CAPTION.match(out[-1].strip()) else ""
            tables.append(dict(caption=caption, header=rows[0], rows=rows[1:]))
            out.append(f"[[表格{first + len(tables) - 1}]]")
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out), tables


def secret_text(level, term):
    """密级和保密期限 as printed: "机密★1年", or the level alone."""
    level, term = (level or "").strip(), (term or "").strip()
    if level not in SECRET_LEVELS:
        return ""
    return f"{level}★{term}" if term else level


def header_fields(extra: dict) -> dict:
    out = {}
    if str(extra.get("copy_no") or "").strip():
        out["copy_no"] = str(extra["copy_no"]).strip()
    secret = secret_text(extra.get("secret"), extra.get("secret_term"))
    if secret:
        out["secret"] = secret
    if extra.get("urgency") in URGENCY:
        out["urgency"] = extra["urgency"]
    return out


def attachments(titles, bodies, pdfs=()):
    """附件 titles and their contents → the engine's attachments (a dict with a body is a page; one with
    ``pdf``, the bytes of an uploaded PDF, is that file's pages set in after them)."""
    out = []
    for i, title in enumerate(titles):
        body = bodies[i] if i < len(bodies) and isinstance(bodies[i], str) else ""
        pdf = pdfs[i] if i < len(pdfs) else None
        if pdf:
            out.append(dict(title=title, pdf=pdf))
        elif body.strip():
            text, tables = extract_tables(body)
            out.append(dict(title=title, body=text, tables=tables))
        else:
            out.append(title)
    return out
