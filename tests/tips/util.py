"""Helpers shared by the tip box and clue ledger tests."""
import io
import re

from portal.models import Campaign, Item
from tests.factories import default_campaign, make_department, make_user

CODE_RE = re.compile(r"data-receipt-code>([^<]+)<")
PW_RE = re.compile(r"data-receipt-password>([^<]+)<")


def org():
    """A small bureau: leadership, the discipline office, two departments, their leader and people."""
    default_campaign()
    lead = make_department("局领导班子", kind="leadership")
    disc = make_department("机关党委（纪委）")
    fin = make_department("财务科")
    asset = make_department("资产管理科")
    chief = make_user("chief", lead, roles=("chief", "staff"), real_name="周正华", title="局党组书记、局长")
    leader = make_user("leader", lead, roles=("leader", "staff"), real_name="吴建国", title="副局长",
                       charges=[fin, asset])
    office = make_user("office", disc, roles=("discipline", "staff"), real_name="郑清源", title="副主任")
    office2 = make_user("office2", disc, roles=("discipline", "staff"), real_name="林秀清", title="科员")
    disc_head = make_user("dischead", disc, roles=("dept_head", "staff"), real_name="马正义", title="机关纪委书记")
    head = make_user("finhead", fin, roles=("dept_head", "staff"), real_name="王立新", title="科长")
    staff = make_user("finstaff", fin, roles=("staff",), real_name="李明", title="科员")
    asset_head = make_user("assethead", asset, roles=("dept_head", "staff"), real_name="孙海", title="科长")
    return {"lead": lead, "disc": disc, "fin": fin, "asset": asset, "chief": chief, "leader": leader,
            "office": office, "office2": office2, "disc_head": disc_head, "head": head, "staff": staff,
            "asset_head": asset_head}


def item_id(seq=18):
    c = Campaign.active() or default_campaign()
    return Item.get((Item.campaign == c) & (Item.seq == seq)).id


def tip_data(**over):
    data = {"subject_name": "李明", "subject_department": "0", "subject_department_other": "",
            "subject_title": "科员", "item": str(item_id()), "happened_when": "2026年11月",
            "happened_where": "办公室", "body": "上班时间多次用办公电脑玩网络游戏，影响工作。",
            "identity": "anonymous", "password_mode": "generate"}
    data.update(over)
    return data


def submit(client, files=(), headers=None, **over):
    """POST the public form; returns (response, code, password)."""
    data = tip_data(**over)
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    r = client.post("/tips/", data=data, headers=headers or {}, content_type="multipart/form-data")
    text = r.get_data(as_text=True)
    code = CODE_RE.search(text)
    pw = PW_RE.search(text)
    return r, (code.group(1) if code else None), (pw.group(1) if pw else None)


def pdf_bytes(marker: str) -> bytes:
    """A one-page PDF a PDF library can open (uploads refuse files qpdf cannot read)."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n% " + marker.encode()
            + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def png_bytes_with_text(marker: str) -> bytes:
    from PIL import Image, PngImagePlugin
    im = Image.new("RGB", (8, 8), (200, 30, 30))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", marker)
    out = io.BytesIO()
    im.save(out, "PNG", pnginfo=info)
    return out.getvalue()
