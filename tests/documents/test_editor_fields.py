"""The editor's fields (issue 15): 份号, 密级和保密期限, 紧急程度, tables pasted into the body, 附件 pages,
抄送 and 印发机关, and the live preview that is page 1 of the real PDF — each measured on the PDF."""
import io

from PIL import Image

from portal.documents import content, service
from tests.gongwen.layout import BOTTOM, GRID, LEFT, MM, PAGE_NO, RIGHT, TOP, Doc

from .register_helpers import clerk, draft, reload
from .test_register import form_data

TABLE = "表1　各单位整改情况\n单位|问题数|已整改|整改率\n办公室|4|4|100%\n财务审计科|12|9|75.5%"


def test_extract_tables_from_pasted_text():
    text, tables = content.extract_tables("见下表。\n" + TABLE + "\n以上情况请知悉。")
    assert text == "见下表。\n[[表格1]]\n以上情况请知悉。"
    assert tables == [dict(caption="表1　各单位整改情况", header=["单位", "问题数", "已整改", "整改率"],
                           rows=[["办公室", "4", "4", "100%"], ["财务审计科", "12", "9", "75.5%"]])]
    text, tables = content.extract_tables("甲\t乙\n1\t2\n| a | b |\n|---|---|\n一行，不是表格|")
    assert len(tables) == 1 and tables[0]["rows"] == [["1", "2"], ["a", "b"]]
    assert content.secret_text("机密", "1年") == "机密★1年" and content.secret_text("普通", "1年") == ""


def test_every_new_field_on_the_pdf(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = draft(u, kind="notice")
    auth.login(u)
    data = form_data(doc, copy_no="12", secret="机密", secret_term="1年", urgency="特急",
                     body="为抓好整改，现将各单位整改情况通报如下。\n" + TABLE + "\n请各单位抓好落实。",
                     attachments="整改台账\n复查安排", copy_to="市纪委监委派驻纪检组", printer="××市机关事务管理局办公室",
                     print_date="2026-05-08")
    data["attachment_bodies-0"] = "整改台账如下。\n序号|事项|时限\n1|建立清单|2026年5月\n2|逐项销号|2026年6月"
    r = client.hx_post(f"/documents/{doc.id}/save", data=data)
    assert r.status_code == 200, r.get_data(as_text=True)
    doc = reload(doc)
    pdf = Doc(service.draft_pdf(doc))
    pdf.pages = [(w, h, [ln for ln in ls if "草" not in ln.text and "稿" not in ln.text], r)
                 for w, h, ls, r in pdf.pages]                                   # the 草稿 watermark aside
    lines = [ln for ln in pdf.pages[0][2] if ln.top <= BOTTOM + 1]
    assert [ln.text for ln in lines[:3]] == ["000012", "机密★1年", "特急"]          # 7.2.1–7.2.3
    for k, ln in enumerate(lines[:3]):
        assert abs(ln.x0 - LEFT) < 0.5 and abs(ln.base - lines[0].base - k * 28.95) < 0.3
    assert "Hei" in lines[1].chars[0]["fontname"] and "Hei" in lines[2].chars[0]["fontname"]
    texts = [ln.text for p in pdf.pages for ln in p[2]]
    assert "表1各单位整改情况" in "".join(texts).replace("　", "")
    rate = next(ln for p in pdf.pages for ln in p[2] if "75.5%" in ln.text)
    assert abs(rate.chars[-1]["x1"] / MM - RIGHT) < 2                             # number column flush right
    # the 附件 page: new page, 附件1 top-left in 黑体, the title on line 3, centred; numbers go on
    k = next(i for i, p in enumerate(pdf.pages) if p[2] and p[2][0].text == "附件1")
    first = pdf.pages[k][2]
    assert abs(first[0].x0 - LEFT) < 0.5 and 0 <= first[0].top - TOP < 3 and "Hei" in first[0].chars[0]["fontname"]
    title = next(ln for ln in first if ln.text == "整改台账")
    assert abs(title.centre - 106) < 1 and abs(title.base - first[0].base - 2 * 28.95) < 3     # line 3 (a 22pt line sits lower)
    assert any("建立清单" in ln.text for ln in first)
    numbers = [int(PAGE_NO.fullmatch(ln.text)[1]) for p in pdf.pages for ln in p[2] if PAGE_NO.fullmatch(ln.text)]
    assert numbers == list(range(1, len(numbers) + 1)) and k + 1 in numbers
    flat = "".join(texts)
    assert "1.整改台账" in flat and "2.复查安排" in flat                               # 附件说明 lists both
    assert "抄送：市纪委监委派驻纪检组。" in flat and "2026年5月8日印发" in flat
    assert not any(p[2] and p[2][0].text == "附件2" for p in pdf.pages)              # no content, no page


def test_bad_copy_number_and_secrecy_term_refused(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = draft(u, kind="notice")
    auth.login(u)
    r = client.hx_post(f"/documents/{doc.id}/save", data=form_data(doc, copy_no="12a", secret_term="永远"))
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert "份号为 1 至 6 位数字" in body and "保密期限" in body
    assert reload(doc).extra_dict.get("copy_no") in (None, "")


def test_live_preview_is_page_one_of_the_real_pdf(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = draft(u, kind="notice")
    auth.login(u)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert f"/documents/{doc.id}/page1.png?v={doc.version}" in page
    r = client.hx_post(f"/documents/{doc.id}/save", data=form_data(doc, title="关于预览的通知"))
    assert f"page1.png?v={reload(doc).version}" in r.get_data(as_text=True)          # refreshed out of band
    png = client.get(f"/documents/{doc.id}/page1.png?v={reload(doc).version}")
    assert png.status_code == 200 and png.mimetype == "image/png"
    img = Image.open(io.BytesIO(png.data)).convert("RGB")
    assert img.width == 620 and abs(img.height / img.width - 297 / 210) < 0.01
    scale = img.width / 210
    red = sum(1 for x in range(int(40 * scale), int(170 * scale)) for y in range(int(70 * scale), int(86 * scale))
              if (lambda p: p[0] > 180 and p[1] < 90)(img.getpixel((x, y))))
    assert red > 50, "the red 发文机关标志 where the PDF puts it"


def test_word_export_of_a_draft_and_an_issued_document(ctx, client, auth):
    from docx import Document as Word

    from portal.models import AuditRecord
    from tests.factories import make_department, make_user
    u = clerk(username="clerk1")
    doc = draft(u, kind="circular")
    auth.login(u)
    r = client.get(f"/documents/{doc.id}.docx")
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    text = "".join(p.text for p in Word(io.BytesIO(r.data)).paragraphs)
    assert doc.title in text and "〔" not in text                                  # a draft has no number
    issued = service.issue(doc.id, u)
    text = "".join(p.text for p in Word(io.BytesIO(client.get(f"/documents/{doc.id}.docx").data)).paragraphs)
    assert issued.number in text and doc.signature in text
    assert AuditRecord.select().where(AuditRecord.action == "document_docx").count() == 2
    assert f"/documents/{doc.id}.docx" in client.get(f"/documents/{doc.id}").get_data(as_text=True)
    auth.logout()
    auth.login(make_user("s1", make_department("财务科")))
    assert client.get(f"/documents/{doc.id}.docx").status_code in (403, 404)
