"""The deadline trigger as a set operation (portal/notify.py notify_many): running it again creates nothing, a run
cut short half-way keeps the chunks it committed, and the next run completes it with each notice exactly once."""
import datetime as dt

import pytest

from portal import notify as notify_mod
from portal.models import Notice
from portal.notices import triggers
from portal.notify import notify, notify_many
from tests.factories import make_department, make_problem, make_user


def _problems(n=8):
    d = make_department("财务科")
    head = make_user("head", d, roles=("dept_head", "staff"), real_name="王科长")
    staff = [make_user(f"s{i}", d, real_name=f"职工{i}") for i in range(n)]
    made = [make_problem(person=s, deadline=dt.date(2026, 11, 21 + i % 5), description=f"问题{i}")
            for i, s in enumerate(staff)]
    wanted = {(p.person_id, f"deadline:{p.id}:{p.deadline.isoformat()}") for p in made}
    wanted |= {(head.id, key) for _u, key in wanted}
    return wanted


def _pairs():
    return [(n.user_id, n.dedupe_key) for n in Notice.select(Notice.user, Notice.dedupe_key)]


def test_running_the_triggers_twice_creates_nothing_new(ctx, travel):
    travel(dt.date(2026, 11, 20))
    wanted = _problems()
    first = triggers.run_all()
    assert first["ledger_deadlines"] == len(wanted) == 16
    assert sorted(_pairs()) == sorted(wanted)
    again = triggers.run_all()
    assert again["ledger_deadlines"] == 0 and again["reports_due"] == 0
    assert sorted(_pairs()) == sorted(wanted)  # each (person, key) exactly once


def test_a_run_cut_short_then_run_again_gives_each_notice_once(ctx, travel, monkeypatch):
    travel(dt.date(2026, 11, 20))
    wanted = _problems()
    real = notify_mod._insert_chunk
    done = []

    def crash_after_two(batch):
        if len(done) == 2:
            raise RuntimeError("worker killed")
        done.append(real(batch))
        return done[-1]
    monkeypatch.setattr(notify_mod, "CHUNK", 3)
    monkeypatch.setattr(notify_mod, "_insert_chunk", crash_after_two)
    out = triggers.run_all()
    assert out["ledger_deadlines"] == -1  # the trigger failed ...
    assert len(_pairs()) == 6 and set(_pairs()) <= wanted  # ... after committing two chunks of three
    monkeypatch.setattr(notify_mod, "_insert_chunk", real)
    out = triggers.run_all()
    assert out["ledger_deadlines"] == len(wanted) - 6
    pairs = _pairs()
    assert len(pairs) == len(set(pairs)) and set(pairs) == wanted
    assert triggers.run_all()["ledger_deadlines"] == 0


def test_notify_many_skips_what_exists_and_what_a_concurrent_run_made(ctx, monkeypatch):
    d = make_department("办公室")
    a, b = make_user("a", d), make_user("b", d)
    assert notify(a, "info", "已有", "/x", key="k1") is not None
    real = notify_mod._insert_chunk

    def racing(batch):  # another worker inserts (b, k2) between the lookup and the insert
        notify(b, "info", "并发", "/x", key="k2")
        return real(batch)
    monkeypatch.setattr(notify_mod, "_insert_chunk", racing)
    rows = [(a, "info", "一", "/x", "k1"), (b, "info", "二", "/x", "k2"), (b.id, "info", "三", "/x", "k3"),
            (b.id, "info", "三", "/x", "k3")]  # a duplicate in the input too
    assert notify_many(rows) == 1
    assert Notice.get((Notice.user == b.id) & (Notice.dedupe_key == "k3")).text == "三"
    assert Notice.get((Notice.user == b.id) & (Notice.dedupe_key == "k2")).text == "并发"
    assert Notice.select().count() == 3
    with pytest.raises(ValueError):
        notify_many([(a, "info", "无键", "/x", None)])
