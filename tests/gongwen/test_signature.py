"""发文机关署名 and 成文日期 (GB/T 9704 7.3.5) measured on the PDF's text layer: long and joint signatures
wrap inside the block 右空二字, the unsealed date starts two characters right of the signature's first
character (or stands 右空二字 when it is the longer), the sealed date stands 右空四字 under centred names."""
import pytest

from portal.gongwen.render import render_pdf
from portal.gongwen.samples import sample

from .layout import DATE, GRID, LEFT, RIGHT, Doc

LONG = "××市机关事务管理局“六治六提”干部队伍作风纪律整顿工作领导小组办公室"     # 33 characters


def signature_lines(doc, names):
    """The signature lines (the lines just above the date on the date's page) and the date line."""
    for _, _, lines, _ in doc.pages:
        for k, ln in enumerate(lines):
            if DATE.fullmatch(ln.text):
                sig, j = [], k - 1
                while j >= 0 and "".join(x.text for x in [lines[j]] + sig) in names:
                    sig.insert(0, lines[j])
                    j -= 1
                return sig, ln
    raise AssertionError("no date line")


def render(kind, **changes):
    return Doc(render_pdf(kind, dict(sample(kind), **changes)))


@pytest.mark.parametrize("name", [LONG, "中共××市机关事务管理局机关委员会××市机关事务管理局联合工作组"])
def test_long_unsealed_signature_wraps_and_keeps_two_characters_right(name):
    sig, date = signature_lines(render("circular", signature=name, seal=False), name)
    assert len(sig) >= 2 and "".join(ln.text for ln in sig) == name
    assert all(abs(ln.x0 - sig[0].x0) < 0.3 for ln in sig), "lines aligned on one start"
    assert all(ln.x1 <= RIGHT - 2 * GRID + 0.3 for ln in sig)
    assert abs(max(ln.x1 for ln in sig) - (RIGHT - 2 * GRID)) < 0.3, "the longest line 右空二字"
    assert (sig[0].x0 - LEFT) / GRID >= 4.5
    assert abs(date.x0 - sig[0].x0 - 2 * GRID) < 0.3, "date 2 characters right of the signature's start"
    assert not any(ln.text.endswith(("“", "干")) for ln in sig)        # no break inside 干部 or after “


def test_joint_signature_one_organisation_a_line():
    names = "××市机关事务管理局\n中共××市机关事务管理局机关委员会"
    sig, date = signature_lines(render("circular", signature=names, seal=False), names.replace("\n", ""))
    assert [ln.text for ln in sig] == names.split("\n")
    assert abs(sig[0].x0 - sig[1].x0) < 0.3 and abs(sig[1].x1 - (RIGHT - 2 * GRID)) < 0.3
    assert abs(date.x0 - sig[0].x0 - 2 * GRID) < 0.3


@pytest.mark.parametrize("name,date_longer", [("××市机关事务管理局", False), ("综合服务科", True), ("李××", True)])
def test_unsealed_date_position(name, date_longer):
    """7.3.5.2: 署名右空二字, 日期首字比署名首字右移二字; a longer date 右空二字 and the signature moves left."""
    sig, date = signature_lines(render("department-report", signature=name, seal=False), name)
    assert len(sig) == 1
    assert abs(date.x0 - sig[0].x0 - 2 * GRID) < 0.3
    if date_longer:
        assert abs(RIGHT - date.x1 - 2 * GRID) < 0.3 and RIGHT - sig[0].x1 > 2 * GRID + 0.3
    else:
        assert abs(RIGHT - sig[0].x1 - 2 * GRID) < 0.3 and RIGHT - date.x1 > 2 * GRID + 0.3


@pytest.mark.parametrize("name", ["中共××市机关事务管理局党组", LONG])
def test_sealed_signature_centred_on_the_date(name):
    sig, date = signature_lines(render("work-plan", signature=name, seal=True), name)
    assert abs(RIGHT - date.x1 - 4 * GRID) < 0.3, "sealed date 右空四字"
    for ln in sig:
        assert abs(ln.centre - date.centre) < 0.6 and LEFT - 0.3 <= ln.x0 and ln.x1 <= RIGHT + 0.3
    assert len(sig) == (1 if len(name) <= 14 else 3)


DATES = ["2026-05-06", "2026-05-16", "2026-12-03", "2026-12-13"]      # 1/2-digit month and day
NAMES = ["李××", "综合服务科", "车辆管理服务中心", "××市机关事务管理局", "中共××市机关事务管理局党组"]


@pytest.mark.parametrize("date", DATES)
@pytest.mark.parametrize("name", NAMES)
def test_unsealed_date_ends_on_a_whole_character(name, date):
    """Unsealed (department reports, personal reports): the date's first character stands two characters
    right of the signature's (7.3.5.2) and the date ends 右空二字 or 右空四字 — its half-width digits make it
    end on a half character otherwise; the signature then moves left by less than two characters (相应增加
    署名右空字数), never right of 右空二字; a one-line name too long for that wraps."""
    doc = dict(title="测试", body="特此报告。", tables=[], signature=name, date=date, seal=False)
    sig, dt = signature_lines(Doc(render_pdf("department-report", doc)), name)
    assert "".join(ln.text for ln in sig) == name
    assert abs(dt.x0 - sig[0].x0 - 2 * GRID) < 0.3, "date 2 characters right of the signature's start"
    end = (RIGHT - dt.x1) / GRID
    assert min(abs(end - 2), abs(end - 4)) <= 0.1, end
    room = (RIGHT - max(ln.x1 for ln in sig)) / GRID                   # the signature's 右空
    assert room >= 2 - 0.1 and (room < 4 + 0.1 or abs(end - 2) <= 0.1)   # a longer date: 右空二字, any room
    natural = end - (room - 2)                  # where the date would end with the signature 右空二字
    if room > 2.1:                              # moved left only when the date would end off the grid
        assert natural < 2 - 0.1 or 2.1 < natural < 3.9, (room, natural)
    assert len(sig) == (2 if len(name) > 11 else 1)
