"""SMTP transport: the helpdesk as the mail server of its support addresses (aiosmtpd).

Run with `manage.py smtp_server`. A mail is answered 250 only once it is committed (as a Message or
a FailedInbound); on any failure before that the answer is 4xx, so the sending server keeps the
mail and retries, and ingest's dedupe on Message-ID makes a retry of a stored mail harmless.
"""

import logging
import socket

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from channels_in.email.store import Arrival, ingest_raw_mails

logger = logging.getLogger(__name__)


class InboundHandler:
    """aiosmtpd handler: accepts mail for the configured addresses and stores it."""

    def __init__(self, *, addresses: list[str]):
        self.addresses = {a.lower() for a in addresses if not a.startswith("*@")}
        self.domains = {a[2:].lower() for a in addresses if a.startswith("*@")}

    def accepts(self, address: str) -> bool:
        address = address.lower()
        return address in self.addresses or address.rpartition("@")[2] in self.domains

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if not self.accepts(address):
            return f"550 5.1.1 <{address}>: recipient not accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        try:
            # The ORM is synchronous; a worker thread keeps the event loop serving other sessions.
            raw, recipient = envelope.original_content or b"", envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
            await sync_to_async(_store, thread_sensitive=False)(raw, recipient)
        except Exception:
            logger.exception("smtp: mail from %s not stored, asking the sender to retry", envelope.mail_from)
            return "451 4.3.0 Try again later"
        return "250 Message accepted"


def _store(raw: bytes, recipient: str) -> None:
    try:
        ingest_raw_mails([(raw, "smtp")], arrival=Arrival.live(recipient))
    finally:
        # The worker threads outlive the mail; mail comes seconds apart, so each one gets its own
        # connection and an idle server holds none (nor a broken one after a database restart).
        connection.close()


class _SizeAwareSMTP(SMTP):
    """aiosmtpd's own size refusals (MAIL FROM SIZE=..., DATA over the limit) in our wording."""

    async def push(self, status: str | bytes) -> None:
        if isinstance(status, str) and status.startswith("552 Error:"):
            status = "552 5.3.4 Message too big"
        await super().push(status)


class InboundController(Controller):
    def factory(self) -> SMTP:
        return _SizeAwareSMTP(self.handler, **self.SMTP_kwargs)


def make_controller(*, host: str, port: int) -> InboundController:
    """A threaded server (call .start() and .stop()) configured from the INBOUND_EMAIL_* settings."""
    # data_size_limit advertises SIZE in EHLO and stops reading a mail into memory past the limit.
    # The server's name is looked up once here, not (as aiosmtpd would) on every connection.
    return InboundController(
        InboundHandler(addresses=settings.INBOUND_EMAIL_ADDRESSES),
        hostname=host,
        port=port,
        server_hostname=socket.getfqdn(),
        data_size_limit=settings.INBOUND_EMAIL_MAX_BYTES,
    )
