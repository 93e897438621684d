"""The bodies reports are sent to: the plan's three (市纪委监委派驻纪检组, 市纪工委, 市纠风办) or the list set
in the campaign settings."""
from ..campaigns.settings import DEFAULT_RECIPIENTS, config


def recipient_names() -> list[str]:
    cfg = config()
    return list(cfg.get("recipients") or DEFAULT_RECIPIENTS)
