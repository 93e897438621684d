from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from . import options, service


class OutcomeForm(FlaskForm):
    form_measure = SelectField("四种形态及处理方式", choices=[], validate_choice=False)
    responsibility = SelectField("领导责任", choices=[], validate_choice=False)
    org_measure = SelectField("组织处理", choices=[], validate_choice=False)
    sanction = SelectField("政务处分", choices=[], validate_choice=False)
    decided_on = DateField("处理决定日期", validators=[Optional()], format="%Y-%m-%d")
    decided_by_body = StringField("决定机关", validators=[Length(max=64, message="不超过 64 字")])
    doc_number = StringField("决定文号", validators=[Length(max=48, message="不超过 48 字")])
    note = TextAreaField("说明（选填）", validators=[Length(max=2000, message="不超过 2000 字")])

    def fill(self, problem):
        cid = problem.campaign_id
        self.form_measure.choices = [("", "请选择")] + options.form_choices(cid)
        self.responsibility.choices = [("", "请选择")] + service.responsibility_choices()
        self.org_measure.choices = [("", "无")] + [(o.code, o.label) for o in options.options("org_measure", cid)]
        self.sanction.choices = [("", "无")] + [(o.code, o.label) for o in options.options("sanction", cid)]
        return self

    def values(self) -> dict:
        return {k: getattr(self, k).data for k in ("form_measure", "responsibility", "org_measure", "sanction",
                                                   "decided_on", "decided_by_body", "doc_number", "note")}


class ReasonForm(FlaskForm):
    reason = StringField("原因", validators=[Length(max=255, message="不超过 255 字")])


class TypicalForm(FlaskForm):
    summary = TextAreaField("典型问题简述（通报、报告中使用）", validators=[Length(max=2000, message="不超过 2000 字")])
