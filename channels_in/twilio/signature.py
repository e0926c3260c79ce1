"""Twilio's request signature (X-Twilio-Signature), checked before a webhook stores anything."""

from twilio.request_validator import RequestValidator

from channels_in.base import webhook_url
from channels_in.twilio.models import TwilioAccount


def verified_account(request) -> TwilioAccount | None:
    """The account a signed Twilio request belongs to, or None for a forged or unsigned one.

    The signature covers the public URL and the form parameters, keyed by the account's token.
    """
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return None
    params = request.POST.dict()
    url = webhook_url(request)
    for account in _candidates(params):
        if RequestValidator(account.auth_token).validate(url, params, signature):
            return account
    return None


def _candidates(params: dict[str, str]) -> list[TwilioAccount]:
    """Accounts that may have signed: the owner of our number, which is `To` (or `Called`) on an
    inbound message or call but `From` on a delivery-status callback, then the `AccountSid`'s."""
    found = [
        TwilioAccount.for_number(number)
        for number in (params.get("To", "") or params.get("Called", ""), params.get("From", ""))
        if number
    ]
    if params.get("AccountSid"):
        found.append(TwilioAccount.objects.filter(active=True, account_sid=params["AccountSid"]).first())
        environment = TwilioAccount.from_environment()
        if environment and environment.account_sid == params["AccountSid"]:
            found.append(environment)  # recording callbacks carry no number, only the account
    unique: dict[str, TwilioAccount] = {}
    for account in found:
        if account is not None:
            unique.setdefault(account.auth_token, account)
    return list(unique.values())
