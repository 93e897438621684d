"""The report's further tables and text (issue 14 §3), from the snapshot figures.extra_stats made:
participation, problems by item / severity / status, clues by channel, 一案双查 and outcomes."""
from ..models import SEVERITIES, STATUSES


def _s(n):
    return str(int(n or 0))


def extra_tables(stats, first_no):
    """The tables in the documents engine's format, numbered from ``first_no``; [] for an old snapshot."""
    if "participation" not in stats:
        return []
    out = []
    no = first_no
    part = stats["participation"]
    tot = {k: sum(r[k] for r in part) for k in ("expected", "submitted", "perfunctory", "missing")}
    out.append({
        "caption": f"表{no}　各部门自查自纠参与情况",
        "header": ["部门", "应参加", "已提交", "退回敷衍", "未提交"],
        "widths": [9, 4.5, 4.5, 5.5, 4.5],
        "rows": [[r["name"], _s(r["expected"]), _s(r["submitted"]), _s(r["perfunctory"]), _s(r["missing"])]
                 for r in part]
        + [["合计", _s(tot["expected"]), _s(tot["submitted"]), _s(tot["perfunctory"]), _s(tot["missing"])]],
    })
    no += 1
    p = stats["problems"]
    share = f"{p['self_share']}%" if p["self_share"] is not None else "—"
    rows = [["严重程度", SEVERITIES.get(k, k), _s(n)] for k, n in p["severity"].items()]
    rows += [["整改状态", STATUSES.get(k, k), _s(n)] for k, n in p["status"].items()]
    rows += [["自查从宽", "个人自查发现", _s(p["self"])], ["自查从宽", "占本期新增比例", share]]
    out.append({"caption": f"表{no}　新增问题严重程度和整改状态", "header": ["分类", "项目", "问题数"],
                "widths": [7, 13, 8], "rows": rows + [["合计", "", _s(p["total"])]]})
    no += 1
    if p["items"]:
        out.append({"caption": f"表{no}　新增问题按问题项统计", "header": ["问题项", "问题数"],
                    "widths": [22, 6],
                    "rows": [[r["name"], _s(r["n"])] for r in p["items"]] + [["合计", _s(p["total"])]]})
        no += 1
    cl = stats["clues"]
    keys = ("accepted", "assigned", "concluded", "filed")
    sums = {k: sum(r[k] for r in cl.values()) for k in keys}
    out.append({"caption": f"表{no}　问题线索处置情况",
                "header": ["渠道", "受理", "交办", "办结", "转立案"], "widths": [7, 3, 3, 3, 3],
                "rows": [[r["name"]] + [_s(r[k]) for k in keys] for r in cl.values()]
                + [["合计"] + [_s(sums[k]) for k in keys]]})
    no += 1
    d, o = stats["dual"], stats["outcomes"]
    rows = [["一案双查", "领导责任追究", _s(d["accountability"])],
            ["一案双查", "其中与当事人问题关联", _s(d["paired"])]]
    rows += [["四种形态", k, _s(v)] for k, v in o["forms"].items()]
    rows += [["组织处理", k, _s(v)] for k, v in o["measures"].items()]
    out.append({"caption": f"表{no}　一案双查和追责问责情况", "header": ["类别", "项目", "人次"],
                "widths": [7, 13, 8], "rows": rows})
    return out


def _list(pairs, unit):
    return "、".join(f"{k}{v}{unit}" for k, v in pairs)


def extra_text(stats):
    """The further figures said in paragraphs after the tables (text flows onto full pages; the tables
    are in the workbook and on the report's page): participation, problems, clues, 一案双查, outcomes,
    长效机制. Every number is the snapshot's."""
    if "participation" not in stats:
        return []
    part = stats["participation"]
    tot = {k: sum(r[k] for r in part) for k in ("expected", "submitted", "perfunctory", "missing")}
    lines = [f"个人自查自纠参与情况：截至期末，全局应参加{tot['expected']}人，已提交{tot['submitted']}人，"
             f"退回敷衍{tot['perfunctory']}人，未提交{tot['missing']}人。其中，"
             + "；".join(f"{r['name']}应参加{r['expected']}人、已提交{r['submitted']}人、"
                        f"退回敷衍{r['perfunctory']}人、未提交{r['missing']}人" for r in part) + "。"]
    p = stats["problems"]
    share = f"{p['self_share']}%" if p["self_share"] is not None else "—"
    sev = _list([(SEVERITIES.get(k, k), n) for k, n in p["severity"].items()], "个")
    st = _list([(STATUSES.get(k, k), n) for k, n in p["status"].items()], "个")
    text = (f"本期新增问题按严重程度分，{sev}；按整改状态分，{st}；个人自查发现{p['self']}个，"
            f"占本期新增问题的{share}，按自查从宽原则处理。")
    if p["items"]:
        text += "按问题项分，" + "；".join(f"第{r['name'].split('.')[0]}项{r['n']}个" for r in p["items"]) + "。"
    lines.append(text)
    cl = stats["clues"]
    keys = (("accepted", "受理"), ("assigned", "交办"), ("concluded", "办结"), ("filed", "转立案"))
    sums = {k: sum(r[k] for r in cl.values()) for k, _l in keys}
    by = [r for r in cl.values() if any(r[k] for k, _l in keys)]
    text = "问题线索处置情况：本期" + "，".join(f"{label}{sums[k]}件" for k, label in keys) + "。"
    if by:
        text += "其中，" + "；".join(r["name"] + "，".join(f"{label}{r[k]}件" for k, label in keys) for r in by) + "。"
    lines.append(text)
    d, o = stats["dual"], stats["outcomes"]
    text = (f"一案双查和追责问责情况：本期对{d['accountability']}起问题追究领导责任，其中与当事人问题"
            f"关联{d['paired']}起；运用监督执纪“四种形态”处理" + _list(o["forms"].items(), "人次"))
    if o["measures"]:
        text += "；组织处理" + _list(o["measures"].items(), "人次")
    lines.append(text + "。")
    if not o.get("available"):
        lines.append("追责问责结果登记功能尚未启用，四种形态和组织处理人次暂按0统计。")
    mech = stats["mechanisms"]
    if mech:
        titles = "、".join(f"《{m['title']}》" for m in mech)
        lines.append(f"长效机制建设情况：本期建立健全长效机制{len(mech)}项，即{titles}。")
    else:
        lines.append("长效机制建设情况：本期建立健全长效机制0项。")
    return lines
