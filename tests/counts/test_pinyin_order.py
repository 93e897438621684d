"""People sort by 拼音: 安 < 白 < 陈 < 张 (by bytes 张 < 安 < 白 < 陈 would not hold)."""
import re

from portal.sorting import name_key, sort_by_name
from tests.factories import make_problem, make_user

NAMES = ["张伟", "陈静", "安娜", "白云"]
ORDER = ["安娜", "白云", "陈静", "张伟"]


def test_name_key():
    assert sort_by_name(NAMES) == ORDER
    assert sorted(NAMES) != ORDER  # the bytes order differs


def test_ledger_person_column_and_selfcheck_people_sort_by_pinyin(ctx, client, auth, bureau):
    b = bureau
    people = [make_user(f"p{i}", b.fin, real_name=n) for i, n in enumerate(NAMES)]
    for p in people:
        make_problem(person=p, actor=b.office, description=f"{p.real_name}的问题")
    auth.login(b.office)
    page = client.get("/ledger/?sort=person&dept=%d" % b.fin.id).get_data(as_text=True)
    shown = [n for n in re.findall(r"(安娜|白云|陈静|张伟)的问题", page)]
    assert shown == ORDER, shown
    page = client.get("/ledger/?sort=person&dir=desc&dept=%d" % b.fin.id).get_data(as_text=True)
    assert re.findall(r"(安娜|白云|陈静|张伟)的问题", page) == ORDER[::-1]
    page = client.get(f"/selfcheck/department?dept={b.fin.id}").get_data(as_text=True)
    listed = [n for n in re.findall(r"<td>(安娜|白云|陈静|张伟)</td>", page)]
    assert listed == ORDER, listed
    assert name_key("安娜") < name_key("张伟")


def test_sort_name_is_kept_on_create_and_rename_and_orders_the_user_list(ctx, client, auth, bureau):
    from portal.models import User
    b = bureau
    dept = b.asset
    people = [make_user(f"q{i}", dept, real_name=n) for i, n in enumerate(NAMES)]
    assert User.get_by_id(people[0].id).sort_name.startswith("zhang")
    # a rename through a plain UPDATE keeps the key too
    User.update(real_name="艾伟").where(User.id == people[0].id).execute()
    assert User.get_by_id(people[0].id).sort_name.startswith("ai")
    User.update({User.real_name: "张伟"}).where(User.id == people[0].id).execute()
    assert User.get_by_id(people[0].id).sort_name.startswith("zhang")
    auth.login(b.sysadmin)
    page = client.get(f"/admin/?department={dept.id}").get_data(as_text=True)
    listed = [n for n in re.findall(r"(安娜|白云|陈静|张伟)", page) if n in NAMES]
    assert listed and [n for i, n in enumerate(listed) if n not in listed[:i]] == ORDER, listed
