"""Forms of the administration pages. GET filter forms have CSRF off; every POST form has it on."""
from flask_wtf import FlaskForm as _FlaskForm
from wtforms.meta import DefaultMeta
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, IntegerField, SelectField, SelectMultipleField,
                     StringField, widgets)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..audit import ACTION_LABELS
from ..permissions import ROLES
from .service import EDITABLE_KINDS, EMAIL_RE, MOBILE_RE, USERNAME_RE, normalise_phone


class FlaskForm(_FlaskForm):
    """WTForms' own Chinese catalogue for its built-in messages ("不是有效的选择。"): Flask-WTF's
    translations need Flask-Babel, which the portal does not use."""

    class Meta:
        locales = ("zh",)

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


class EmptyForm(FlaskForm):
    """CSRF for buttons that only POST."""


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _strip(v):
    return v.strip() if isinstance(v, str) else v


class DepartmentForm(FlaskForm):
    name = StringField("部门名称", filters=[_strip],
                       validators=[DataRequired("请填写部门名称"), Length(max=64, message="部门名称最多 64 字")])
    kind = SelectField("类型", choices=[(k, v) for k, v in EDITABLE_KINDS.items()], default="office")
    parent = SelectField("上级部门", coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                         validators=[Optional()])
    sort_order = IntegerField("排序号", default=0,
                              validators=[Optional(), NumberRange(0, 9999, "排序号须为 0–9999 的整数")])

    def fill(self, departments):
        self.parent.choices = [("", "（无，顶级）")] + list(departments)


def _phone(form, field):
    field.data = normalise_phone(field.data)
    if field.data and not MOBILE_RE.match(field.data):
        raise ValidationError("手机号须为 11 位大陆手机号码")


def _email(form, field):
    if not field.data:
        return
    if len(field.data) > 128:
        raise ValidationError("电子邮箱最多 128 个字符")
    if not EMAIL_RE.match(field.data):
        raise ValidationError("电子邮箱格式不正确，如 zhangsan@example.gov.cn")


class UserForm(FlaskForm):
    username = StringField("登录名", filters=[_strip], validators=[
        DataRequired("请填写登录名"),
        Regexp(USERNAME_RE, message="登录名为 2–64 位字母、数字、点、下划线或短横线，以字母或数字开头")])
    real_name = StringField("姓名", filters=[_strip],
                            validators=[DataRequired("请填写姓名"), Length(max=32, message="姓名最多 32 字")])
    employee_no = StringField("工号", filters=[_strip], validators=[Length(max=32, message="工号最多 32 位")])
    department = SelectField("部门", coerce=int, validate_choice=True,
                             validators=[DataRequired("请选择部门")])
    title = StringField("职务", filters=[_strip], validators=[Length(max=64, message="职务最多 64 字")])
    phone = StringField("手机号", filters=[_strip], validators=[_phone])
    email = StringField("电子邮箱", filters=[_strip], validators=[_email])
    is_active = BooleanField("账号启用", default=True)
    roles = MultiCheckboxField("角色", choices=list(ROLES.items()), validate_choice=True)
    charges = MultiCheckboxField("分管部门", coerce=int, validate_choice=True)

    def fill(self, departments):
        self.department.choices = [(0, "请选择部门")] + list(departments)
        self.charges.choices = list(departments)
        self.department.validate_choice = True


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("搜索", filters=[_strip])
    department = SelectField("部门", validate_choice=False)
    role = SelectField("角色", validate_choice=False,
                       choices=[("", "全部角色")] + list(ROLES.items()) + [("none", "（未分配角色）")])
    active = SelectField("状态", validate_choice=False,
                         choices=[("", "全部"), ("1", "启用"), ("0", "停用")])
    page = IntegerField(default=1, validators=[Optional()])

    def fill(self, departments):
        self.department.choices = [("", "全部部门")] + [(str(i), n) for i, n in departments]


OUTCOMES = {"ok": "成功", "failed": "失败", "refused": "被拒绝", "denied": "越权", "locked": "已锁定",
            "disabled": "已停用", "error": "出错"}


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField("起始日期", validators=[Optional()])
    end = DateField("截止日期", validators=[Optional()])
    actor = StringField("操作人", filters=[_strip])
    action = SelectField("操作", validate_choice=False,
                         choices=[("", "全部操作")] + sorted(ACTION_LABELS.items(), key=lambda kv: kv[0]))
    outcome = SelectField("结果", validate_choice=False, choices=[("", "全部结果")] + list(OUTCOMES.items()))
    object = StringField("对象", filters=[_strip])
    page = IntegerField(default=1, validators=[Optional()])

    def refresh_actions(self):
        self.action.choices = [("", "全部操作")] + sorted(ACTION_LABELS.items(), key=lambda kv: kv[1])


class RosterUploadForm(FlaskForm):
    file = FileField("花名册文件（.xlsx）")


class RoleFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("搜索", filters=[_strip])
    department = SelectField("部门", validate_choice=False)
    role = SelectField("角色", validate_choice=False,
                       choices=[("", "全部角色")] + list(ROLES.items()) + [("none", "（未分配角色）")])
    page = IntegerField(default=1, validators=[Optional()])

    def fill(self, departments):
        self.department.choices = [("", "全部部门")] + [(str(i), n) for i, n in departments]


class RoleForm(FlaskForm):
    roles = MultiCheckboxField("角色", choices=list(ROLES.items()), validate_choice=True)


def _number(key):
    from ..auth.policy import NUMBERS
    label, unit, lo, hi = NUMBERS[key]
    return IntegerField(f"{label}（{unit}）", validators=[
        DataRequired(f"请填写{label}"), NumberRange(lo, hi, f"{label}须为 {lo}–{hi} {unit}")])


class SecuritySettingsForm(FlaskForm):
    LOCKOUT_THRESHOLD = _number("LOCKOUT_THRESHOLD")
    LOCKOUT_MINUTES = _number("LOCKOUT_MINUTES")
    PASSWORD_MIN_LENGTH = _number("PASSWORD_MIN_LENGTH")
    PASSWORD_MIN_CLASSES = _number("PASSWORD_MIN_CLASSES")
    IDLE_TIMEOUT_MINUTES = _number("IDLE_TIMEOUT_MINUTES")
    TOTP_REQUIRED_ROLES = MultiCheckboxField("须使用双因素认证的角色", choices=list(ROLES.items()),
                                             validate_choice=True)
