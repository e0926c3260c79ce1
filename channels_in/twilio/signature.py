"""Twilio's request signature (X-Twilio-Signature), checked before a webhook stores anything."""

from twilio.request_validator import RequestValidator

from channels_in.base import webhook_url
from channels_in.twilio.models import TwilioAccount


def verified_account(request) -> TwilioAccount | None:
    """The account a signed Twilio request belongs to, or None for a forged or unsigned one.

    The signature covers the public URL and the form parameters, keyed by the account's token.
    """
    signature = request.headers.get("X-Twilio-Signature", "")
    account = TwilioAccount.for_number(request.POST.get("To", "") or request.POST.get("Called", ""))
    if not signature or account is None:
        return None
    valid = RequestValidator(account.auth_token).validate(webhook_url(request), request.POST.dict(), signature)
    return account if valid else None
