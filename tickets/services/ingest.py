"""The one way inbound messages enter the helpdesk (see DESIGN.md, "The one path").

`ingest_many` stores a batch in one transaction with a fixed number of queries (pollers and
importers hand it what they fetched); `ingest` is the same code for one message (webhooks).
"""

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from channels_in.registry import retrier_for
from customers.models import Identity, IdentityKind
from customers.services import normalise_address, resolve_identities
from helpdesk.realtime import publish_many
from tickets import events, timeline
from tickets.bulk import update_rows
from tickets.inbound import CONVERSATIONAL, IDENTITY_KIND, InboundAttachment, InboundMessage
from tickets.locks import tickets_for_update
from tickets.models import Attachment, Automatic, Direction, FailedInbound, Message, Status, Ticket, TicketEvent
from tickets.sanitize import clean_html
from tickets.services import routing, sla
from tickets.services.attachments import stored_file
from tickets.services.delivery import mark_bounced

logger = logging.getLogger(__name__)

# Errors that say "try again later", not "this payload is bad": they are raised, not quarantined.
_TRANSIENT = (OperationalError, InterfaceError)
# What a customer reply changes on the ticket it continues.
_THREAD_STATE = [
    "last_customer_message_at",
    "last_message_at",
    "updated_at",
    "status",
    "status_changed_at",
    "solved_at",
]
# People taken from one message's Cc (a mail to a whole company list is not a conversation).
_MAX_CC = 20
# How many merges a thread hint is followed through (a merge chain is short; this stops a loop).
_MAX_MERGE_HOPS = 10


@dataclasses.dataclass(frozen=True)
class IngestResult:
    message: Message
    ticket: Ticket
    created_ticket: bool
    duplicate: bool


class IngestError(Exception):
    """The message could not be processed; it is kept raw in `failed` for an admin to retry."""

    def __init__(self, failed: FailedInbound):
        super().__init__(failed.error)
        self.failed = failed


def ingest(msg: InboundMessage) -> IngestResult:
    """Store an inbound message exactly once, on the right customer and ticket.

    Idempotent on (channel, external_id): a redelivery returns the message stored the first time.
    Anything that cannot be processed is stored raw (FailedInbound) and IngestError is raised.
    """
    result = ingest_many([msg])[0]
    if isinstance(result, IngestError):
        raise result
    return result


def ingest_many(msgs: Sequence[InboundMessage]) -> list[IngestResult | IngestError]:
    """Store a batch of inbound messages, each exactly once, in order, in one transaction.

    Same guarantees as `ingest`, message by message: a reply later in the batch threads onto the
    ticket an earlier message of the batch created, and a message that cannot be processed is
    stored raw and returned as its IngestError while the others are stored.
    """
    results: list[IngestResult | IngestError | None] = [None] * len(msgs)
    valid: list[_Prepared] = []
    for index, msg in enumerate(msgs):
        try:
            valid.append(_prepare(index, msg))
        except ValidationError as exc:
            results[index] = _quarantine(msg, exc)
    if valid:
        try:
            for index, result in _write_with_retry(valid):
                results[index] = result
        except _TRANSIENT:
            raise
        except Exception as exc:
            if len(valid) > 1:
                # Something in the batch is bad: one by one, so only that message is set aside.
                for item in valid:
                    results[item.index] = ingest_many([item.msg])[0]
            elif isinstance(exc, IntegrityError):
                raise
            else:
                results[valid[0].index] = _quarantine(valid[0].msg, exc)
    return results  # type: ignore[return-value]  # every slot is filled above


def _write_with_retry(batch: list["_Prepared"]) -> list[tuple[int, IngestResult]]:
    try:
        with transaction.atomic():
            return _ingest_batch(batch)
    except IntegrityError:
        # The unique constraints back the reads: another transaction stored one of these messages,
        # or created one of these senders, after we looked. Looking again finds it.
        with transaction.atomic():
            return _ingest_batch(batch)


def store_failed_inbound(*, channel: str, external_id: str, payload: str, error: str, fmt: str = "inbound-json"):
    """Keep a payload we could not process, once per (channel, external id)."""
    if external_id:
        failed = FailedInbound.objects.filter(channel=channel, external_id=external_id, state="failed").first()
        if failed:
            failed.error, failed.attempts = error, failed.attempts + 1
            failed.save(update_fields=["error", "attempts", "updated_at"])
            return failed
    return FailedInbound.objects.create(
        channel=channel, external_id=external_id[:255], payload=payload, payload_format=fmt, error=error
    )


