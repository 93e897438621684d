"""The auditable draw: reproducible, exclusions enforced, immutable, redraws kept, publicly verifiable."""
import datetime as dt
import json
import subprocess
import sys

import pytest

from portal.errors import PortalError
from portal.extensions import db
from portal.inspections import draw as drawlib
from portal.inspections import service
from portal.models.inspection import Draw, InspectionTarget, PlanInspector
from tests.factories import make_user

from .helpers import bureau, draw, plan

ROSTER = drawlib.freeze_roster([(f"u:{i}", f"人员{i}", i % 5) for i in range(1, 41)])


def test_same_inputs_same_result_and_witness_changes_it():
    a = drawlib.compute(ROSTER, "[]", "246810", "2026-11-20 09:30:00", 5)
    b = drawlib.compute(ROSTER, "[]", "246810", "2026-11-20 09:30:00", 5)
    c = drawlib.compute(ROSTER, "[]", "246811", "2026-11-20 09:30:00", 5)
    assert a == b
    assert len(a["result"]) == 5 and len(set(a["result"])) == 5
    assert a["seed"] != c["seed"] and a["result"] != c["result"]
    # the seed is exactly the documented formula
    assert a["seed"] == drawlib.sha256_hex(f"{drawlib.ALGORITHM}\n246810\n2026-11-20 09:30:00\n"
                                           f"{drawlib.sha256_hex(ROSTER)}")


def test_exclusions_never_drawn_and_ranking_is_hash_order():
    excl = drawlib.freeze_exclusions([(f"u:{i}", "leave", "请假") for i in range(1, 36)])
    r = drawlib.compute(ROSTER, excl, "1111", "2026-11-20 09:30:00", 5)
    assert sorted(r["result"]) == [f"u:{i}" for i in range(36, 41)]
    full = drawlib.compute(ROSTER, "[]", "1111", "2026-11-20 09:30:00", 40)
    hashes = [h for _k, h in full["ranking"]]
    assert hashes == sorted(hashes)


def test_same_result_in_another_process():
    here = drawlib.compute(ROSTER, "[]", "97531", "2026-11-20 10:00:00", 7)
    code = ("import json,sys; from portal.inspections import draw as d; a=json.load(sys.stdin); "
            "print(json.dumps(d.compute(a['r'], '[]', '97531', '2026-11-20 10:00:00', 7)['result']))")
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps({"r": ROSTER}), capture_output=True,
                         text=True, check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2]),
                         env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"})
    assert json.loads(out.stdout) == here["result"]


def test_stored_draw_recomputed_in_subprocess(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 9, 30, 15))
    b = bureau()
    p = plan(b["discipline"])
    d = draw(p, b["discipline"], witness="8642")
    code = ("import json,sys; from portal.inspections import draw as d; a=json.load(sys.stdin); "
            "print(json.dumps(d.compute(a['roster'], a['excl'], a['w'], a['t'], a['n'], a['alg'])))")
    payload = {"roster": d.roster, "excl": d.exclusions, "w": d.witness_number, "t": d.drawn_at_text,
               "n": d.requested, "alg": d.algorithm}
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(payload), capture_output=True, text=True,
                         check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2]))
    again = json.loads(out.stdout)
    assert again["result"] == d.result_keys() and again["seed"] == d.seed and again["roster_hash"] == d.roster_hash
    assert d.drawn_at_text == "2026-11-20 09:30:15"


def test_two_draws_with_same_inputs_pick_same_targets(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 9, 30, 0))
    b = bureau()
    p1 = plan(b["discipline"], title="一", cycle="")
    p2 = plan(b["discipline"], title="二", cycle="")
    d1 = draw(p1, b["discipline"], witness="5555")
    d2 = draw(p2, b["discipline"], witness="5555")
    assert d1.roster_hash == d2.roster_hash and d1.result_keys() == d2.result_keys()
    t1 = [t.user_id for t in InspectionTarget.select().where(InspectionTarget.plan == p1.id).order_by(InspectionTarget.rank)]
    assert [f"u:{u}" for u in t1] == d1.result_keys()


