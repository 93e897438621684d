from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..models.publication import AUDIENCES


class PublishForm(FlaskForm):
    audience = RadioField("发布范围", choices=list(AUDIENCES.items()), default="all",
                          validators=[DataRequired("请选择发布范围")])
    departments = SelectMultipleField("科室（单位）", coerce=int, choices=[], validate_choice=False)
    people = SelectMultipleField("人员", coerce=int, choices=[], validate_choice=False)
    require_ack = BooleanField("要求阅后确认“已阅”")

    def fill(self, departments, people):
        self.departments.choices = [(d.id, d.name) for d in departments]
        self.people.choices = [(u.id, f"{u.real_name}（{u.department.name}）") for u in people]

    def validate_departments(self, field):
        known = {c[0] for c in field.choices}
        if any(v not in known for v in field.data or []):
            raise ValidationError("所选科室（单位）不存在或已停用")

    def validate_people(self, field):
        known = {c[0] for c in field.choices}
        if any(v not in known for v in field.data or []):
            raise ValidationError("所选人员不存在或已停用")


class RemindForm(FlaskForm):
    round = HiddenField()


class WithdrawForm(FlaskForm):
    reason = StringField("撤回原因", validators=[DataRequired("请填写撤回原因"), Length(max=255, message="不超过 255 字")])


class AckForm(FlaskForm):
    pass
