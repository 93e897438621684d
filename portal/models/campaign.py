"""A campaign's checklist: categories -> items, and the aspects each problem is sorted by."""
from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from .. import clock
from .base import BaseModel


class Campaign(BaseModel):
    code = CharField(max_length=64)
    version = IntegerField(default=1)
    name = CharField(max_length=128)
    organ = CharField(max_length=64, default="")  # the issuing bureau
    start_date = DateField()
    end_date = DateField()
    selfcheck_deadline = DateField()
    is_active = BooleanField(default=False)
    content_hash = CharField(max_length=64)
    loaded_at = DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("code", "version"), True),)

    @classmethod
    def active(cls):
        return cls.select().where(cls.is_active == True).order_by(cls.id.desc()).first()  # noqa: E712

    def __str__(self):
        return self.name


class Category(BaseModel):
    campaign = ForeignKeyField(Campaign, backref="categories", on_delete="CASCADE")
    seq = IntegerField()
    code = CharField(max_length=16)  # tuo, yong, fu, jiang, she, san
    name = CharField(max_length=16)  # 治“拖”
    title = CharField(max_length=64)  # 提升时不我待的责任意识

    class Meta:
        indexes = ((("campaign", "seq"), True),)

    @property
    def label(self):
        return f"{self.name}，{self.title}"


class Item(BaseModel):
    campaign = ForeignKeyField(Campaign, backref="items", on_delete="CASCADE")
    category = ForeignKeyField(Category, backref="items", on_delete="CASCADE")
    seq = IntegerField()  # 1..20 across the campaign
    text = TextField()
    is_open = BooleanField(default=False)  # "其他…": accepts free problems

    class Meta:
        indexes = ((("campaign", "seq"), True),)

    @property
    def short(self):
        t = self.text
        return f"{self.seq}. {t[:24]}…" if len(t) > 24 else f"{self.seq}. {t}"


class Aspect(BaseModel):
    campaign = ForeignKeyField(Campaign, backref="aspects", on_delete="CASCADE")
    seq = IntegerField()
    name = CharField(max_length=8)  # 思想、学习、工作、生活、作风

    class Meta:
        indexes = ((("campaign", "seq"), True),)


class CampaignSetting(BaseModel):
    """One rule of a campaign the discipline office changed (a key never set falls back to the default in
    portal/campaign_settings.py). `value` is JSON."""
    campaign = ForeignKeyField(Campaign, backref="settings", on_delete="CASCADE")
    key = CharField(max_length=48)
    value = TextField()
    updated_at = DateTimeField(default=clock.now)
    updated_by = IntegerField(null=True)  # user id; no FK so leaving staff keep the history readable

    class Meta:
        table_name = "campaign_setting"
        indexes = ((("campaign", "key"), True),)
