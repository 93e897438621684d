"""The clue ledger as .xlsx: the page's filters, the user's scope, paper layout, formula-like text kept as
text, and never the reporter's identity."""
from portal.models import AuditRecord
from portal.models.tip import Clue
from portal.tips import service as tips
from tests.exports.util import assert_paper_layout, sheet, texts
from tests.factories import make_user
from tests.tips.util import item_id, org


def _tip(o, name, dept, reporter=None, channel="letter"):
    return tips.create_tip(subject={"name": name, "department_id": dept.id}, body="上班时间打游戏",
                           item_id=item_id(), reporter=reporter, channel=channel, recorded_by=o["office"],
                           issue_code=False)[1]


def test_clue_export_follows_filters_scope_and_hides_the_reporter(client, auth, ctx):
    from portal.clues import service as clues
    o = org()
    evil = make_user("evil", o["fin"], real_name="=HYPERLINK(\"http://x\",\"点\")")
    c1 = _tip(o, evil.real_name, o["fin"], reporter={"name": "赵举报", "phone": "13912345678",
                                                       "email": "jubao@example.cn", "address": "幸福路8号"})
    c2 = _tip(o, "李明", o["fin"], channel="phone")
    c2 = clues.transition(c2, "accepted", o["office"])
    clues.transition(c2, "assigned", o["office"], disposal="verify", handler_id=o["asset_head"].id, workdays=5)
    _tip(o, "孙丽", o["asset"])

    auth.login(o["office"])
    page = client.get("/clues/").get_data(as_text=True)
    assert "/clues/export.xlsx" in page
    r = client.get("/clues/export.xlsx")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    ws = sheet(r.data)
    assert_paper_layout(ws, 2, "序号")
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert len(rows) == 3
    evil_row = next(row for row in rows if row[1] == c1.number)
    cell = ws.cell(row=3 + rows.index(evil_row), column=5)
    assert cell.value == evil.real_name and cell.data_type == "s" and cell.quotePrefix
    blob = texts(r.data)
    for secret in ("赵举报", "13912345678", "jubao@example.cn", "幸福路8号", "上班时间打游戏"):
        assert secret not in blob
    assert AuditRecord.select().where(AuditRecord.action == "clue_export").count() == 1

    # the page's filters: only the assigned clue, and the filter is written above the header
    r = client.get("/clues/export.xlsx?status=assigned")
    ws = sheet(r.data)
    assert "状态 已交办" in ws["A2"].value
    assert_paper_layout(ws, 3, "序号")
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert [row[1] for row in rows] == [c2.number] and rows[0][10] == "孙海"
    auth.logout()

    # the handler sees only the clue handed to them
    auth.login(o["asset_head"])
    r = client.get("/clues/export.xlsx")
    assert r.status_code == 200
    assert [row[1] for row in sheet(r.data).iter_rows(min_row=3, values_only=True)] == [c2.number]
    auth.logout()

    # a staff member without the clue ledger is refused
    auth.login(o["staff"])
    assert client.get("/clues/export.xlsx").status_code == 403
    assert Clue.select().count() == 3