def retry_failed_inbound(failed: FailedInbound) -> IngestResult:
    """Run a stored failed payload through ingest again (admin action); marks it retried on success.

    A raw provider payload goes back through its channel's parser first.
    """
    if failed.payload_format != "inbound-json":
        return retrier_for(failed.payload_format)(failed)
    result = ingest(InboundMessage.from_json(failed.payload))
    mark_retried(failed, result.message)
    return result


def mark_retried(failed: FailedInbound, message: Message) -> None:
    """A kept payload made it in on a retry: it leaves the admin's list, pointing at its message."""
    FailedInbound.objects.filter(pk=failed.pk).update(state=FailedInbound.State.RETRIED, message=message)


@dataclasses.dataclass
class _Prepared:
    """A message that passed the checks that need no database, with its normalised sender."""

    index: int
    msg: InboundMessage
    key: tuple[str, str]  # (channel, external id)
    sender: tuple[str, str]  # (identity kind, normalised address)
    cc: list[tuple[str, str]]  # e-mail identities on Cc, the sender left out
    reply_to: str  # normalised Reply-To when it differs from the sender, else ""


def _prepare(index: int, msg: InboundMessage) -> _Prepared:
    if msg.channel not in IDENTITY_KIND:
        raise ValidationError(f"Unknown channel {msg.channel!r}.")
    if not msg.external_id:
        raise ValidationError("The message has no external id, so it cannot be deduplicated.")
    kind = IDENTITY_KIND[msg.channel]
    sender = (kind, normalise_address(kind, msg.sender_address))
    cc = []
    for address in msg.cc_addresses[:_MAX_CC]:
        try:
            pair = (IdentityKind.EMAIL, normalise_address(IdentityKind.EMAIL, address))
        except ValidationError:
            continue  # a malformed Cc loses that Cc, not the message
        if pair != sender and pair not in cc:
            cc.append(pair)
    return _Prepared(index, msg, (msg.channel, msg.external_id[:255]), sender, cc, _reply_to(msg, sender))


def _reply_to(msg: InboundMessage, sender: tuple[str, str]) -> str:
    if not msg.reply_address or sender[0] != IdentityKind.EMAIL:
        return ""
    try:
        address = normalise_address(IdentityKind.EMAIL, msg.reply_address)
    except ValidationError:
        return ""  # a broken Reply-To: answer the sender
    return "" if address == sender[1] else address


def _quarantine(msg: InboundMessage, exc: Exception) -> IngestError:
    logger.warning("inbound %s message %s failed: %s", msg.channel, msg.external_id, exc)
    failed = store_failed_inbound(
        channel=msg.channel, external_id=msg.external_id, payload=msg.to_json(), error=_describe(exc)
    )
    return IngestError(failed)


def _describe(exc: Exception) -> str:
    messages = getattr(exc, "messages", None)
    return "; ".join(messages) if messages else f"{type(exc).__name__}: {exc}"


