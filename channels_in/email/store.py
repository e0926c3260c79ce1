"""Raw mail -> stored messages: the glue the SMTP server, the webhook and the importer share.

Every mail ends up stored: as a Message through `ingest_many`, or raw as a FailedInbound that an
admin can retry (`retry_failed_mail`) once the parser handles it.
"""

import base64
import dataclasses
import logging
import re
from email.utils import parseaddr

from django.conf import settings
from django.core.cache import cache

from channels_in.email.inbound import parse_email
from channels_in.email.models import Mailbox
from tickets.inbound import InboundMessage
from tickets.models import Channel, FailedInbound
from tickets.services import IngestError, IngestResult, ingest, ingest_many, mark_retried, store_failed_inbound

logger = logging.getLogger(__name__)

# Latin-1 maps every byte to one character and back, so the stored text is the exact mail. A mail
# with a NUL byte (which PostgreSQL text cannot hold) is kept as base64 instead.
RAW_FORMAT = "rfc822-latin1"
RAW_FORMAT_BASE64 = "rfc822-base64"

_MESSAGE_ID = re.compile(rb"^Message-ID:(?:[ \t]|\r?\n[ \t])*(<[^<>\s]{1,250}>)", re.IGNORECASE | re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclasses.dataclass
class IngestSummary:
    """What a batch of raw mails became."""

    created: int = 0  # new tickets
    followups: int = 0  # threaded onto an existing ticket
    duplicates: int = 0  # already stored (redelivery, re-import)
    failed: int = 0  # stored as FailedInbound
    # One per mail, in input order, for transports that answer per mail (the webhook).
    outcomes: list[IngestResult | IngestError] = dataclasses.field(default_factory=list, repr=False)

    @property
    def total(self) -> int:
        return self.created + self.followups + self.duplicates + self.failed

    def add(self, other: "IngestSummary") -> None:
        """Add `other`'s counts (not its outcomes, so a long import keeps no messages in memory)."""
        self.created += other.created
        self.followups += other.followups
        self.duplicates += other.duplicates
        self.failed += other.failed


@dataclasses.dataclass(frozen=True)
class Arrival:
    """What the transport knows about a batch of mail and the mail itself cannot say reliably."""

    address: str = ""  # our address it was delivered to (the mailbox, the SMTP recipient)
    team_id: int | None = None  # the team new tickets go to
    acknowledge: bool = False  # live mail: acknowledge the tickets it opens
    imported: bool = False  # old mail being imported: no notifications, no storm limit

    @classmethod
    def live(cls, address: str) -> "Arrival":
        """Mail that just arrived for `address`, with the settings of its mailbox if there is one."""
        mailbox = Mailbox.objects.filter(address__iexact=address).first() if address else None
        if mailbox is None:
            return cls(address=address, acknowledge=True)
        return cls(address=mailbox.address, team_id=mailbox.team_id, acknowledge=mailbox.acknowledge)

    @classmethod
    def for_mailbox(cls, mailbox: Mailbox) -> "Arrival":
        return cls(address=mailbox.address, team_id=mailbox.team_id, acknowledge=mailbox.acknowledge)


IMPORTED = Arrival(imported=True)


def ingest_raw_mails(raws: list[tuple[bytes, str]], *, arrival: Arrival = Arrival()) -> IngestSummary:
    """Store each (raw mail, raw_ref) exactly once, in order, so replies thread within the batch.

    Unparseable mail is kept raw, and so is live mail past a sender's hourly budget (a mail storm).
    Only transient database errors are raised, and then none of the parsed mails is stored (one
    transaction), so the caller can deliver the batch again.
    """
    outcomes: list[IngestResult | IngestError | None] = [None] * len(raws)
    parsed: list[tuple[int, InboundMessage]] = []
    ours = _own_addresses()
    for index, (raw, raw_ref) in enumerate(raws):
        try:
            msg = parse_email(raw, raw_ref=raw_ref)
        except Exception as exc:
            # EmailParseError is the parser's contract, but a parser bug must not stop the batch either.
            outcomes[index] = IngestError(_store_unparseable(raw, raw_ref, exc))
            continue
        msg = dataclasses.replace(
            msg,
            channel_address=arrival.address,
            team_id=arrival.team_id,
            acknowledge=arrival.acknowledge,
            quiet=arrival.imported,
            cc_addresses=tuple(a for a in msg.cc_addresses if a.lower() not in ours),
        )
        if not arrival.imported and _over_sender_budget(msg.sender_address):
            error = (
                f"More than {settings.INBOUND_EMAIL_MAX_PER_SENDER_PER_HOUR} mails from {msg.sender_address} "
                "within an hour (a mail storm?); kept here instead of opening tickets. Retry to store it."
            )
            failed = store_failed_inbound(
                channel=Channel.EMAIL, external_id=msg.external_id, payload=msg.to_json(), error=error
            )
            outcomes[index] = IngestError(failed)
            continue
        parsed.append((index, msg))
    for (index, _), result in zip(parsed, ingest_many([msg for _, msg in parsed]), strict=True):
        outcomes[index] = result
    summary = IngestSummary(outcomes=outcomes)  # type: ignore[arg-type]  # every slot is filled above
    for outcome in summary.outcomes:
        if isinstance(outcome, IngestError):
            summary.failed += 1
        elif outcome.duplicate:
            summary.duplicates += 1
        elif outcome.created_ticket:
            summary.created += 1
        else:
            summary.followups += 1
    return summary


def retry_failed_mail(failed: FailedInbound) -> IngestResult:
    """Parse and ingest a stored raw mail again (the admin's retry); marks it retried on success.

    Raises IngestError (with the error recorded on `failed`) when the mail still cannot be stored.
    """
    if failed.payload_format == RAW_FORMAT:
        raw = failed.payload.encode("latin-1")
    elif failed.payload_format == RAW_FORMAT_BASE64:
        raw = base64.b64decode(failed.payload)
    else:
        raise ValueError(f"Not a stored raw mail: {failed.payload_format!r}.")
    try:
        msg = parse_email(raw, raw_ref=f"failed-inbound:{failed.pk}")
    except Exception as exc:
        failed.error, failed.attempts = _describe(exc), failed.attempts + 1
        failed.save(update_fields=["error", "attempts", "updated_at"])
        raise IngestError(failed) from exc
    result = ingest(msg)
    mark_retried(failed, result.message)
    return result


def _own_addresses() -> set[str]:
    """The helpdesk's own addresses: never a customer on Cc (a reply-all copies them)."""
    ours = {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
    ours |= {a.lower() for a in settings.INBOUND_EMAIL_ADDRESSES if not a.startswith("*@")}
    ours.add(parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower())
    return ours


def _over_sender_budget(sender: str) -> bool:
    key = f"mail-storm:{sender.lower()[:200]}"
    cache.add(key, 0, timeout=3600)
    return cache.incr(key) > settings.INBOUND_EMAIL_MAX_PER_SENDER_PER_HOUR


def message_id(raw: bytes) -> str:
    """The Message-ID header if it can be read without parsing the mail (which just failed), else ""."""
    head = _HEADER_END.split(raw, maxsplit=1)[0]
    match = _MESSAGE_ID.search(head)
    return match.group(1).decode("latin-1") if match else ""


def _store_unparseable(raw: bytes, raw_ref: str, exc: Exception) -> FailedInbound:
    external_id = message_id(raw)
    logger.warning("unparseable mail %s (%s) kept as failed inbound: %s", external_id or "-", raw_ref, exc)
    if b"\0" in raw:
        payload, fmt = base64.b64encode(raw).decode("ascii"), RAW_FORMAT_BASE64
    else:
        payload, fmt = raw.decode("latin-1"), RAW_FORMAT
    return store_failed_inbound(
        channel=Channel.EMAIL, external_id=external_id, payload=payload, error=_describe(exc), fmt=fmt
    )


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
