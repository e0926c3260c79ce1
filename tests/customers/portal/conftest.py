"""Portal fixtures: tickets written by dana and eve through ingest, as their mail would arrive."""

import itertools
import re

import pytest
from django.core import mail

from tickets.inbound import InboundAttachment, InboundMessage
from tickets.models import Channel
from tickets.services import ingest

_ids = itertools.count(1)
LINK = re.compile(r"https?://[^/\s]+(/portal/login/[^/\s]+/)")


@pytest.fixture
def write_in():
    """write_in(address, subject=..., channel=..., attachments=...) -> the ticket the inbound message landed on."""

    def write(address: str, *, subject: str = "Printer on fire", text: str = "It is on fire.", **extra):
        number = next(_ids)
        message = InboundMessage(
            channel=extra.pop("channel", Channel.EMAIL),
            external_id=f"<portal-test-{number}@example.org>",
            sender_address=address,
            subject=subject,
            text=text,
            **extra,
        )
        return ingest(message).ticket

    return write


@pytest.fixture
def dana_ticket(customer_dana, write_in):
    return write_in(
        "dana@example.org",
        subject="Dana's invoice",
        attachments=(InboundAttachment("invoice.pdf", "application/pdf", b"%PDF-1.4 dana"),),
    )


@pytest.fixture
def eve_ticket(customer_eve, write_in):
    return write_in("eve@example.org", subject="Eve's parcel")


def link_path() -> str:
    """The path of the sign-in link in the last mail sent."""
    return LINK.search(mail.outbox[-1].body).group(1)
