"""Push events to Channels groups, only after the data they describe is committed.

With channels-redis (production) a send is handed to one long-lived event loop in a background
thread and the caller does not wait: `async_to_sync` would build an event loop per call, which cost
about 1 ms per event here, more than the whole ingest of a message. The in-memory layer (embedded
default) keeps `async_to_sync`, because its queues belong to the server's own event loop.
"""

import asyncio
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="realtime-publisher", daemon=True).start()
        return _loop


async def _send(layer, items: list[tuple[list[str], dict]]) -> None:
    # One group_send per group, however many events it gets: a batch of inbound mail costs a few
    # Redis round trips, not one per message and group.
    by_group: dict[str, list[dict]] = {}
    for groups, event in items:
        for group in groups:
            by_group.setdefault(group, []).append(event)
    sends = [
        (
            group,
            {"type": "helpdesk.event", "event": evs[0]}
            if len(evs) == 1
            else {"type": "helpdesk.events", "events": evs},
        )
        for group, evs in by_group.items()
    ]
    results = await asyncio.gather(*(layer.group_send(g, m) for g, m in sends), return_exceptions=True)
    for (group, _), result in zip(sends, results, strict=True):
        if isinstance(result, Exception):
            # A notification must never undo or fail the write that caused it.
            logger.error("realtime publish to %s failed: %r", group, result)


def send_many(items: list[tuple[list[str], dict]]) -> None:
    """Send each (groups, event) now, in one hand-off to the event loop for the lot."""
    layer = get_channel_layer()
    if layer is None or not items:
        return
    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(_send)(layer, items)
    else:
        asyncio.run_coroutine_threadsafe(_send(layer, items), _background_loop())


def publish(groups: list[str], event: dict) -> None:
    """Send `event` to each group once the surrounding transaction commits.

    `robust`: a failed notification is logged and never breaks the write that caused it.
    """
    publish_many([(groups, event)])


def publish_many(items: list[tuple[list[str], dict]]) -> None:
    """`publish` for many events (a batch of inbound messages): one hand-off after commit."""
    transaction.on_commit(lambda: send_many(items), robust=True)