def test_inspector_never_draws_own_department(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p = plan(b["discipline"], count=12)  # 4 depts x 4 + 3 others; everyone but dept 甲 must be drawable
    service.assign_inspector(p, b["insp_a"], b["discipline"])
    prep = service.prepare(p, "targets")
    own = {f"u:{u.id}" for u in b["staff"][b["depts"][0].id]} | {f"u:{b['insp_a'].id}"}
    assert own <= set(prep["auto"])
    assert all(prep["auto"][k][0] == "conflict" and "检查员甲" in prep["auto"][k][1] for k in own)
    eligible = len(prep["rows"]) - len(prep["auto"])
    d = draw(p, b["discipline"], count=eligible)
    drawn_depts = {t.department_id for t in InspectionTarget.select().where(InspectionTarget.plan == p.id)}
    assert b["depts"][0].id not in drawn_depts
    assert {row[0] for row in d.exclusion_rows()} == own
    # and the other way round: an inspector from a drawn department cannot be assigned now
    with pytest.raises(PortalError, match="利益冲突"):
        service.assign_inspector(p, make_user("inspC", b["depts"][1], roles=("inspector",)), b["discipline"])


def test_department_plan_and_inspector_draw_exclusions(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau(people_per_dept=1)
    p = plan(b["discipline"], kind="department", count=2)
    service.add_target(p, b["depts"][2], b["discipline"], "举报反映问题较多")
    t = InspectionTarget.get(InspectionTarget.plan == p.id)
    assert t.is_random is False and t.reason == "举报反映问题较多"
    # inspectors are drawn too: 检查员甲 (科室甲) is eligible, an inspector of 科室丙 (a target) is not
    c_insp = make_user("inspC", b["depts"][2], roles=("inspector",))
    prep = service.prepare(p, "inspectors")
    assert prep["auto"][f"u:{c_insp.id}"][0] == "conflict"
    d = draw(p, b["discipline"], purpose="inspectors", count=2)
    assert f"u:{c_insp.id}" not in d.result_keys()
    assert PlanInspector.select().where(PlanInspector.plan == p.id).count() == 2
    prep = service.prepare(p, "targets")
    inspector_depts = {pi.user.department_id for pi in PlanInspector.select().where(PlanInspector.plan == p.id)}
    for key, _label, dept in prep["rows"]:
        if dept in inspector_depts:
            assert prep["auto"][key][0] == "conflict"
    assert prep["auto"][f"d:{b['depts'][2].id}"][1] == "已列为本次检查对象"
    # a department of an inspector cannot be added by hand either
    with pytest.raises(PortalError, match="利益冲突"):
        service.add_target(p, b["insp_a"].department, b["discipline"], "数据提示")


def test_checked_this_cycle_and_manual_exclusions(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p1 = plan(b["discipline"], count=3)
    d1 = draw(p1, b["discipline"])
    p2 = plan(b["discipline"], title="第二次", count=3)
    prep = service.prepare(p2, "targets")
    for key in d1.result_keys():
        assert prep["auto"][key] == ("checked", "本轮（2026-11）已被抽查")
    someone = next(r[0] for r in prep["rows"] if r[0] not in prep["auto"])
    with pytest.raises(PortalError, match="写明具体原因"):
        draw(p2, b["discipline"], manual={someone: ("other", "")})
    d2 = draw(p2, b["discipline"], manual={someone: ("leave", "病假至11月30日")})
    assert [someone, "leave", "请假、出差或外出学习：病假至11月30日"] in d2.exclusion_rows()
    assert someone not in d2.result_keys()
    assert not set(d1.result_keys()) & set(d2.result_keys())


def test_witness_number_and_roster_change_are_checked(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p = plan(b["discipline"])
    prep = service.prepare(p, "targets")
    with pytest.raises(PortalError, match="见证数字"):
        service.do_draw(p, "targets", b["discipline"], "abc", "见证人", {}, 5, prep["roster_hash"])
    make_user("latecomer", b["depts"][1])  # the roster changes after it was shown to the witness
    with pytest.raises(PortalError, match="名单.*变化"):
        service.do_draw(p, "targets", b["discipline"], "123456", "见证人", {}, 5, prep["roster_hash"])
    assert Draw.select().count() == 0


def test_draw_is_immutable_and_redraw_keeps_the_old_one(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p = plan(b["discipline"])
    d = draw(p, b["discipline"], witness="1234")
    d.witness_number = "9999"
    with pytest.raises(PermissionError):
        d.save()
    with pytest.raises(PermissionError):
        Draw.update(witness_number="9999").execute()
    with pytest.raises(PermissionError):
        d.delete_instance()
    with pytest.raises(PortalError, match="重新抽取"):
        draw(p, b["discipline"], witness="4321")
    with pytest.raises(PortalError, match="理由"):
        draw(p, b["discipline"], witness="4321", supersedes=d)
    travel(dt.datetime(2026, 11, 20, 9, 5))
    d2 = draw(p, b["discipline"], witness="4321", supersedes=d, reason="见证人未到场，重新组织抽取")
    assert Draw.select().where(Draw.plan == p.id).count() == 2
    old = Draw.get_by_id(d.id)
    assert old.witness_number == "1234" and drawlib.verify(old)["ok"]
    assert d2.supersedes_id == d.id and d2.redraw_reason.startswith("见证人")
    targets = [f"u:{t.user_id}" for t in InspectionTarget.select().where(InspectionTarget.plan == p.id)
               .order_by(InspectionTarget.rank)]
    assert targets == d2.result_keys()
    with pytest.raises(PortalError, match="当前有效"):
        draw(p, b["discipline"], witness="11111", supersedes=d, reason="x")


def test_no_redraw_after_findings(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p = plan(b["discipline"])
    service.assign_inspector(p, b["insp_b"], b["discipline"])
    d = draw(p, b["discipline"])
    t = InspectionTarget.select().where(InspectionTarget.draw == d.id).first()
    service.record_finding(t, b["insp_b"], "clean", None, "", dt.datetime(2026, 11, 20, 9, 10), "", "general",
                           None, [])
    with pytest.raises(PortalError, match="已有检查对象登记"):
        draw(p, b["discipline"], supersedes=d, reason="想换人")


def test_public_verify_page_and_tampering(ctx, client, travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p = plan(b["discipline"])
    d = draw(p, b["discipline"], witness="20261120")
    r = client.get(f"/inspections/draws/{d.public_id}/verify")  # no login
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-verdict="match"' in html and "核验一致" in html
    assert d.seed in html and d.roster_hash in html
    assert "科室甲人员0" not in html  # codes only, never names, on the public page
    # tamper with a stored input behind the ORM's back: the page shows the mismatch
    db.execute_sql('UPDATE "draw" SET witness_number = %s WHERE id = %s' % ("'20261121'", d.id))
    html = client.get(f"/inspections/draws/{d.public_id}/verify").get_data(as_text=True)
    assert 'data-verdict="mismatch"' in html and "核验不一致" in html
    assert "✗ 随机种子由见证数字、抽取时间和名单哈希算出" in html
    db.execute_sql('UPDATE "draw" SET witness_number = %s WHERE id = %s' % ("'20261120'", d.id))
    swapped = json.dumps(list(reversed(d.result_keys())))
    Draw._meta.database.execute_sql('UPDATE "draw" SET result = ? WHERE id = ?'.replace("?", "%s")
                                    if _pg() else 'UPDATE "draw" SET result = ? WHERE id = ?', (swapped, d.id))
    html = client.get(f"/inspections/draws/{d.public_id}/verify").get_data(as_text=True)
    assert 'data-verdict="mismatch"' in html and "✗ 抽取结果与重新计算结果一致" in html
    assert client.get("/inspections/draws/nope/verify").status_code == 404


def _pg():
    from portal import db as portal_db
    return portal_db.is_postgres()


def test_public_verify_data_recomputes_independently(ctx, client, travel):
    import hashlib
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p = plan(b["discipline"])
    service.assign_inspector(p, b["insp_a"], b["discipline"])
    d = draw(p, b["discipline"], witness="60606")
    data = client.get(f"/inspections/draws/{d.public_id}/verify.json").get_json()
    assert "科室" not in json.dumps(data, ensure_ascii=False)  # codes only
    # an outsider's own few lines, independent of our code
    seed = hashlib.sha256("\n".join([data["algorithm"], data["witness_number"], data["drawn_at"],
                                     data["roster_hash"]]).encode()).hexdigest()
    assert seed == data["seed"]
    eligible = [c for c in data["candidates"] if c not in set(data["excluded"])]
    ranked = sorted(eligible, key=lambda c: hashlib.sha256(bytes.fromhex(seed) + c.encode()).hexdigest())
    assert ranked[:data["count"]] == data["result"] == d.result_keys()


def test_concurrent_draws_make_one_record(app, ctx, travel):
    """Two office members press 抽取 at the same moment: one draw is recorded, the other is refused."""
    import threading
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p = plan(b["discipline"])
    prep = service.prepare(p, "targets")
    outcomes = []
    barrier = threading.Barrier(2)

    def go(witness):
        with app.app_context():
            db.connect(reuse_if_open=True)
            barrier.wait()
            try:
                service.do_draw(p, "targets", b["discipline"], witness, "见证人", {}, 5, prep["roster_hash"])
                outcomes.append("ok")
            except PortalError as e:
                outcomes.append(e.message)
            finally:
                db.close()
    threads = [threading.Thread(target=go, args=(w,)) for w in ("11111", "22222")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "ok" and outcomes.count("ok") == 1
    assert Draw.select().count() == 1
    assert InspectionTarget.select().count() == 5
