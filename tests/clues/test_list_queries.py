"""The clue ledger's list (issue 16 §1): its rows come with their people, departments and category in the row
query, so a page costs the same number of queries whatever the number of rows on it."""

from portal.clues import service as clues
from portal.models.tip import Clue
from portal.tips import service as tips
from tests.querycount import counting
from tests.tips.util import item_id, org


def _clues(o, n, start):
    for i in range(n):
        dept = (o["fin"], o["asset"])[i % 2]
        _tip, clue, _c, _p = tips.create_tip(
            subject={"name": f"被反映人{start + i}", "department": dept.name, "department_id": dept.id},
            body=f"第{start + i}件反映内容，上班时间脱岗。", item_id=item_id(), channel="visit",
            recorded_by=o["office"], issue_code=False)
        if i % 2:
            clue = clues.transition(clue, "accepted", o["office"])
            clues.transition(clue, "assigned", o["office"], disposal="verify", handler_id=o["asset_head"].id,
                             workdays=5)


def test_a_list_page_costs_the_same_queries_for_two_rows_or_eight(client, auth, ctx):
    o = org()
    _clues(o, 2, 0)
    auth.login(o["office"])
    client.get("/clues/")
    with counting() as few:
        html = client.get("/clues/").get_data(as_text=True)
    assert html.count("data-clue=") == 2
    _clues(o, 6, 2)
    with counting() as many:
        html = client.get("/clues/").get_data(as_text=True)
    assert html.count("data-clue=") == 8
    assert len(many) == len(few), [s for s in many if s not in few]
    # what the rows show came with them
    assert o["asset_head"].real_name in html and o["fin"].name in html
    clue = Clue.select().where(Clue.handler == o["asset_head"].id).first()
    assert clue is not None and clue.item.category.name in html
