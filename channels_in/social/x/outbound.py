"""Replies on X go where the customer wrote: a public reply post to a public post, a DM to a DM.

A public reply over X's 280-character limit is refused (permanent SendError with the reason), not
split into a thread: a thread is several public posts in the brand's name, which an agent should
decide on; shortening the reply or answering by DM is the agent's call. The outbound message's
`meta["public"]` says which way it went (and `meta["in_reply_to"]` names the post answered).
"""

import re
import unicodedata

import requests
import tweepy

from channels_in.base import OutboundSender, SendError
from channels_in.social.x.api import client_for, describe
from channels_in.social.x.models import XAccount
from tickets.models import Channel, Direction, Message

POST_LIMIT = 280
DM_LIMIT = 10_000
# X counts every link as 23 characters, whatever its length (t.co).
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_URL_WEIGHT = 23
# Code points X counts once; all others (CJK, emoji, ...) count twice (twitter-text, config v3).
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def weighted_length(text: str) -> int:
    """The length X checks against 280: links 23 each, CJK and emoji 2 per character."""
    text = unicodedata.normalize("NFC", text)
    links = _URL.findall(text)
    rest = _URL.sub("", text)
    return _URL_WEIGHT * len(links) + sum(
        1 if any(low <= ord(char) <= high for low, high in _LIGHT) else 2 for char in rest
    )


class XSender(OutboundSender):
    def send(self, message: Message) -> str:
        """Post the reply the way the ticket's last X message came (public post or DM); returns the
        post id, or "dm:<event id>" for a DM, as inbound ids are, so answers to it thread back."""
        last = (
            Message.objects.filter(ticket_id=message.ticket_id, direction=Direction.IN, channel=Channel.X)
            .order_by("-created_at", "-pk")
            .first()
        )
        if last is None:
            raise SendError("This ticket has no X message to answer.", permanent=True)
        account = XAccount.for_user_id(message.channel_address or last.channel_address)
        if account is None or not account.can_write:
            raise SendError(
                "No X account with posting credentials (API key and access token) is configured.", permanent=True
            )
        if message.attachments.exists():
            raise SendError("Files cannot be sent on X from the helpdesk; send a link instead.", permanent=True)
        public = bool(last.meta.get("public"))
        text = message.body_text
        length = weighted_length(text) if public else len(text)
        limit = POST_LIMIT if public else DM_LIMIT
        if length > limit:
            where = "A public reply on X" if public else "A direct message on X"
            raise SendError(
                f"{where} holds at most {limit} characters; this one counts {length}. Shorten it"
                + (" or answer by direct message." if public else "."),
                permanent=True,
            )
        # Set before the call: deliver() saves it with a failure too, so it shows where it was going.
        message.meta = {**message.meta, "public": public}
        if public:
            message.meta["in_reply_to"] = last.external_id

        client = client_for(account)
        try:
            if public:
                response = client.create_tweet(text=text, in_reply_to_tweet_id=last.external_id)
                return response.json()["data"]["id"]
            response = client.create_direct_message(participant_id=last.address, text=text)
            return f"dm:{response.json()['data']['dm_event_id']}"
        except (tweepy.TooManyRequests, tweepy.TwitterServerError, requests.RequestException) as exc:
            raise SendError(f"X is not taking posts right now: {describe(exc)}", permanent=False) from exc
        except tweepy.Unauthorized as exc:
            raise SendError(f"X rejected the account's credentials: {describe(exc)}", permanent=True) from exc
        except tweepy.HTTPException as exc:  # 400, 403 (e.g. DMs closed, duplicate post), 404 (post deleted)
            raise SendError(f"X refused the reply: {describe(exc)}", permanent=True) from exc
