"""/campaign/settings: the office sets the campaign up; the header's stage, the self-check window, the tip
channels and the report recipients follow; a new checklist version from an uploaded file."""
import datetime as dt
import io
import json

import pytest

from portal import campaign_settings
from portal.campaigns import DEFAULT_FILE, settings as setup
from portal.models import AuditRecord, Campaign, CampaignSetting
from portal.models.selfcheck import SelfCheck
from portal.selfcheck import service as selfcheck
from tests.selfcheck.helpers import step_data, version_of


def form(c, **over):
    """The settings form as the page posts it, with today's values."""
    cfg = setup.config(c)
    data = {"name": cfg["name"], "plan_number": "机管党〔2026〕5号", "window-closes": cfg["window"]["closes"].isoformat(),
            "window-opens": "", "recipients": "\n".join(cfg["recipients"]),
            "channel-phone": "0571-12345678", "channel-letter": "市府大院3号楼机关党委", "channel-email": "jw@example.gov.cn"}
    for i, s in enumerate(cfg["stages"], 1):
        data.update({f"stage-{i}-name": s["name"], f"stage-{i}-start": s["start"].isoformat(),
                     f"stage-{i}-end": s["end"].isoformat()})
    for key in campaign_settings.SETTINGS:
        data[f"rule-{key}"] = str(campaign_settings.get(key, c))
    data.update(over)
    return data


@pytest.fixture
def office(bureau, client, auth, travel):
    travel(dt.datetime(2026, 11, 20, 10, 0))
    auth.login(bureau.office)
    return bureau


def test_page_lists_every_rule_and_only_the_office_sees_it(office, client, auth):
    html = client.get("/campaign/settings").get_data(as_text=True)
    for key, rule in campaign_settings.SETTINGS.items():
        assert f'name="rule-{key}"' in html and rule.label in html
    for name in setup.STAGE_NAMES:
        assert name in html
    auth.logout()
    for u in (office.chief, office.staff_a, office.sysadmin):
        auth.login(u)
        assert client.get("/campaign/settings").status_code == 403
        assert client.post("/campaign/settings", data={}).status_code == 403
        auth.logout()


def test_default_stages_and_header(office, client):
    c = Campaign.active()
    stages = setup.config(c)["stages"]
    assert [s["name"] for s in stages] == list(setup.STAGE_NAMES)
    assert all(a["end"] < b["start"] for a, b in zip(stages, stages[1:]))
    html = client.get("/").get_data(as_text=True)
    assert 'id="campaign-stage"' in html and "当前阶段：自查自纠" in html  # 2026-11-20


def test_save_changes_stage_window_rules_channels(office, client, auth):
    c = Campaign.active()
    data = form(c, **{"stage-2-end": "2026-11-19", "stage-3-start": "2026-11-20", "stage-3-name": "整改提升",
                      "window-closes": "2026-11-19", "rule-escalation_days": "7", "recipients": "市纠风办\n市纪工委\n市巡察办"})
    r = client.post("/campaign/settings", data=data)
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    c = Campaign.get_by_id(c.id)
    assert c.selfcheck_deadline == dt.date(2026, 11, 19)
    assert campaign_settings.get("escalation_days", c) == 7
    cfg = setup.config(c)
    assert cfg["plan_number"] == "机管党〔2026〕5号" and cfg["recipients"] == ["市纠风办", "市纪工委", "市巡察办"]
    assert "当前阶段：整改提升" in client.get("/").get_data(as_text=True)
    a = AuditRecord.select().where(AuditRecord.action == "campaign_setup_change").get()
    assert "selfcheck_deadline" in a.detail and "stages" in a.detail
    # the channels on the tip box page and every staff member's home page
    assert "0571-12345678" in client.get("/tips/").get_data(as_text=True)
    auth.logout()
    auth.login(office.staff_a)
    home = client.get("/").get_data(as_text=True)
    assert "jw@example.gov.cn" in home and "市府大院3号楼机关党委" in home


