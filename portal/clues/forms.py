from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..models.problem import SEVERITIES
from ..models.tip import CHANNELS, CLUE_STATUSES, CONCLUSIONS, DISPOSALS
from ..tips.forms import SubjectMixin

OFFLINE = [(k, v) for k, v in CHANNELS.items() if k != "online"]


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField("状态", choices=[("", "全部状态")] + list(CLUE_STATUSES.items()), default="")
    channel = SelectField("来源渠道", choices=[("", "全部渠道")] + list(CHANNELS.items()), default="")
    deadline = SelectField("时限", choices=[("", "全部"), ("overdue", "已超期"), ("soon", "5 个工作日内到期"),
                                          ("open", "未办结")], default="")
    category = SelectField("问题类别", coerce=int, validate_choice=False, default=0)
    handler = SelectField("承办人", coerce=int, validate_choice=False, default=0)
    q = StringField("线索编号", validators=[Optional(), Length(max=20)])
    same = IntegerField("同一被反映人", validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1)], default=1)


class RecordForm(SubjectMixin, FlaskForm):
    channel = SelectField("来源渠道", choices=OFFLINE, default="phone")
    received_on = DateField("收到日期", validators=[InputRequired("请填写收到日期")])
    reporter_address = StringField("通讯地址（选填）", validators=[Optional(), Length(max=128)])
    issue_code = BooleanField("为举报人生成查询码和查询密码（当面或电话告知，以便其查询进展）")


class VersionForm(FlaskForm):
    version = HiddenField()
    note = TextAreaField("说明", validators=[Optional(), Length(max=2000, message="不超过 2000 字")])


class AssignForm(VersionForm):
    disposal = SelectField("处置方式", choices=[("", "请选择")] + list(DISPOSALS.items()), default="")
    handler_id = SelectField("承办人", coerce=int, validate_choice=False, default=0)
    handler_department_id = SelectField("承办部门", coerce=int, validate_choice=False, default=0)
    workdays = IntegerField("办理时限（工作日）", default=30,
                            validators=[InputRequired("请填写办理时限"), NumberRange(1, 180, "须为 1 至 180 个工作日")])


class ConcludeForm(VersionForm):
    conclusion = SelectField("核查结论", choices=[("", "请选择")] + list(CONCLUSIONS.items()), default="")
    finding = TextAreaField("认定情况", validators=[InputRequired("请填写核查认定情况"), Length(max=5000)])
    reply = TextAreaField("告知举报人的办理结果（选填，将显示在举报人查询页）", validators=[Optional(), Length(max=2000)])
    person_id = SelectField("被反映人（责任人）", coerce=int, validate_choice=False, default=0)
    description = TextAreaField("问题描述（登记整改台账）", validators=[Optional(), Length(max=2000)])
    severity = SelectField("问题性质", choices=list(SEVERITIES.items()), default="general")
    deadline = DateField("整改时限", validators=[Optional()])
    leader_id = SelectField("分管领导（领导责任）", coerce=int, validate_choice=False, default=0)
    leader_description = TextAreaField("领导责任问题描述", validators=[Optional(), Length(max=2000)])


class MessageForm(FlaskForm):
    text = TextAreaField("答复举报人", validators=[InputRequired("请填写答复内容"), Length(max=2000, message="不超过 2000 字")])
    files = MultipleFileField("附件（选填）")


class NoteForm(FlaskForm):
    note = TextAreaField("办理情况", validators=[InputRequired("请填写办理情况"), Length(max=2000, message="不超过 2000 字")])


class SubjectForm(FlaskForm):
    version = HiddenField()
    user_id = SelectField("认定被反映人", coerce=int, validate_choice=False, default=0)


class LinkForm(FlaskForm):
    problem_id = IntegerField("台账问题编号", validators=[InputRequired("请填写问题编号")])
    role = SelectField("关联类型", choices=[("person", "本人问题"), ("accountability", "领导责任")])


class ForwardForm(FlaskForm):
    note = TextAreaField("移送情况", validators=[InputRequired("请填写移送机关、时间和方式"), Length(max=1000)])


class RetentionForm(FlaskForm):
    purge_on = DateField("保存至", validators=[InputRequired("请选择保存期限")])


class IdentityRequestForm(FlaskForm):
    reason = TextAreaField("申请理由", validators=[InputRequired("请写明查看举报人身份的理由"),
                                               Length(min=5, max=500, message="理由须为 5 至 500 字")])


class IdentityDecisionForm(FlaskForm):
    decision = SelectField("审批意见", choices=[("approve", "同意"), ("refuse", "不同意")],
                           validators=[InputRequired("请选择同意或不同意")])
    note = TextAreaField("说明", validators=[Optional(), Length(max=500, message="说明不超过 500 字")])
