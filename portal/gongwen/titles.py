"""Titles and dates: 成文日期 as "2026年5月6日", 一二三 numbering, and title line breaks in 梯形/菱形 shape
(GB/T 9704 7.3.1)."""
import datetime as _dt
import math
import re

from . import typeset as ts
from .grid import BLOCK_W

CN_NUM = "一二三四五六七八九十"


def fmt_date(d):
    if d is None or d == "":
        return ""
    if isinstance(d, (_dt.date, _dt.datetime)):
        return f"{d.year}年{d.month}月{d.day}日"
    s = str(d).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日" if m else s


def cn_index(i):
    if i <= 10:
        return CN_NUM[i - 1]
    if i < 20:
        return "十" + CN_NUM[i - 11]
    return CN_NUM[i // 10 - 1] + "十" + (CN_NUM[i % 10 - 1] if i % 10 else "")


# Words a title line must not be split inside (2+ characters; the campaign's and offices' vocabulary).
TITLE_WORDS = tuple(sorted(set("""
关于 进一步 加强 开展 做好 印发 转发 召开 举办 组织 建立 健全 完善 推进 推动 深化 深入 贯彻 落实 执行 实施 规范
干部 队伍 作风 纪律 作风纪律 整顿 整治 专项 治理 建设 廉政 党风 廉洁 从严 治党 全面 监督 检查 问责 执纪 责任 主体
明察 暗访 明察暗访 回头看 自查 自纠 自查自纠 对照 整改 落实 情况 问题 工作 方案 意见 通知 通报 报告 纪要 决定
请示 批复 函 提醒 提醒函 约谈 通知书 材料 个人 单位 科室 部门 机关 事务 管理 管理局 服务 中心 车辆 会议 党组
研究 部署 领导 小组 办公室 六治六提 四风 八项 规定 精神 制度 机制 长效 常态 常态化 长效化 有关 相关 实施意见
工作方案 情况报告 干部队伍 作风建设 专项整治 整改落实 服务中心 领导小组 对照检查 发现 安排 下一步 调查 核查 处理 处分 考勤 值班 公务 接待 用车 公车 市委 市政府 纪委 监委 派驻 纪检 监察 组
""".split()), key=len, reverse=True))
TITLE_AFTER_OK = set("，、；：”’》）〕】")             # a line may well end after these
TITLE_CONJ = set("和与及暨并或")


def _title_break_costs(title):
    """Cost of a line break before character i (1 ≤ i < len): low after punctuation, 的, at 和/与; high
    inside a known word, inside quotes/brackets, or leaving 关于 alone; None where 避头尾 forbids it."""
    n = len(title)
    inside_word, word_edge = set(), set()
    for w in TITLE_WORDS:
        at = title.find(w)
        while at >= 0:
            inside_word.update(range(at + 1, at + len(w)))
            word_edge.update((at, at + len(w)))
            at = title.find(w, at + 1)
    depth, quoted = 0, set()
    for i, c in enumerate(title):
        if c in "“‘《（〔【「":
            depth += 1
        elif c in "”’》）〕】」":
            depth = max(depth - 1, 0)
        elif depth:
            quoted.add(i)
    costs = {}
    for i in range(1, n):
        a, b = title[i - 1], title[i]
        if b in ts.NO_START or a in ts.NO_END or (a.isascii() and a.isalnum() and b.isascii() and b.isalnum()):
            continue
        if a in TITLE_AFTER_OK or b in "“《（":
            cost = 0.0
        elif a == "的" or b in TITLE_CONJ:
            cost = 1.0
        elif a in TITLE_CONJ:
            cost = 1.5
        elif i in inside_word:
            cost = 30.0
        elif i in word_edge:
            cost = 2.5
        else:
            cost = 5.0
        if b == "的":
            cost += 10.0                                  # 的 would start the line
        if i in quoted and i - 1 in quoted:
            cost += 8.0                                   # inside “…” or 《…》
        if title[:i] == "关于":
            cost += 12.0                                  # 关于 alone on the first line
        costs[i] = cost
    return costs


def _shape_cost(widths):
    """2 lines: 梯形, the upper line longer; 3 or more: 菱形, the middle line(s) longest."""
    n, cost = len(widths), 0.0
    if min(widths) < 2.5:
        cost += 8.0                                       # an orphaned scrap of a title
    if n == 2:
        w1, w2 = widths
        cost += (4.0 + 1.5 * (w2 - w1)) if w2 > w1 + 0.01 else 0.2 * (w1 - w2)
    else:
        mid = max(widths[1:-1])
        for w in (widths[0], widths[-1]):
            if w > mid + 0.01:
                cost += 4.0 + 1.5 * (w - mid)
        cost += 0.2 * abs(widths[0] - widths[-1])
        cost += sum(0.4 * abs(widths[k] - widths[k + 1]) for k in range(1, n - 2))   # middle lines even
    return cost


def split_title(fonts, title, size=22.0):
    """Title lines: explicit "\\n" breaks kept; otherwise the breaks are chosen at sensible points (after
    punctuation, at 的/和/与, never inside a known word or 避头尾) for a 梯形 (two lines, the upper longer)
    or 菱形 (three or more, the middle longest) shape (GB/T 9704 7.3.1)."""
    import itertools
    if "\n" in title:
        return [t.strip() for t in title.split("\n") if t.strip()]
    maxw = (BLOCK_W - 2 * size) / size            # leave at least one character of air each side
    widths = [fonts.advance("xbs", c) for c in title]
    total = sum(widths)
    if total <= maxw or len(title) < 2:
        return [title]
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    costs = _title_break_costs(title)
    cands = sorted(costs)
    n_min = math.ceil(total / maxw)
    best = None
    for n in range(n_min, n_min + 2):
        if n - 1 > len(cands) or n > 5 or (n == 5 and len(cands) > 30) or (n == 4 and len(cands) > 70):
            break
        for combo in itertools.combinations(cands, n - 1):
            cuts = (0,) + combo + (len(title),)
            ws = [prefix[cuts[k + 1]] - prefix[cuts[k]] for k in range(n)]
            if max(ws) > maxw + 1e-6:
                continue
            score = sum(costs[c] for c in combo) + _shape_cost(ws) + 6.0 * (n - n_min)
            if best is None or score < best[0]:
                best = (score, cuts)
    if best is None:                                  # nothing fits the rules: greedy, as before
        return _greedy_title(title, widths, maxw)
    cuts = best[1]
    return [title[cuts[k]:cuts[k + 1]] for k in range(len(cuts) - 1)]


def _greedy_title(title, widths, maxw):
    lines, cur, w = [], "", 0.0
    for c, cw in zip(title, widths):
        if cur and w + cw > maxw + 1e-6 and c not in ts.NO_START and cur[-1] not in ts.NO_END:
            lines.append(cur)
            cur, w = "", 0.0
        cur, w = cur + c, w + cw
    lines.append(cur)
    return lines


def name_lines(fonts, text, max_cells, role="fang"):
    """A long name (发文机关署名) in as few lines of at most ``max_cells`` em as fit, broken where a title
    would be (after punctuation, at word edges, never inside a known word or against 避头尾), the lines
    as even as the good breaks allow. One line when it fits."""
    import itertools
    widths = [fonts.advance(role, c) if c != " " else 0.5 for c in text]
    total = sum(widths)
    if total <= max_cells + 1e-6 or len(text) < 2:
        return [text]
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    costs = _title_break_costs(text)
    cands = sorted(costs)
    for n in range(max(2, math.ceil(total / max_cells - 1e-9)), len(text) + 1):
        if n > 4 or (n > 2 and len(cands) > 80):
            break
        best = None
        for combo in itertools.combinations(cands, n - 1):
            cuts = (0,) + combo + (len(text),)
            ws = [prefix[cuts[k + 1]] - prefix[cuts[k]] for k in range(n)]
            if max(ws) > max_cells + 1e-6:
                continue
            score = sum(costs[c] for c in combo) + 0.3 * (max(ws) - min(ws))
            if best is None or score < best[0]:
                best = (score, cuts)
        if best:
            cuts = best[1]
            return [text[cuts[k]:cuts[k + 1]] for k in range(n)]
    return ts.wrap_cells(fonts, text, max_cells, role)
