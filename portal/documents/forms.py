from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, FieldList, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..models.document import EDITOR_KINDS, KIND_LABELS
from .content import SECRET_LEVELS, URGENCY

KIND_CHOICES = [(k, KIND_LABELS[k]) for k in EDITOR_KINDS]
PREFIX_HINT = "1 至 8 个汉字，如“机管发”；印发时自动编号为 机管发〔年份〕序号号"


class NewDocumentForm(FlaskForm):
    kind = SelectField("公文种类", choices=KIND_CHOICES, validators=[DataRequired("请选择公文种类")])


class DocumentForm(FlaskForm):
    kind = SelectField("公文种类", choices=KIND_CHOICES)
    title = StringField("标题", validators=[Length(max=200, message="标题不超过 200 字")])
    organ = StringField("发文机关标志", validators=[Length(max=64, message="不超过 64 字")])
    prefix = StringField("发文字号前缀", validators=[
        Optional(), Regexp(r"^[\u4e00-\u9fff]{1,8}$", message="发文字号前缀应为 1 至 8 个汉字")])
    signer = StringField("签发人", validators=[Length(max=32, message="不超过 32 字")])
    addressees = StringField("主送机关", validators=[Length(max=255, message="不超过 255 字")])
    body = TextAreaField("正文", validators=[Length(max=100000, message="正文过长")])
    attachments = TextAreaField("附件（每行一个附件名称）", validators=[Length(max=4000, message="附件说明过长")])
    signature = StringField("发文机关署名", validators=[Length(max=128, message="不超过 128 字")])
    doc_date = DateField("成文日期", validators=[Optional()], format="%Y-%m-%d")
    note = StringField("附注", validators=[Length(max=255, message="不超过 255 字")])
    copy_to = StringField("抄送", validators=[Length(max=255, message="不超过 255 字")])
    printer = StringField("印发机关", validators=[Length(max=128, message="不超过 128 字")])
    print_date = DateField("印发日期", validators=[Optional()], format="%Y-%m-%d")
    seal = BooleanField("加盖印章")
    attendees = TextAreaField("出席", validators=[Length(max=1000)])
    absent = StringField("请假", validators=[Length(max=500)])
    observers = StringField("列席", validators=[Length(max=500)])
    copy_no = StringField("份号", validators=[Optional(), Regexp(r"^\d{1,6}$", message="份号为 1 至 6 位数字")])
    secret = SelectField("密级", choices=[("", "无")] + [(x, x) for x in SECRET_LEVELS], default="")
    secret_term = StringField("保密期限", validators=[
        Optional(), Regexp(r"^(\d{1,2}(年|个月)|长期)$", message="保密期限如“1年”“6个月”“长期”")])
    urgency = SelectField("紧急程度", choices=[("", "无")] + [(x, x) for x in URGENCY], default="")
    attachment_bodies = FieldList(TextAreaField("附件内容", validators=[Length(max=50000, message="附件内容过长")]),
                                  min_entries=3, max_entries=9)

    HEADER = ("copy_no", "secret", "secret_term", "urgency")

    def content(self) -> dict:
        data = {k: getattr(self, k).data for k in ("kind", "title", "organ", "prefix", "signer", "addressees",
                                                   "body", "signature", "doc_date", "note", "copy_to",
                                                   "printer", "print_date")}
        data = {k: ("" if v is None and k not in ("doc_date", "print_date") else v) for k, v in data.items()}
        data["seal"] = bool(self.seal.data)
        data["attachments"] = [ln.strip() for ln in (self.attachments.data or "").splitlines() if ln.strip()]
        data["extra"] = {k: (getattr(self, k).data or "").strip() for k in ("attendees", "absent", "observers")} \
            if self.kind.data == "minutes" else {}
        data["extra"].update({k: (getattr(self, k).data or "").strip() for k in self.HEADER})
        bodies = [(b.data or "").replace("\r\n", "\n").strip() for b in self.attachment_bodies]
        while bodies and not bodies[-1]:
            bodies.pop()
        if bodies:
            data["extra"]["attachment_bodies"] = bodies
        return data

    def load(self, doc):
        for k in ("kind", "title", "organ", "prefix", "signer", "addressees", "body", "signature", "doc_date",
                  "note", "copy_to", "printer", "print_date", "seal"):
            getattr(self, k).data = getattr(doc, k)
        self.attachments.data = "\n".join(doc.attachment_list)
        extra = doc.extra_dict
        for k in ("attendees", "absent", "observers") + self.HEADER:
            getattr(self, k).data = extra.get(k, "")
        bodies = list(extra.get("attachment_bodies") or [])
        n = max(3, len(doc.attachment_list), len(bodies))
        while len(self.attachment_bodies) < min(n, 9):
            self.attachment_bodies.append_entry()
        for entry, body in zip(self.attachment_bodies, bodies):
            entry.data = body


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField("种类", choices=[("", "全部")] + [(k, v) for k, v in KIND_LABELS.items()], default="")
    status = SelectField("状态", choices=[("", "全部"), ("draft", "草稿"), ("issued", "已印发"),
                                        ("superseded", "已更正")], default="")
    q = StringField("标题/文号/正文", validators=[Length(max=50)])
    year = SelectField("年份", choices=[("", "全部")], default="")


class SealForm(FlaskForm):
    image = FileField("印章图片（PNG，透明背景）")


class BatchForm(FlaskForm):
    department = SelectField("范围", choices=[])
