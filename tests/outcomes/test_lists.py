"""The outcome lists are campaign data the office edits: an entry added is offered when recording, an entry
switched off is no longer offered but keeps its words on outcomes already recorded; bad input is refused in
Chinese and writes nothing; only the office may edit."""
from portal.models import AuditRecord
from portal.models.outcome import OutcomeOption
from portal.outcomes import options


def _csrf_free(app):
    app.config["WTF_CSRF_ENABLED"] = False


def test_office_adds_and_switches_off_an_entry(app, client, auth, bureau):
    _csrf_free(app)
    auth.login(bureau.office)
    page = client.get("/outcomes/lists")
    assert page.status_code == 200 and "批评教育" in page.get_data(as_text=True)
    assert "/outcomes/lists" in client.get("/campaign/settings").get_data(as_text=True)
    r = client.post("/outcomes/lists", data={"kind": "form_measure", "form": "1", "label": "提醒谈话函询"})
    assert r.status_code == 303
    assert any(label.endswith("提醒谈话函询") for _v, label in options.form_choices())
    o = OutcomeOption.get(OutcomeOption.label == "提醒谈话函询")
    assert o.form == 1 and o.active
    r = client.post(f"/outcomes/lists/{o.id}/switch", data={"active": "0"})
    assert r.status_code == 303
    assert not any(label.endswith("提醒谈话函询") for _v, label in options.form_choices())
    assert options.labels("form_measure")[o.code] == "提醒谈话函询"  # old outcomes keep their words
    actions = [a for (a,) in AuditRecord.select(AuditRecord.action).where(
        AuditRecord.action.startswith("outcome_option")).tuples()]
    assert actions == ["outcome_option_add", "outcome_option_switch"]


def test_bad_entries_are_refused_in_chinese_and_nothing_is_written(app, client, auth, bureau):
    _csrf_free(app)
    auth.login(bureau.office)
    client.get("/outcomes/lists")  # seeds the default lists
    before = OutcomeOption.select().count()
    for data, message in (({"kind": "form_measure", "form": "", "label": "某处理"}, "第一种至第四种形态"),
                          ({"kind": "org_measure", "label": ""}, "请填写名称"),
                          ({"kind": "org_measure", "label": "通报批评"}, "已有同名条目"),
                          ({"kind": "nope", "label": "某处理"}, "请选择清单")):
        r = client.post("/outcomes/lists", data=data)
        assert r.status_code == 422 and message in r.get_data(as_text=True), data
    assert OutcomeOption.select().count() == before


def test_only_the_office_edits_the_lists(app, client, auth, bureau):
    _csrf_free(app)
    for user in (bureau.staff_a, bureau.head_a, bureau.chief, bureau.sysadmin):
        auth.login(user)
        assert client.get("/outcomes/lists").status_code == 403
        assert client.post("/outcomes/lists", data={"kind": "org_measure", "label": "某处理"}).status_code == 403
        auth.logout()
    assert not OutcomeOption.select().where(OutcomeOption.label == "某处理").exists()
