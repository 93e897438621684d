"""Search by names through the same bigram index as the texts (portal/search.py): a person's and a
department's names are in each Problem's indexed document, kept when a Problem is reassigned and when a
name changes; scoped in the same query; counts capped; the words marked in the rows."""
from portal import problems, search
from portal.admin import service as admin
from portal.ledger.queries import filtered, page_of, status_counts
from portal.ledger.forms import parse_filters
from tests.factories import make_problem

from .conftest import row_ids


def _ids(user, q):
    return {p.id for p in filtered(user, {"q": q})}


def test_a_name_and_a_text_match_in_one_search(org):
    # 李明 is staff_a's name: pa1 is his; another Problem only mentions him in its text
    mention = make_problem(org.staff_b, description="孙丽反映李明同志借用公车", measures="说明情况")
    assert _ids(org.office, "李明") == {org.pa1.id, mention.id}
    # every word must match, each in any field: a name word and a text word together
    assert _ids(org.office, "李明 公文") == {org.pa1.id}
    assert _ids(org.office, "孙丽 公车") == {mention.id}
    assert _ids(org.office, "孙丽 私用") == {org.pb1.id}
    assert _ids(org.office, "资产管理") == {org.pb1.id, mention.id}     # a department's name


def test_search_stays_in_the_viewers_scope(org):
    # head_a (财务科) sees 财务科's Problems only, whatever the search names
    assert _ids(org.head_a, "孙丽") == set()
    assert _ids(org.head_a, "张华") == {org.pa2.id}
    assert _ids(org.head_b, "张华") == set()
    assert _ids(org.head_a, "财务") == {org.pa1.id, org.pa2.id}
    assert status_counts(org.head_a, {"q": "财务"})["total"] == 2
    assert status_counts(org.head_b, {"q": "财务"})["total"] == 0


def test_a_reassigned_problem_is_found_under_its_new_persons_name(org):
    p = problems.update(org.pa2.id, org.office, org.pa2.version, person=org.staff_a.id)
    assert p.id in _ids(org.office, "李明") and p.id not in _ids(org.office, "张华")
    moved = problems.update(org.pb1.id, org.office, org.pb1.version, person=org.staff_a.id,
                            department=org.a.id)
    assert moved.id in _ids(org.office, "财务科") and moved.id not in _ids(org.office, "资产管理")


def test_a_renamed_person_and_department_are_found_under_the_new_names(org, bureau):
    admin.update_account(bureau.sysadmin, org.staff_a, set(org.staff_a.roles), [], real_name="李明远")
    assert _ids(org.office, "明远") == {org.pa1.id}
    assert _ids(org.office, "李明远") == {org.pa1.id}
    admin.update_account(bureau.sysadmin, org.staff_a, set(org.staff_a.roles), [], real_name="赵刚")
    assert _ids(org.office, "李明") == set() and _ids(org.office, "赵刚") == {org.pa1.id}
    admin.update_department(org.b, "国有资产科", org.b.kind, org.b.parent_id, org.b.sort_order, actor=bureau.sysadmin)
    assert _ids(org.office, "国有资产") == {org.pb1.id} and _ids(org.office, "资产管理") == set()


def test_a_number_finds_the_problem_and_texts_holding_it(org):
    holder = make_problem(org.staff_a, description=f"第{org.pb1.id:02d}号文件未归档")
    word = f"{org.pb1.id:02d}"
    assert {org.pb1.id, holder.id} <= _ids(org.office, word)
    assert _ids(org.office, f"{word} 归档") == {holder.id}


def test_counts_say_bound_plus_and_the_first_page_still_shows(org, app, monkeypatch):
    for i in range(7):
        make_problem(org.staff_a, description=f"考勤记录异常第{i}次")
    monkeypatch.setattr(search, "COUNT_BOUND", 5)
    with app.test_request_context():
        pg = page_of(org.office, parse_filters({"q": "考勤"}), per_page=3)
        assert pg.counts["capped"] and pg.total == 5 and len(pg.rows) == 3
        assert [p.id for p in pg.rows] == [p.id for p in filtered(org.office, {"q": "考勤"})][:3]
        assert not page_of(org.head_b, parse_filters({"q": "考勤"})).counts.get("capped")  # scoped: none
        # a capped total is the bound, not the count of matches: a page is read forwards, never from the end
        every = [p.id for p in filtered(org.office, {"q": "考勤"})]
        pg2 = page_of(org.office, parse_filters({"q": "考勤", "page": "2"}), per_page=2)
        assert [p.id for p in pg2.rows] == every[2:4]


def test_the_rows_mark_the_search_words(org, client, auth):
    make_problem(org.staff_a, description="公文<b>办理</b>超时", measures="公文每周通报")
    auth.login(org.office)
    html = client.get("/ledger/?q=公文 李明").get_data(as_text=True)
    assert "<mark>公文</mark>&lt;b&gt;办理&lt;/b&gt;超时" in html   # marked, and the text still escaped
    assert "<mark>公文</mark>每周通报" in html and "<mark>李明</mark>" in html
    assert "<mark>" not in client.get("/ledger/").get_data(as_text=True)
    assert row_ids(html) >= {org.pa1.id}
