"""The demo bureau shows 通知公告 and an outcome pair: the hooks run after the register and the clue ledger,
whatever order the areas were imported in (this module imports portal.outcomes first on purpose)."""
import portal.outcomes  # noqa: F401
from portal.models.outcome import Outcome, TypicalCase
from portal.models.publication import Publication, PublicationRecipient


def test_seed_demo_publishes_and_records(app, ctx, runner):
    r = runner.invoke(args=["seed-demo", "--password", "Demo#Pass2026"])
    assert r.exit_code == 0, r.output
    pub = Publication.get()
    assert pub.require_ack and pub.audience == "all"
    acked = PublicationRecipient.select().where((PublicationRecipient.publication == pub.id)
                                                & PublicationRecipient.ack_at.is_null(False))
    assert acked.count() == 1
    pair = list(Outcome.select().order_by(Outcome.id))
    assert [o.responsibility for o in pair] == ["direct", "supervision"] and pair[1].partner_id == pair[0].id
    assert TypicalCase.select().count() == 1
