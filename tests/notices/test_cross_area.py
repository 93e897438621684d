"""Notices and flags fed by the other areas: a clue assigned shows on the handler's bell; tips (clues)
about a department flag it for a spot check."""
from portal.inspections import service
from portal.models import Notice


def test_assigned_clue_rings_the_handlers_bell_and_flags_the_department(client, auth, ctx):
    from portal.models.tip import Clue
    from tests.tips.util import org, submit
    o = org()
    for _ in range(2):
        r, code, _pw = submit(client, subject_department=str(o["fin"].id))
        assert code, r.get_data(as_text=True)[:300]
    flagged = {f["department"].id: f for f in service.flagged_departments()}
    assert "举报线索 2 件" in flagged[o["fin"].id]["reason"]
    clue = Clue.select().order_by(Clue.id).first()
    auth.login(o["office"])
    for to, data in (("accepted", {}), ("assigned", {"disposal": "verify", "handler_id": str(o["office2"].id),
                                                      "handler_department_id": "0", "workdays": "10"})):
        data["version"] = str(Clue.get_by_id(clue.id).version)
        assert client.post(f"/clues/{clue.id}/to/{to}", data=data).status_code == 303
    auth.logout()
    n = Notice.get((Notice.user == o["office2"].id) & (Notice.kind == "clue_assigned"))
    auth.login(o["office2"])
    bell = client.hx_get("/notices/bell").get_data(as_text=True)
    assert 'data-unread="1"' in bell
    page = client.get("/notices/").get_data(as_text=True)
    assert "线索交办" in page and n.text in page
