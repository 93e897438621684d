"""The campaign's rules: defaults, validated saves, audited, read back at once."""
import pytest

from portal import campaign_settings
from portal.models import AuditRecord, CampaignSetting


def test_defaults_then_saved_value_is_read_back(bureau):
    assert campaign_settings.get("escalation_days") == campaign_settings.SETTINGS["escalation_days"].default
    changes = campaign_settings.save({"escalation_days": 7}, actor=bureau.disc_head)
    assert changes == {"escalation_days": [5, 7]}
    assert campaign_settings.get("escalation_days") == 7
    assert CampaignSetting.select().count() == 1
    assert AuditRecord.select().where(AuditRecord.action == "campaign_settings_change").count() == 1
    # saving the same value again changes nothing and records nothing
    assert campaign_settings.save({"escalation_days": 7}, actor=bureau.disc_head) == {}
    assert CampaignSetting.select().count() == 1


@pytest.mark.parametrize("values", [{"escalation_days": 0}, {"escalation_days": "5"}, {"nope": 3},
                                    {"amber_days": True}])
def test_bad_values_are_refused_and_nothing_is_written(bureau, values):
    with pytest.raises(ValueError) as caught:
        campaign_settings.save(values, actor=bureau.disc_head)
    message = next(iter(caught.value.args[0].values()))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert CampaignSetting.select().count() == 0
