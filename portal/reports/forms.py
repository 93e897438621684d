from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..models.report import REPORT_KINDS

def _chinese_errors(form):
    """WTForms' own messages (invalid date, invalid choice) are English: say it in Chinese."""
    for f in form:
        if f.errors and not all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in f.errors):
            msg = "日期无效，请按“年-月-日”选择或填写" if f.type == "DateField" else "选项无效，请重新选择"
            f.errors = [e if any("\u4e00" <= ch <= "\u9fff" for ch in e) else msg for e in f.errors]


NUMBER_RE = r"^[\u4e00-\u9fff]{1,10}〔\d{4}〕[1-9]\d{0,3}号$"


class ReportForm(FlaskForm):
    kind = RadioField("报告周期", choices=list(REPORT_KINDS.items()), default="monthly",
                      validators=[DataRequired("请选择报告周期")])
    ref_date = DateField("所在周或月份中的任一日期", validators=[Optional()],
                         description="周报取该日期所在的周（周一至周日），月报取该日期所在的月份。")
    start = DateField("起始日期", validators=[Optional()])
    end = DateField("截止日期", validators=[Optional()])
    reviewer = SelectField("审核人（办公室主任或分管领导）", coerce=str, validators=[DataRequired("请选择审核人")])
    signer = SelectField("签发人（局长）", coerce=str, validators=[DataRequired("请选择签发人")])
    title = StringField("标题", validators=[Optional(), Length(max=120)],
                        description="不填则按报告时段自动生成。")
    narrative = TextAreaField("工作进展情况（正文）", validators=[
        DataRequired("请填写本期工作进展情况"), Length(max=20000, message="正文过长（不超过 20000 字）")],
        description="每段一行；可用“（一）”“1.”开头的小标题。系统生成的数据统计和表格附在其后。")
    typical_cases = TextAreaField("典型案例", validators=[Optional(), Length(max=10000, message="典型案例不超过 10000 字")],
                                  description="由办公室选定并撰写，每段一行。")
    next_plan = TextAreaField("下一步工作计划", validators=[Optional(), Length(max=10000, message="工作计划不超过 10000 字")])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        _chinese_errors(self)
        # period checks here: Optional() stops the field's own chain when it is empty
        kind = self.kind.data
        if kind == "range":
            if not self.start.data:
                self.start.errors = list(self.start.errors) + ["请填写起始日期"]
                ok = False
            if not self.end.data:
                self.end.errors = list(self.end.errors) + ["请填写截止日期"]
                ok = False
            if self.start.data and self.end.data:
                if self.start.data > self.end.data:
                    self.end.errors = list(self.end.errors) + ["截止日期不能早于起始日期"]
                    ok = False
                elif (self.end.data - self.start.data).days > 366:
                    self.end.errors = list(self.end.errors) + ["报告时段不能超过一年"]
                    ok = False
        elif kind in ("weekly", "monthly") and not self.ref_date.data:
            self.ref_date.errors = list(self.ref_date.errors) + ["请选择日期"]
            ok = False
        return ok

    def set_people(self, reviewers, signers):
        self.reviewer.choices = [("", "请选择")] + [(str(u.id), f"{u.real_name}（{u.title or u.department.name}）")
                                                   for u in reviewers]
        self.signer.choices = [("", "请选择")] + [(str(u.id), f"{u.real_name}（{u.title or '局长'}）") for u in signers]


class PeriodForm(FlaskForm):
    code = StringField("周期代码", validators=[
        DataRequired("请填写周期代码"),
        Regexp(r"^(\d{4}-(0[1-9]|1[0-2])|全程)$", message="周期代码应为“2026-05”（月份）或“全程”，与各单位填报时选择的周期一致")],
        description="与各单位填报自查自纠情况时选择的周期一致，如“2026-05”。")
    name = StringField("名称", validators=[DataRequired("请填写名称"), Length(max=64)])
    start = DateField("起始日期", validators=[DataRequired("请填写起始日期")])
    end = DateField("截止日期", validators=[DataRequired("请填写截止日期")])
    due = DateField("报送截止日期", validators=[DataRequired("请填写报送截止日期")])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        _chinese_errors(self)
        return ok

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("截止日期不能早于起始日期")

    def validate_due(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("报送截止日期不能早于起始日期")


class NumberForm(FlaskForm):
    number = StringField("发文字号", validators=[
        DataRequired("请填写发文字号"), Length(max=64),
        Regexp(NUMBER_RE, message="发文字号格式应如“机管报〔2026〕3号”：年份用六角括号〔〕，序号不编虚位、不加“第”字")])
    signature = StringField("发文机关署名", validators=[Optional(), Length(max=64)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        _chinese_errors(self)
        return ok


class DecideForm(FlaskForm):
    comment = TextAreaField("意见", validators=[Optional(), Length(max=1000, message="意见不超过1000字")])


class DispatchForm(FlaskForm):
    recipient = SelectField("报送单位", coerce=str, validators=[DataRequired("请选择报送单位")])
    sent_on = DateField("报送日期", validators=[DataRequired("请填写报送日期")])
    method = RadioField("报送方式", choices=[], validators=[DataRequired("请选择报送方式")])
    number = StringField("文号", validators=[Optional(), Length(max=64)])
    note = StringField("备注", validators=[Optional(), Length(max=200)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        _chinese_errors(self)
        return ok