def _ingest_batch(batch: list[_Prepared]) -> list[tuple[int, IngestResult]]:
    """Write the batch; must run in a transaction. Locks the existing tickets it threads onto."""
    if not batch:
        return []
    now = timezone.now()
    stored = _stored_messages([item.key for item in batch])
    fresh = [item for item in batch if item.key not in stored]
    wanted = {cc: "" for item in fresh for cc in item.cc}
    identities = resolve_identities(wanted | {item.sender: item.msg.sender_name for item in fresh})
    threads = _ThreadIndex.load(fresh, identities, now)

    results: list[tuple[int, IngestResult]] = []
    seen: dict[tuple[str, str], int] = {}  # key -> position in `results` of its first copy
    new_tickets: list[Ticket] = []
    touched: dict[int, Ticket] = {}
    replied: set[int] = set()  # existing tickets the customer wrote to again (routing's trigger)
    messages: list[tuple[Message, InboundMessage, bool]] = []
    event_rows: list[TicketEvent] = []
    cc_rows: list[tuple[Ticket, int]] = []  # (ticket, customer id) for people on Cc
    bounces: list[InboundMessage] = []
    acknowledge: list[Ticket] = []
    for item in batch:
        if item.key in stored:
            message = stored[item.key]
            results.append((item.index, IngestResult(message, message.ticket, created_ticket=False, duplicate=True)))
            continue
        if item.key in seen:  # the same message twice in one batch
            first = results[seen[item.key]][1]
            results.append((item.index, dataclasses.replace(first, created_ticket=False, duplicate=True)))
            continue
        msg, identity = item.msg, identities[item.sender]
        at = min(msg.timestamp, now) if msg.timestamp else now
        ticket = threads.find(msg, identity.customer_id)
        # A customer writing to a closed ticket starts a follow-up; a robot's answer is filed on it.
        continues_closed = settings.CLOSED_TICKET_REPLY == "reopen" or bool(msg.automatic)
        created = ticket is None or (ticket.status == Status.CLOSED and not continues_closed)
        if created:
            ticket = _new_ticket(msg, identity, at, now, follow_up_of=ticket)
            new_tickets.append(ticket)
            event_rows.append(timeline.ticket_created_event(ticket=ticket))
        else:
            event_rows += _continue_ticket(ticket, at, now, automatic=bool(msg.automatic))
            if ticket.pk:
                touched[ticket.pk] = ticket
                if not msg.automatic:
                    replied.add(ticket.pk)
        message = Message(
            ticket=ticket,
            direction=Direction.IN,
            channel=msg.channel,
            author_customer=identity.customer,
            address=identity.address,
            subject=msg.subject[:255],
            body_text=msg.text,
            body_html=clean_html(msg.html),
            body_quoted=msg.quoted_text,
            reply_to=item.reply_to,
            channel_address=msg.channel_address[:320],
            meta=msg.meta,
            automatic=msg.automatic if msg.automatic in Automatic.values else Automatic.NO,
            external_id=item.key[1],
            created_at=at,
        )
        threads.remember(msg, message, ticket)
        cc_rows += [(ticket, identities[cc].customer_id) for cc in item.cc]
        if msg.automatic == Automatic.BOUNCE:
            bounces.append(msg)
        if created and msg.acknowledge and not msg.automatic:
            acknowledge.append(ticket)
        messages.append((message, msg, created))
        seen[item.key] = len(results)
        results.append((item.index, IngestResult(message, ticket, created_ticket=created, duplicate=False)))

    Ticket.objects.bulk_create(new_tickets)
    update_rows(list(touched.values()), _THREAD_STATE)
    Message.objects.bulk_create([message for message, _, _ in messages])
    _store_attachments([(message, msg.attachments) for message, msg, _ in messages if msg.attachments])
    event_rows += [timeline.message_added_event(message=message) for message, _, _ in messages]
    TicketEvent.objects.bulk_create(event_rows)
    if cc_rows:
        through = Ticket.cc.through
        rows = {(ticket.pk, customer_id) for ticket, customer_id in cc_rows if customer_id != ticket.customer_id}
        through.objects.bulk_create([through(ticket_id=t, customer_id=c) for t, c in rows], ignore_conflicts=True)
    for bounce in bounces:
        _record_bounce(bounce)
    followers = events.followers_of(touched) if touched else {}
    publish_many(
        [
            _notification(message, created, followers.get(message.ticket.pk, ()))
            for message, msg, created in messages
            if not msg.quiet
        ]
    )
    sla.reconcile_after_commit([ticket.pk for ticket in new_tickets] + list(touched))
    routing.route_after_commit(created=[ticket.pk for ticket in new_tickets], replied=sorted(replied))
    if acknowledge:
        from tickets.tasks import acknowledge_ticket_task  # tasks import the services

        ids = [ticket.pk for ticket in acknowledge]
        transaction.on_commit(lambda: [acknowledge_ticket_task.delay(pk) for pk in ids], robust=True)
    return results


def _notification(message: Message, created: bool, followers: Iterable[int]) -> tuple[list[str], events.TicketChanged]:
    kind = "ticket.created" if created else "ticket.message"
    summary = f"{message.author_customer} wrote on {message.get_channel_display()}"
    groups = events.groups_for(message.ticket, watchers=not created, followers=followers)
    return groups, events.ticket_changed(message.ticket, type=kind, summary=summary)


def _stored_messages(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Message]:
    """Messages already stored under these (channel, external id) keys: redeliveries."""
    found = (
        Message.objects.select_related("ticket")
        .filter(channel__in={c for c, _ in keys}, external_id__in={e for _, e in keys})
        .order_by()
    )
    wanted = set(keys)
    return {(m.channel, m.external_id): m for m in found if (m.channel, m.external_id) in wanted}


def _record_bounce(bounce: InboundMessage) -> None:
    """A bounce names the outbound mail it returns (reply ids): that reply failed to arrive."""
    returned = Message.objects.filter(
        channel=bounce.channel, direction=Direction.OUT, external_id__in=bounce.reply_to_ids[-50:]
    ).values_list("pk", flat=True)
    reason = (bounce.text.strip() or "The recipient's mail server returned the message.")[:2000]
    mark_bounced(message_ids=list(returned), reason=reason)


