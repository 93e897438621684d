"""The cover list of a batch print: who is included (in printing order) and who in scope has not submitted,
set by the engine as a plain document so it prints on the same grid as the reports."""
from .. import clock
from ..models import Campaign, Department, User


def included(department_id, viewer) -> list:
    """The persons of a batch in printing order: version id, name, department, version number."""
    from ..models.selfcheck import SelfCheck, SelfCheckVersion
    from .batch import versions_query
    ids = [v.id for v in versions_query(department_id, viewer)]
    rows = {v.id: v for v in (SelfCheckVersion.select(SelfCheckVersion.id, SelfCheckVersion.number,
                                                      User.real_name, Department.name)
                              .join(SelfCheck).join(User, on=(SelfCheck.user == User.id))
                              .join(Department, on=(User.department == Department.id))
                              .where(SelfCheckVersion.id.in_(ids)).objects())} if ids else {}
    return [dict(version=i, name=rows[i].real_name, department=rows[i].name, number=rows[i].number) for i in ids]


def missing(department_id, viewer) -> list:
    """(department, name) of the people in scope who have not submitted in the active campaign."""
    from ..selfcheck.review import people
    camp = Campaign.active()
    if camp is None:
        return []
    names = {d.id: d.name for d in Department.select(Department.id, Department.name)}
    out = []
    for u in people(viewer, camp, department_id):
        sc = getattr(u, "sc", None)
        if sc is None or sc.id is None or sc.status not in ("submitted", "approved"):
            out.append((names.get(u.department_id, ""), u.real_name))
    return out


def _by_department(pairs):
    """[(department, [names…])] in the given order."""
    out = []
    for dept, name in pairs:
        if not out or out[-1][0] != dept:
            out.append((dept, []))
        out[-1][1].append(name)
    return out


def cover_doc(scope: str, persons: list, missing_people: list) -> dict:
    """Names run on as paragraphs, a department a paragraph (a 300-person bureau fits on a few pages)."""
    from ..gongwen.titles import cn_index
    body = [f"范围：{scope}。已提交{len(persons)}人，未提交{len(missing_people)}人。材料按以下顺序装订，"
            "每份从奇数页（正面）开始，各自编排页码。", "一、已提交材料的人员"]
    done = [(p["department"], p["name"] + (f"（第{p['number']}版）" if p["number"] > 1 else "")) for p in persons]
    for k, (dept, names) in enumerate(_by_department(done), 1):
        body += [f"（{cn_index(k)}）{dept}（{len(names)}人）", "、".join(names) + "。"]
    if not persons:
        body.append("无。")
    body.append("二、尚未提交的人员")
    for k, (dept, names) in enumerate(_by_department(missing_people), 1):
        body += [f"（{cn_index(k)}）{dept}（{len(names)}人）", "、".join(names) + "。"]
    if not missing_people:
        body.append("无。")
    now = clock.now()
    return dict(title="个人对照检查材料打印清单", body="\n".join(body),
                note=f"生成于{now.year}年{now.month}月{now.day}日 {now:%H:%M}")


KIND = "work-plan"                  # the engine's plain layout: title, body, no 版头


def scope_name(job) -> str:
    return job.department.name if job.department_id else "全局"


def cover_pdf(job, persons, missing_people, fonts) -> bytes:
    from ..gongwen.render import render_pdf
    return render_pdf(KIND, cover_doc(scope_name(job), persons, missing_people), fonts)
