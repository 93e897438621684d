"""Helpers shared by the tip box and clue ledger tests."""
import hashlib
import io
import re

from portal.models import Campaign, Item
from tests.factories import default_campaign, make_bureau

CODE_RE = re.compile(r"data-receipt-code>([^<]+)<")
PW_RE = re.compile(r"data-receipt-password>([^<]+)<")


def org():
    """The tip box's and clue ledger's view of the shared bureau (tests/factories.py make_bureau)."""
    b = make_bureau()
    return {"lead": b.lead, "disc": b.disc, "fin": b.fin, "asset": b.asset, "chief": b.chief, "leader": b.leader,
            "office": b.office, "office2": b.office2, "disc_head": b.disc_head, "head": b.head_a,
            "staff": b.staff_a, "asset_head": b.head_b}


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
    """A one-page PDF a PDF library can open (uploads refuse files qpdf cannot read); the marker is in the
    page's content stream, which survives metadata scrubbing (read it back with pdf_text)."""
    import pikepdf
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.pages[0].Contents = pdf.make_stream(b"BT /F1 12 Tf 10 100 Td (" + marker.encode() + b") Tj ET")
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def pdf_text(data: bytes) -> bytes:
    """The raw content streams of a PDF (where pdf_bytes puts its marker)."""
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return b"".join(page.Contents.read_bytes() for page in pdf.pages)


def png_bytes_with_text(marker: str) -> bytes:
    from PIL import Image, PngImagePlugin
    im = Image.new("RGB", (8, 8), (200, 30, 30))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", marker)
    out = io.BytesIO()
    im.save(out, "PNG", pnginfo=info)
    return out.getvalue()