def _new_ticket(
    msg: InboundMessage, identity: Identity, at: datetime, now: datetime, *, follow_up_of: Ticket | None
) -> Ticket:
    return Ticket(
        subject=(msg.subject or _subject_from(msg.text))[:255],
        channel=msg.channel,
        customer=identity.customer,
        team_id=msg.team_id,
        follow_up_of=follow_up_of,
        language=identity.customer.language,
        conversation_id=msg.conversation_id[:255],
        created_at=at,
        updated_at=now,
        status_changed_at=at,
        last_customer_message_at=at,
        last_message_at=at,
    )


def _subject_from(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first_line[:80] or "(no subject)"


class _ThreadIndex:
    """Which ticket each message of a batch continues, from three queries for the whole batch.

    Per message the order is: reply headers, then a quoted ticket number if the sender is on
    that ticket (its customer or on Cc), then conversation id, then (conversational channels) the
    customer's recently active ticket on the same channel. The first hint that finds a ticket
    decides and merges are followed; the caller decides what a closed ticket means. Tickets and
    messages created earlier in the batch count as if they were stored.
    """

    def __init__(self, window_start: datetime):
        self.window_start = window_start
        # (channel, external id) -> (rank, ticket); the latest stored message wins, as in a thread.
        self.by_reply: dict[tuple[str, str], tuple[int, Ticket | None]] = {}
        self.by_conversation: dict[tuple[str, str], Ticket | None] = {}
        self.by_customer: dict[tuple[int, str], Ticket | None] = {}  # (customer id, channel) -> newest
        # quoted ticket number -> (ticket it leads to, customers allowed to quote it)
        self.by_number: dict[int, tuple[Ticket | None, set[int]]] = {}
        self.rank = 0  # stored messages rank by id; batch messages after all of them

    @classmethod
    def load(cls, batch: list[_Prepared], identities: dict, now: datetime) -> "_ThreadIndex":
        index = cls(now - timedelta(hours=settings.THREAD_WINDOW_HOURS))
        channels = {item.msg.channel for item in batch}
        reply_ids = {rid for item in batch for rid in item.msg.reply_to_ids[-50:]}
        conversations = {(i.msg.channel, i.msg.conversation_id) for i in batch if i.msg.conversation_id}
        chatty = {(identities[i.sender].customer_id, i.msg.channel) for i in batch if i.msg.channel in CONVERSATIONAL}

        replied: dict[tuple[str, str], tuple[int, int]] = {}  # key -> (message id, ticket id)
        if reply_ids:
            rows = Message.objects.filter(channel__in=channels, external_id__in=reply_ids).order_by()
            for message_id, channel, external_id, ticket_id in rows.values_list(
                "id", "channel", "external_id", "ticket_id"
            ):
                replied[(channel, external_id)] = (message_id, ticket_id)
        conversation: dict[tuple[str, str], int] = {}  # key -> newest open ticket id
        if conversations:
            rows = (
                Ticket.objects.filter(
                    channel__in={ch for ch, _ in conversations}, conversation_id__in={c for _, c in conversations}
                )
                .exclude(status=Status.CLOSED)
                .order_by("id")
            )
            for ticket_id, channel, conversation_id in rows.values_list("id", "channel", "conversation_id"):
                if (channel, conversation_id) in conversations:
                    conversation[(channel, conversation_id)] = ticket_id
        recent: dict[tuple[int, str], int] = {}  # (customer id, channel) -> newest active ticket id
        if chatty:
            rows = (
                Ticket.objects.filter(
                    customer_id__in={c for c, _ in chatty},
                    channel__in={ch for _, ch in chatty},
                    last_message_at__gte=index.window_start,
                )
                .exclude(status=Status.CLOSED)
                .order_by("created_at", "id")
            )
            for ticket_id, customer_id, channel in rows.values_list("id", "customer_id", "channel"):
                if (customer_id, channel) in chatty:
                    recent[(customer_id, channel)] = ticket_id

        numbers = {item.msg.ticket_hint for item in batch if item.msg.ticket_hint}
        people: dict[int, set[int]] = {}  # ticket id -> customers on it
        if numbers:
            for ticket_id, customer_id in Ticket.objects.filter(pk__in=numbers).values_list("id", "customer_id"):
                people.setdefault(ticket_id, set()).add(customer_id)
            for ticket_id, customer_id in Ticket.cc.through.objects.filter(ticket_id__in=people).values_list(
                "ticket_id", "customer_id"
            ):
                people[ticket_id].add(customer_id)

        ids = {t for _, t in replied.values()} | set(conversation.values()) | set(recent.values()) | set(people)
        if not ids:
            return index
        locked = {t.pk: t for t in tickets_for_update(*ids)}

        def resolve(ticket_id: int) -> Ticket | None:
            return index._follow_merges(locked, locked.get(ticket_id))

        index.by_reply = {key: (rank, resolve(ticket_id)) for key, (rank, ticket_id) in replied.items()}
        index.by_conversation = {key: resolve(ticket_id) for key, ticket_id in conversation.items()}
        index.by_customer = {key: resolve(ticket_id) for key, ticket_id in recent.items()}
        index.by_number = {number: (resolve(number), allowed) for number, allowed in people.items()}
        index.rank = max((rank for rank, _ in index.by_reply.values()), default=0)
        return index

    @staticmethod
    def _follow_merges(locked: dict[int, Ticket], ticket: Ticket | None) -> Ticket | None:
        for _ in range(_MAX_MERGE_HOPS):
            if ticket is None or not ticket.merged_into_id:
                break
            if ticket.merged_into_id not in locked:
                locked.update({t.pk: t for t in tickets_for_update(ticket.merged_into_id)})
            ticket = locked.get(ticket.merged_into_id)
        return ticket

    def find(self, msg: InboundMessage, customer_id: int) -> Ticket | None:
        """The ticket `msg` continues (possibly closed), or None for a new conversation."""
        ticket = None
        keys = [(msg.channel, rid) for rid in msg.reply_to_ids[-50:]]
        hits = [self.by_reply[key] for key in keys if key in self.by_reply]
        if hits:
            ticket = max(hits, key=lambda hit: hit[0])[1]
        if ticket is None and msg.ticket_hint in self.by_number:
            quoted, allowed = self.by_number[msg.ticket_hint]
            ticket = quoted if customer_id in allowed else None
        if ticket is None and msg.conversation_id:
            ticket = self.by_conversation.get((msg.channel, msg.conversation_id))
        if ticket is None and msg.channel in CONVERSATIONAL:
            ticket = self.by_customer.get((customer_id, msg.channel))
            if ticket is not None and ticket.last_message_at and ticket.last_message_at < self.window_start:
                ticket = None
        return ticket

    def remember(self, msg: InboundMessage, message: Message, ticket: Ticket) -> None:
        """Make `message` (not yet written) findable by the rest of the batch."""
        self.rank += 1
        self.by_reply[(msg.channel, message.external_id)] = (self.rank, ticket)
        if msg.conversation_id:
            self.by_conversation.setdefault((msg.channel, msg.conversation_id), ticket)
        if msg.channel in CONVERSATIONAL:
            newest = self.by_customer.get((ticket.customer_id, msg.channel))
            if newest is None or newest.created_at <= ticket.created_at:
                self.by_customer[(ticket.customer_id, msg.channel)] = ticket


def _continue_ticket(ticket: Ticket, at: datetime, now: datetime, *, automatic: bool) -> list[TicketEvent]:
    """A customer reply moves the ticket back to the agents: pending/solved (closed, if so
    configured) become open. A machine-sent message (out-of-office, bounce) is filed without."""
    ticket.last_message_at = max(filter(None, [ticket.last_message_at, at]))
    ticket.updated_at = now
    old_status = ticket.status
    if automatic:
        return []
    ticket.last_customer_message_at = max(filter(None, [ticket.last_customer_message_at, at]))
    if old_status not in (Status.PENDING, Status.SOLVED, Status.CLOSED):
        return []
    ticket.status, ticket.status_changed_at = Status.OPEN, now
    ticket.solved_at = None
    reason = "customer replied" if old_status == Status.PENDING else "reopened by customer reply"
    return [timeline.status_changed_event(ticket=ticket, actor=None, old=old_status, reason=reason)]


def _store_attachments(items: list[tuple[Message, tuple[InboundAttachment, ...]]]) -> None:
    """Files go to storage first; the rows of the whole batch are then one INSERT."""
    rows = [
        stored_file(
            message=message,
            filename=item.filename,
            content_type=item.content_type,
            content=item.content,
            size=item.size,
            content_id=item.content_id,
        )
        for message, attachments in items
        for item in attachments
    ]
    Attachment.objects.bulk_create(rows)
