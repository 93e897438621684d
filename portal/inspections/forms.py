from flask_wtf import FlaskForm
from wtforms import (DateField, DateTimeLocalField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import SEVERITIES
from ..models.inspection import POOL_KINDS, TARGET_KINDS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PlanForm(FlaskForm):
    title = StringField("检查名称", validators=[DataRequired("请填写检查名称"), Length(max=120)])
    checks = MultiCheckboxField("检查内容", choices=[], validate_choice=False)
    extra_checks = TextAreaField("其他检查内容", validators=[Optional(), Length(max=1000)],
                                 description="每行一项，归入第20项“其他”")
    planned_date = DateField("检查日期", validators=[InputRequired("请选择检查日期")])
    planned_end = DateField("截止日期", validators=[Optional()])
    cycle = StringField("抽查轮次", validators=[Optional(), Length(max=16)],
                        description="同一轮次中已被抽查的对象自动排除，如 2026-11")
    target_kind = RadioField("抽查对象类型", choices=list(TARGET_KINDS.items()), default="person")
    target_count = IntegerField("抽查对象数量", default=5,
                                validators=[InputRequired("请填写数量"), NumberRange(1, 200, "数量须在 1 至 200 之间")])
    inspector_count = IntegerField("检查人员数量", default=2,
                                   validators=[InputRequired("请填写数量"), NumberRange(1, 20, "数量须在 1 至 20 之间")])
    pool_kind = RadioField("候选范围", choices=list(POOL_KINDS.items()), default="all")
    pool_departments = MultiCheckboxField("指定科室（单位）", choices=[], coerce=int, validate_choice=False)
    note = TextAreaField("说明", validators=[Optional(), Length(max=2000)])

    def validate_planned_end(self, field):
        if field.data and self.planned_date.data and field.data < self.planned_date.data:
            raise ValidationError("截止日期不能早于检查日期")

    def validate_pool_departments(self, field):
        if self.pool_kind.data == "departments" and not field.data:
            raise ValidationError("请至少选择一个科室（单位）")


class AssignForm(FlaskForm):
    user = SelectField("指派检查人员", coerce=int, choices=[],
                       validators=[InputRequired("请选择检查人员")])


class TargetForm(FlaskForm):
    department = SelectField("科室（单位）", coerce=int, choices=[], validators=[InputRequired("请选择科室")])
    reason = StringField("列入依据", validators=[DataRequired("请说明列为检查对象的依据"), Length(max=200)])


class FindingForm(FlaskForm):
    outcome = RadioField("检查结果", choices=[("problem", "发现问题"), ("clean", "未发现问题")],
                         default="problem", validators=[InputRequired("请选择检查结果")])
    check = SelectField("检查内容", choices=[], validate_choice=False)
    description = TextAreaField("问题描述", validators=[Optional(), Length(max=2000)])
    found_at = DateTimeLocalField("检查时间", format="%Y-%m-%dT%H:%M",
                                  validators=[InputRequired("请填写检查时间（年月日 时:分）")])
    place = StringField("检查地点", validators=[Optional(), Length(max=120)])
    severity = SelectField("问题性质", choices=list(SEVERITIES.items()), default="general")
    deadline = DateField("整改时限", validators=[Optional()])
