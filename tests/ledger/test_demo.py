"""The demo is one story: the ledger's self-check problems are exactly those of the submitted self-checks."""
import json

from portal import demo
from portal.models import Problem, User
from portal.models.selfcheck import SelfCheck, SelfCheckVersion
from tests.factories import PASSWORD


def test_every_demo_persons_selfcheck_problems_match_their_latest_submission(ctx):
    demo.seed(PASSWORD, people=24)
    assert Problem.select().where(Problem.origin.startswith("demo-ledger:")).exists()
    checked = 0
    for u in User.select():
        in_ledger = Problem.select().where((Problem.person == u.id) & (Problem.source == "selfcheck")
                                           & (Problem.withdrawn == False)).count()  # noqa: E712
        latest = (SelfCheckVersion.select().join(SelfCheck).where(SelfCheck.user == u.id)
                  .order_by(SelfCheckVersion.number.desc()).first())
        submitted = sum(len(i["problems"]) for i in json.loads(latest.content)["items"]) if latest else 0
        assert in_ledger == submitted, u.real_name
        checked += bool(submitted)
    assert checked >= 3  # the story has people with self-check problems
    li = User.get(User.username == "demo-staff")  # 李明: a draft, nothing submitted, nothing in the ledger
    assert Problem.select().where((Problem.person == li.id) & (Problem.source == "selfcheck")).count() == 0
    # no demo ledger entry claims to be self-reported
    assert not Problem.select().where(Problem.origin.startswith("demo-ledger:") & Problem.self_reported).exists()
