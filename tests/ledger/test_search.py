"""Chinese search through the bigram index (portal/search.py), on SQLite FTS5 and PostgreSQL tsvector."""
import pytest

from portal import problems, search
from portal.ledger.queries import filtered, status_counts
from portal.models import Problem

from ..factories import make_department, make_problem, make_user


def test_tokens_are_bigrams_and_words():
    assert search.tokens("整改措施") == ["整改", "改措", "措施"]
    assert search.tokens("A4纸张 OA系统") == ["a4", "纸张", "oa", "系统"]
    assert search.tokens("治") == ["治"]
    assert search.indexable("整改") == ["整改"]
    assert search.indexable("治") is None          # one character: the substring scan answers it
    assert search.indexable("“门难进”") is None     # punctuation inside: scan


@pytest.fixture
def office(ctx):
    d = make_department("办公室")
    return make_user(department=d, roles=["discipline"]), d


def _ids(user, q, **extra):
    return {p.id for p in filtered(user, {"q": q, **extra})}


def test_two_and_four_character_terms_match_substrings_only(office):
    user, d = office
    a = make_problem(department=d, description="公文办理超时限，来文平均延误", measures="建立台账")
    b = make_problem(department=d, description="整改到位措施不实", measures="每周通报")
    c = make_problem(department=d, description="落实整改措施", measures="专项治理")
    assert _ids(user, "公文") == {a.id}
    assert _ids(user, "整改措施") == {c.id}
    assert _ids(user, "改措") == {c.id}                  # b has 改到…措施, not 改措
    assert _ids(user, "台账") == {a.id}                   # measures are searched too
    assert _ids(user, "治") == {c.id}                     # one character through the scan
    assert _ids(user, "整改 通报") == {b.id}              # every word must match


def test_the_index_follows_edits_and_scope(office):
    user, d = office
    other = make_department("财务科")
    head = make_user(department=other, roles=["dept_head"])
    p = make_problem(department=d, description="会议纪要未及时印发")
    q = make_problem(department=other, description="会议室长期被占用")
    assert _ids(user, "会议") == {p.id, q.id}
    assert _ids(head, "会议") == {q.id}                   # scoped in the same query
    problems.update(p.id, user, p.version, description="值班脱岗")
    assert _ids(user, "会议") == {q.id} and _ids(user, "脱岗") == {p.id}


def test_counts_are_exact_up_to_a_bound(office, monkeypatch):
    user, d = office
    for i in range(6):
        make_problem(department=d, description=f"考勤记录异常第{i}次")
    assert status_counts(user, {"q": "考勤"})["total"] == 6
    monkeypatch.setattr(search, "COUNT_BOUND", 5)
    counts = status_counts(user, {"q": "考勤"})
    assert counts["capped"] and counts["total"] == 5
    assert status_counts(user, {})["total"] == 6


def test_ledger_page_shows_capped_count(office, client, auth, monkeypatch):
    user, d = office
    for i in range(4):
        make_problem(department=d, description=f"公车私用第{i}次")
    monkeypatch.setattr(search, "COUNT_BOUND", 3)
    auth.login(user)
    html = client.get("/ledger/?q=公车").get_data(as_text=True)
    assert "3+" in html


def test_reindex_rebuilds_from_the_table(office, runner):
    user, d = office
    p = make_problem(department=d, description="调研报告照搬往年内容")
    Problem.update(description="服务窗口脸难看").where(Problem.id == p.id).execute()  # bypasses the index
    assert _ids(user, "窗口") == set()
    r = runner.invoke(args=["search", "reindex"])
    assert r.exit_code == 0 and "1 条" in r.output
    assert _ids(user, "窗口") == {p.id} and _ids(user, "调研") == set()
