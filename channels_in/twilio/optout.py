"""Carrier keywords: STOP and friends opt a phone number out of SMS and WhatsApp, START back in.

Recorded while the stored webhook payload is parsed (channels_in/inbox.py `drain`), not in the
view and not after ingest: the view only stores the raw payload, and ingest has no per-channel
hook. So the parser calls `record_keyword`, which resolves the sender's phone identity first (a
first-contact STOP is remembered; ingest then finds that identity) and records the choice with
`customers.services.set_opt_out`. The keyword message itself is still stored, so agents see it.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.models import IdentityKind
from customers.services import resolve_identity, set_opt_out

logger = logging.getLogger(__name__)

# Twilio's default opt-out and opt-in keywords; HELP is answered by agents like any message.
OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})


def keyword(text: str) -> str:
    """Whether a message body is an opt-out or opt-in keyword ("opt-out", "opt-in", else "").

    The whole body must be the keyword, as carriers match it: "please stop calling" is a message.
    """
    word = text.strip().rstrip(".!").upper()
    if word in OPT_OUT:
        return "opt-out"
    if word in OPT_IN:
        return "opt-in"
    return ""


def record_keyword(*, channel: str, address: str, text: str, name: str = "") -> str:
    """Apply an opt-out/opt-in keyword to the sender's phone identity; returns the keyword kind or "".

    Runs in a savepoint, so a concurrent first contact (IntegrityError) cannot break the caller's
    transaction (the inbox drains a whole batch in one).
    """
    kind = keyword(text)
    if not kind:
        return ""
    try:
        try:
            with transaction.atomic():
                resolve_identity(kind=IdentityKind.PHONE, address=address, name=name)
        except IntegrityError:
            pass  # another transaction created this identity first; set_opt_out finds it
        set_opt_out(kind=IdentityKind.PHONE, address=address, opted_out=kind == "opt-out", channel=channel)
    except ValidationError as exc:
        # Not a phone number: ingest sets the message aside with the same reason.
        logger.warning("%s keyword from %r not recorded: %s", channel, address, exc)
        return ""
    return kind
