"""CLI commands and the campaign checklist as data."""
import json

import pytest

from portal import campaigns
from portal.models import Aspect, Campaign, Category, Item, LeaderCharge, RoleAssignment, User
from portal.passwords import verify_password
from portal.permissions import ROLES


def test_default_campaign_is_the_plan(ctx):
    c = campaigns.load_default()
    cats = list(Category.select().where(Category.campaign == c).order_by(Category.seq))
    assert [x.name for x in cats] == ["治“拖”", "治“庸”", "治“浮”", "治“僵”", "治“奢”", "治“散”"]
    assert cats[0].title == "提升时不我待的责任意识" and cats[5].title == "提升从严要求的规矩意识"
    items = list(Item.select().where(Item.campaign == c).order_by(Item.seq))
    assert len(items) == 20 and [i.seq for i in items] == list(range(1, 21))
    assert items[0].text.startswith("缺乏只争朝夕的紧迫感、责任感")
    assert items[12].text.startswith("集中整治“吃喝风”“迎送风”")
    assert items[19].text == "其他违反工作纪律、生活纪律和影响干部队伍作风等问题。" and items[19].is_open
    assert [i.category.seq for i in items] == [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3 + [5] * 4 + [6] * 4
    assert [a.name for a in Aspect.select().where(Aspect.campaign == c).order_by(Aspect.seq)] == \
        ["思想", "学习", "工作", "生活", "作风"]


def test_load_campaign_versions_never_change_existing(ctx, runner, tmp_path):
    r = runner.invoke(args=["load-campaign", campaigns.DEFAULT_FILE])
    assert r.exit_code == 0 and "第 1 版" in r.output
    r = runner.invoke(args=["load-campaign", campaigns.DEFAULT_FILE])
    assert "内容未变化" in r.output
    assert Campaign.select().count() == 1
    data = json.load(open(campaigns.DEFAULT_FILE, encoding="utf-8"))
    data["categories"][0]["items"][0]["text"] = "修改后的条目"
    f = tmp_path / "c.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(args=["load-campaign", str(f)])
    assert r.exit_code == 0 and "第 2 版" in r.output
    v1, v2 = Campaign.select().order_by(Campaign.version)
    assert Item.get((Item.campaign == v1) & (Item.seq == 1)).text.startswith("缺乏只争朝夕")
    assert Item.get((Item.campaign == v2) & (Item.seq == 1)).text == "修改后的条目"
    assert Campaign.active().id == v2.id


def test_load_campaign_bad_file(ctx, runner, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text("{not json", encoding="utf-8")
    r = runner.invoke(args=["load-campaign", str(f)])
    assert r.exit_code != 0 and "JSON" in r.output


def test_create_user_command(ctx, runner):
    r = runner.invoke(args=["create-user", "--username", "zhao", "--name", "赵六", "--department", "新科室",
                            "--create-department", "--role", "staff", "--role", "clerk",
                            "--password", "Good#Pass99", "--email", "zhao6@bureau.example"])
    assert r.exit_code == 0, r.output
    u = User.get(User.username == "zhao")
    assert u.roles == {"staff", "clerk"} and u.must_change_password and u.email == "zhao6@bureau.example"
    r = runner.invoke(args=["create-user", "--username", "qian", "--name", "钱七", "--department", "新科室",
                            "--password", "Good#Pass99", "--email", "qian7"])
    assert r.exit_code != 0 and "电子邮箱格式不正确" in r.output and not User.select().where(
        User.username == "qian").exists()
    r = runner.invoke(args=["create-user", "--username", "x", "--name", "X", "--department", "新科室",
                            "--role", "sysadmin", "--role", "auditor", "--password", "Good#Pass99"])
    assert r.exit_code != 0 and "三员分立" in r.output
    r = runner.invoke(args=["create-user", "--username", "y", "--name", "Y", "--department", "新科室",
                            "--password", "weak"])
    assert r.exit_code != 0 and "至少 8 位" in r.output


def test_seed_demo(app, ctx, runner):
    r = runner.invoke(args=["seed-demo", "--password", "Demo#Pass2026"])
    assert r.exit_code == 0, r.output
    assert 55 <= User.select().count() <= 70
    for role in ROLES:
        u = User.get(User.username == f"demo-{role.replace('dept_head', 'head')}") if role != "staff" \
            else User.get(User.username == "demo-staff")
        assert role in u.roles
        assert verify_password(u.password_hash, "Demo#Pass2026")
    leader = User.get(User.username == "demo-leader")
    assert LeaderCharge.select().where(LeaderCharge.leader == leader).count() >= 2
    assert Campaign.active() is not None
    r = runner.invoke(args=["seed-demo", "--password", "Demo#Pass2026"])
    assert "已存在" in r.output


def test_no_demo_accounts_without_seed(ctx):
    assert not User.select().where(User.username.startswith("demo-")).exists()


def test_seed_demo_random_password_printed(ctx, runner):
    r = runner.invoke(args=["seed-demo", "--people", "12"])
    assert r.exit_code == 0 and "演示账号密码：" in r.output
    pw = r.output.split("演示账号密码：")[1].strip()
    assert verify_password(User.get(User.username == "demo-staff").password_hash, pw)


def test_reset_password_command(ctx, runner):
    from tests.factories import make_user
    u = make_user("aud", roles=("auditor",))
    r = runner.invoke(args=["reset-password", "aud"])
    assert r.exit_code == 0, r.output
    pw = r.output.split("一次性密码：")[1].split("（")[0]
    fresh = User.get_by_id(u.id)
    assert verify_password(fresh.password_hash, pw) and fresh.must_change_password
    assert runner.invoke(args=["reset-password", "nobody"]).exit_code != 0
