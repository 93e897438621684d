from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp, ValidationError

BODY_MAX = 5000


class SubjectMixin:
    subject_name = StringField("被反映人姓名", validators=[InputRequired("请填写被反映人姓名"), Length(max=32, message="姓名不超过 32 字")])
    subject_department = SelectField("所在科室（单位）", coerce=int, validate_choice=False)
    subject_department_other = StringField("其他单位或不确定时填写", validators=[Optional(), Length(max=64)])
    subject_title = StringField("职务", validators=[Optional(), Length(max=64, message="职务不超过 64 字")])
    item = SelectField("问题类别", coerce=int, validate_choice=False, default=-1)
    happened_when = StringField("发生时间", validators=[Optional(), Length(max=64, message="不超过 64 字")])
    happened_where = StringField("发生地点", validators=[Optional(), Length(max=128, message="不超过 128 字")])
    body = TextAreaField("具体情况", validators=[InputRequired("请写明反映的具体问题"),
                                             Length(min=10, max=BODY_MAX, message=f"具体情况须为 10 至 {BODY_MAX} 字")])
    identity = RadioField("署名方式", choices=[("anonymous", "匿名举报"), ("named", "实名举报")], default="anonymous")
    reporter_name = StringField("您的姓名", validators=[Optional(), Length(max=32)])
    reporter_phone = StringField("联系电话", validators=[Optional(), Regexp(r"^[0-9+\- ]{5,20}$", message="请填写有效的电话号码")])
    reporter_email = StringField("电子邮箱（选填）", validators=[Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="邮箱格式不正确"), Length(max=120)])
    files = MultipleFileField("证据材料（选填）")

    def validate_item(self, field):
        if field.data is None or field.data < 0:
            raise ValidationError("请选择问题类别（拿不准可选“其他”）")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.identity.data == "named":
            if not (self.reporter_name.data or "").strip():
                self.reporter_name.errors = list(self.reporter_name.errors) + ["实名举报请填写您的姓名"]
                ok = False
            if not (self.reporter_phone.data or "").strip():
                self.reporter_phone.errors = list(self.reporter_phone.errors) + ["实名举报请留下联系电话，便于告知受理情况"]
                ok = False
        return ok


class TipForm(SubjectMixin, FlaskForm):
    password_mode = RadioField("查询密码", choices=[("generate", "由系统生成（推荐）"), ("choose", "自己设定")],
                               default="generate")
    password = PasswordField("设定查询密码", validators=[Optional(), Length(min=8, max=64, message="密码须为 8 至 64 位")])
    password2 = PasswordField("再次输入密码", validators=[Optional(), EqualTo("password", "两次输入的密码不一致")])
    pow_challenge = HiddenField()  # proof of work (pow.py): server-signed challenge ...
    pow_nonce = HiddenField()  # ... and the page's answer

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.password_mode.data == "choose" and not self.password.data:
            self.password.errors = list(self.password.errors) + ["请设定查询密码，或改为由系统生成"]
            ok = False
        return ok


class TrackForm(FlaskForm):
    code = StringField("查询码", validators=[InputRequired("请输入查询码"), Length(max=40)])
    password = PasswordField("查询密码", validators=[InputRequired("请输入查询密码"), Length(max=64)])


class FollowUpForm(FlaskForm):
    text = TextAreaField("补充情况", validators=[InputRequired("请填写补充内容"),
                                             Length(max=BODY_MAX, message=f"补充内容不超过 {BODY_MAX} 字")])
    files = MultipleFileField("补充证据材料（选填）")
