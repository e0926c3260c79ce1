"""Push events to Channels groups, only after the data they describe is committed."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def _send(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "helpdesk.event", "event": event})
    except Exception:
        # A notification must never undo or fail the write that caused it.
        logger.exception("realtime publish to %s failed", group)


def publish(groups: list[str], event: dict) -> None:
    """Send `event` to each group once the surrounding transaction commits."""
    transaction.on_commit(lambda: [_send(group, event) for group in groups])
