"""Send agent replies through Meta's Send API (Messenger, and Instagram with the same page token).

Meta lets a page answer freely for 24 hours after the customer's last message ("RESPONSE"), and a
human agent for 7 days with the HUMAN_AGENT tag; after that only the customer can reopen the
conversation, so a later reply is refused with the reason rather than retried for nothing.
"""

import json
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.utils import timezone

from channels_in.base import OutboundSender, SendError
from channels_in.social.meta.models import MetaPage
from tickets.models import Direction, Message
from tickets.models.choices import Channel

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
TIMEOUT = (5, 20)  # connect, read (seconds)
# Graph error codes that say "later": temporary errors and rate limits. Others (190 expired
# token, 10/200-299 permission, 551 person unavailable, 100 bad parameter) will fail again.
_RETRYABLE_CODES = {1, 2, 4, 17, 32, 613, 80006}


def messaging_window(last_customer_message_at: datetime | None, now: datetime) -> dict[str, str]:
    """The Send API fields Meta's messaging policy allows now; SendError(permanent) when none does."""
    if last_customer_message_at is None:
        raise SendError("The customer has never written to this page, so Meta does not allow a reply.", permanent=True)
    age = now - last_customer_message_at
    if age <= STANDARD_WINDOW:
        return {"messaging_type": "RESPONSE"}
    if age <= HUMAN_AGENT_WINDOW:
        return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    raise SendError(
        f"The customer last wrote {age.days} days ago; Meta allows replies for 7 days only "
        "(HUMAN_AGENT tag). The customer has to write again before they can be answered.",
        permanent=True,
    )


class MessengerSender(OutboundSender):
    """Text through the Send API; files uploaded as attachments (Messenger accepts uploads)."""

    channel = Channel.FACEBOOK
    uploads_files = True

    def send(self, message) -> str:
        page = MetaPage.for_address(message.channel_address)
        if page is None:
            raise SendError(
                f"No Facebook page {message.channel_address or ''} is configured (admin or META_PAGE_ID).",
                permanent=True,
            )
        files = list(message.attachments.exclude(file=""))
        if files and not self.uploads_files:
            raise SendError(
                f"{self.channel.label} accepts files only from a public link; send the reply without the file.",
                permanent=True,
            )
        window = messaging_window(_last_customer_message_at(message), timezone.now())
        recipient = {"id": message.address}
        message_id = _post(page, json={"recipient": recipient, "message": {"text": message.body_text}, **window})
        # Uploads follow the text; a crash between them may repeat the text on retry (Meta has no
        # idempotency key), which beats losing the files.
        for attachment in files:
            with attachment.file.open("rb") as fh:
                _post(
                    page,
                    data={
                        "recipient": json.dumps(recipient),
                        "message": json.dumps({"attachment": {"type": _kind(attachment.content_type), "payload": {}}}),
                        **window,
                    },
                    files={"filedata": (attachment.filename, fh, attachment.content_type)},
                )
        return message_id


class InstagramSender(MessengerSender):
    """Instagram direct messages go through the page linked to the account, with the page's token."""

    channel = Channel.INSTAGRAM
    uploads_files = False


def _last_customer_message_at(message) -> datetime | None:
    """When the customer last wrote to us on this channel: Meta's windows run from that moment."""
    return (
        Message.objects.filter(channel=message.channel, address=message.address, direction=Direction.IN)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def _post(page: MetaPage, **body) -> str:
    token = page.page_access_token
    try:
        response = requests.post(
            f"{settings.META_GRAPH_URL}/me/messages", params={"access_token": token}, timeout=TIMEOUT, **body
        )
    except requests.RequestException as exc:
        # The URL (and so the token) is part of some exception texts, and this text is shown to agents.
        reason = str(exc).replace(token, "[token]")
        raise SendError(f"Could not reach the Graph API: {reason}", permanent=False) from exc
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.ok and data.get("message_id"):
        return str(data["message_id"])
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    code = error.get("code")
    retry = response.status_code >= 500 or code in _RETRYABLE_CODES or bool(error.get("is_transient"))
    if error:
        reason = f"Graph API error {code}: {error.get('message', 'no message')}"
    else:
        reason = f"The Graph API answered HTTP {response.status_code} without a message id."
    raise SendError(reason, permanent=not retry)


def _kind(content_type: str) -> str:
    major = content_type.split("/", 1)[0]
    return major if major in {"image", "video", "audio"} else "file"
