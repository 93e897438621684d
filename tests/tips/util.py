"""Helpers shared by the tip box and clue ledger tests."""
import hashlib
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


CHALLENGE_RE = re.compile(r'name="pow_challenge" type="hidden" value="([^"]*)"')
BITS_RE = re.compile(r'data-pow-bits="(\d+)"')


def solve(challenge: str, bits: int) -> str:
    """The proof of work the page's script computes: n with SHA-256("<challenge>:<n>") starting with
    `bits` zero bits — written here independently of portal/tips/pow.py."""
    n = 0
    while True:
        digest = int.from_bytes(hashlib.sha256(f"{challenge}:{n}".encode()).digest(), "big")
        if digest >> (256 - bits) == 0:
            return str(n)
        n += 1


def proof(client, headers=None) -> dict:
    """GET the form like a browser and do its work: {"pow_challenge": …, "pow_nonce": …}."""
    page = client.get("/tips/", headers=headers or {}).get_data(as_text=True)
    challenge = CHALLENGE_RE.search(page).group(1)
    return {"pow_challenge": challenge, "pow_nonce": solve(challenge, int(BITS_RE.search(page).group(1)))}


def submit(client, files=(), headers=None, pow=True, **over):
    """POST the public form (with the proof of work unless pow=False); returns (response, code, password)."""
    data = tip_data(**(proof(client, headers) if pow else {}) | over)
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    r = client.post("/tips/", data=data, headers=headers or {}, content_type="multipart/form-data")
    text = r.get_data(as_text=True)
    code = CODE_RE.search(text)
    pw = PW_RE.search(text)
    return r, (code.group(1) if code else None), (pw.group(1) if pw else None)


def pdf_bytes(marker: str) -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + marker.encode() + b"\ntrailer<<>>\n%%EOF\n")


def png_bytes_with_text(marker: str) -> bytes:
    from PIL import Image, PngImagePlugin
    im = Image.new("RGB", (8, 8), (200, 30, 30))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", marker)
    out = io.BytesIO()
    im.save(out, "PNG", pnginfo=info)
    return out.getvalue()