def test_bad_input_is_explained_and_kept(office, client):
    c = Campaign.active()
    before = Campaign.get_by_id(c.id).selfcheck_deadline
    r = client.post("/campaign/settings", data=form(c, **{"stage-2-start": "2026-11-02", "plan_number": "我的文号"}))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "须在上一阶段" in html and "我的文号" in html
    r = client.post("/campaign/settings", data=form(c, **{"window-opens": "2026-12-25"}))
    assert r.status_code == 422 and "自查截止日期不能早于开始日期" in r.get_data(as_text=True)
    r = client.post("/campaign/settings", data=form(c, **{"rule-escalation_days": "999"}))
    assert r.status_code == 422 and "逾期升级天数须为 1–60" in r.get_data(as_text=True)
    r = client.post("/campaign/settings", data=form(c, **{"stage-1-end": "2026-13-45"}))
    assert r.status_code == 422 and "日期无效" in r.get_data(as_text=True)
    r = client.post("/campaign/settings", data=form(c, **{"recipients": ""}))
    assert r.status_code == 422 and "至少填写一个报送单位" in r.get_data(as_text=True)
    assert Campaign.get_by_id(c.id).selfcheck_deadline == before
    assert not CampaignSetting.select().where(CampaignSetting.key.startswith("campaign.")).exists()


def test_self_check_window_is_obeyed(office, client, auth, app, travel):
    from tests.factories import make_user
    c = Campaign.active()
    u = make_user(roles=("staff",))
    cl = selfcheck.checklist(c)
    # not yet open
    assert client.post("/campaign/settings", data=form(c, **{"window-opens": "2026-11-25"})).status_code == 303
    auth.logout()
    auth.login(u)
    body = client.get("/selfcheck/step/1").get_data(as_text=True)
    assert "2026年11月25日开始" in body
    travel(dt.datetime(2026, 11, 26, 10, 0))
    auth.login(u)
    assert client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, 0)).status_code == 200
    # closed: read-only, unless late submission is allowed
    travel(dt.datetime(2026, 12, 21, 10, 0))
    auth.login(u)
    r = client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u)))
    assert r.status_code == 409 and "截止" in r.get_data(as_text=True)
    auth.logout()
    auth.login(office.office)
    assert client.post("/campaign/settings", data=form(c, **{"window-opens": "2026-11-25",
                                                             "window-late": "1"})).status_code == 303
    auth.logout()
    auth.login(u)
    assert client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u))).status_code == 200


def _upload(client, raw, name="清单.json"):
    return client.post("/campaign/checklist", data={"checklist": (io.BytesIO(raw), name)},
                       content_type="multipart/form-data")


def test_new_checklist_version_from_a_file(office, client):
    old = Campaign.active()
    SelfCheck.create(user=office.staff_a, campaign=old, status="draft")
    client.post("/campaign/settings", data=form(old, **{"rule-escalation_days": "9"}))
    r = _upload(client, b"{not json")
    assert r.status_code == 422 and "不是有效的 JSON" in r.get_data(as_text=True)
    data = json.load(open(DEFAULT_FILE, encoding="utf-8"))
    bad = dict(data, categories=[dict(data["categories"][0], items=[])] + data["categories"][1:])
    r = _upload(client, json.dumps(bad, ensure_ascii=False).encode())
    assert r.status_code == 422 and "没有问题项" in r.get_data(as_text=True)
    r = _upload(client, json.dumps({k: v for k, v in data.items() if k != "aspects"}).encode())
    assert r.status_code == 422 and "问题方面" in r.get_data(as_text=True)
    assert Campaign.active().id == old.id
    # a new version: one more item in the last category
    new = json.loads(json.dumps(data))
    n = sum(len(c["items"]) for c in new["categories"])
    new["categories"][-1]["items"].append({"seq": n + 1, "text": "其他需要整改的作风问题（新增）"})
    r = _upload(client, json.dumps(new, ensure_ascii=False).encode())
    assert r.status_code == 303
    cur = Campaign.active()
    assert cur.id != old.id and cur.version == old.version + 1
    assert campaign_settings.get("escalation_days", cur) == 9 and setup.config(cur)["plan_number"]
    assert SelfCheck.get(SelfCheck.user == office.staff_a).campaign_id == old.id  # keeps its version
    assert AuditRecord.select().where(AuditRecord.action == "campaign_checklist_upload").exists()


def test_dashboard_timeline_shows_stages_and_today(office, client):
    html = client.get("/dashboard/").get_data(as_text=True)
    assert 'id="campaign-timeline"' in html and 'id="timeline-today"' in html
    for name in setup.STAGE_NAMES:
        assert f'data-stage="{name}"' in html
    tl = setup.timeline()
    assert [s["current"] for s in tl["stages"]] == [False, True, False, False]
    assert 0 < tl["today_pct"] < 100 and abs(sum(s["width"] for s in tl["stages"]) - 100) < 0.1
