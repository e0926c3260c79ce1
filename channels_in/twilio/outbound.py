"""Agent replies as SMS/MMS and WhatsApp through Twilio's Messages API.

Every send asks Twilio for delivery reports (`status_callback`, views.status). Numbers that sent
STOP are never messaged. WhatsApp accepts free text only within 24 hours of the customer's last
message; after that a reply goes out as the approved template the agent chose, else as SMS.
"""

import json
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels_in.base import OutboundSender, SendError
from channels_in.twilio.media import media_link
from channels_in.twilio.models import TwilioAccount
from customers.models import IdentityKind
from customers.selectors import opted_out_since
from customers.services import set_opt_out
from tickets.models import Channel, Direction

# WhatsApp's customer-service window: free text only this long after the customer's last message.
WHATSAPP_SESSION = timedelta(hours=24)
# Twilio accepts up to 10 media URLs on one message.
MAX_MEDIA = 10
# Twilio's error for a recipient who replied STOP: the carrier will block every retry.
_UNSUBSCRIBED = 21610


class SmsSender(OutboundSender):
    """SMS, or MMS when the reply has attachments, from the number the customer wrote to."""

    def send(self, message) -> str:
        _refuse_opted_out(message)
        account, sender = _sending_account(message.channel_address, "phone_number", "SMS")
        return _create(account, message, from_=sender, to=message.address, body=message.body_text)


class WhatsAppSender(OutboundSender):
    """WhatsApp free text within the 24-hour window; outside it a template, else SMS, else a clear refusal."""

    def send(self, message) -> str:
        _refuse_opted_out(message)
        account, sender = _sending_account(message.channel_address, "whatsapp_number", "WhatsApp")
        whatsapp = {"from_": f"whatsapp:{sender}", "to": f"whatsapp:{message.address}"}
        if _in_session(message):
            return _create(account, message, body=message.body_text, **whatsapp)
        template = (message.meta or {}).get("whatsapp_template", "")
        if template:
            variables = json.dumps((message.meta or {}).get("whatsapp_template_variables", {}))
            return _create(account, message, content_sid=template, content_variables=variables, **whatsapp)
        why = "The customer's last WhatsApp message is over 24 hours old, so WhatsApp refuses free text"
        sms_account, sms_sender = _sms_fallback(account)
        if sms_account is None:
            raise SendError(
                f"{why}; choose an approved WhatsApp template, or configure an SMS number to fall back to.",
                permanent=True,
            )
        sid = _create(sms_account, message, from_=sms_sender, to=message.address, body=message.body_text)
        # Kept on the message (deliver() saves meta, and clears delivery_error on success).
        message.meta = {**(message.meta or {}), "sent_as": Channel.SMS, "fallback_reason": f"{why}; sent as SMS."}
        return sid


def _refuse_opted_out(message) -> None:
    opted_out_at = opted_out_since(kind=IdentityKind.PHONE, address=message.address)
    if opted_out_at:
        raise SendError(
            f"Not sent: {message.address} opted out (replied STOP) on {opted_out_at:%Y-%m-%d %H:%M} UTC; "
            "they can send START to receive messages again.",
            permanent=True,
        )


def _sending_account(our_number: str, field: str, label: str) -> tuple[TwilioAccount, str]:
    """The account and number a reply leaves from: the number the customer wrote to, else the default."""
    if our_number:
        account = TwilioAccount.for_number(our_number)
    else:
        account = _default_account(field)
        our_number = getattr(account, field, "") if account else ""
    if account is None or not our_number:
        raise SendError(
            f"No Twilio {label} number is configured (admin: Twilio accounts, or TWILIO_* variables).",
            permanent=True,
        )
    return account, our_number


def _default_account(field: str) -> TwilioAccount | None:
    found = TwilioAccount.objects.filter(active=True).exclude(**{field: ""}).first()
    return found or TwilioAccount.from_environment()


def _sms_fallback(account: TwilioAccount) -> tuple[TwilioAccount | None, str]:
    """The same account's SMS number, else the default SMS account's; (None, "") when there is none."""
    if account.phone_number:
        return account, account.phone_number
    fallback = _default_account("phone_number")
    if fallback is None or not fallback.phone_number:
        return None, ""
    return fallback, fallback.phone_number


def _in_session(message) -> bool:
    last = message.ticket.messages.filter(direction=Direction.IN, channel=Channel.WHATSAPP).aggregate(
        last=Max("created_at")
    )["last"]
    return last is not None and timezone.now() - last < WHATSAPP_SESSION


def _create(account: TwilioAccount, message, **params) -> str:
    """Hand one message to Twilio; returns its Message SID or raises SendError(permanent=...)."""
    links = [media_link(a) for a in message.attachments.exclude(file="")[:MAX_MEDIA]]
    if links and "content_sid" not in params:
        params["media_url"] = links
    client = Client(
        account.account_sid, account.auth_token, http_client=TwilioHttpClient(timeout=settings.TWILIO_API_TIMEOUT)
    )
    try:
        sent = client.messages.create(status_callback=settings.PUBLIC_URL + reverse("twilio:status"), **params)
    except TwilioRestException as exc:
        if exc.code == _UNSUBSCRIBED:
            set_opt_out(kind=IdentityKind.PHONE, address=message.address, opted_out=True, channel=message.channel)
        retryable = exc.status == 429 or exc.status >= 500
        detail = f"error {exc.code}: " if exc.code else ""
        reason = f"Twilio refused the message (HTTP {exc.status}, {detail}{exc.msg})"
        raise SendError(reason, permanent=not retryable) from exc
    except (requests.RequestException, TwilioException) as exc:
        raise SendError(f"Could not reach Twilio: {exc}", permanent=False) from exc
    return sent.sid
