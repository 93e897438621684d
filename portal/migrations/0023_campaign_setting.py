"""The campaign's rules the discipline office edits in the portal (escalation, patterns, colours...): one
JSON value per (campaign, key); a key never set falls back to its default in portal/campaign_settings.py."""
from peewee import *


def up(migrator, db):
    class Campaign(Model):
        class Meta:
            database = db
            table_name = 'campaign'

    class CampaignSetting(Model):
        campaign = ForeignKeyField(Campaign, on_delete='CASCADE')
        key = CharField(max_length=48)
        value = TextField()
        updated_at = DateTimeField()
        updated_by = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'campaign_setting'
            indexes = ((('campaign', 'key'), True),)
    db.create_tables([CampaignSetting])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "campaign_setting"')
