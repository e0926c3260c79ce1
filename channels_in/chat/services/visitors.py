"""The visitor's side: token, messages (through ingest), identification, resumption, read receipts."""

import dataclasses
import re
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from channels_in.chat import events, selectors
from channels_in.chat.inbound import external_id, to_inbound
from channels_in.chat.models import ChatSession, ChatSite, Prechat
from channels_in.chat.services.agents import offer
from channels_in.chat.services.status import no_chat_status, status
from customers.models import Identity, IdentityKind
from customers.services import add_identity, merge_customers, normalise_address, resolve_identity
from helpdesk.models import User
from helpdesk.realtime import publish
from tickets import events as ticket_events
from tickets.inbound import InboundAttachment
from tickets.models import Channel, DeliveryStatus, Direction, Message, Visibility
from tickets.services import IngestError, ingest, record_delivery_status

VISITOR_SALT = "chat-visitor"
_VISITOR_RE = re.compile(r"^v_[0-9a-f]{32}$")


@dataclasses.dataclass(frozen=True)
class Posted:
    session: ChatSession
    message: Message
    duplicate: bool


# Visitors


def open_session(*, site: ChatSite, token: str | None) -> tuple[str, str, dict]:
    """(token, visitor id, widget configuration): the visitor a valid token of this site names, else a new one."""
    visitor = visitor_from_token(site, token) if token else None
    if visitor is None:
        visitor = f"v_{secrets.token_hex(16)}"
        token = signing.dumps({"s": site.key, "v": visitor}, salt=VISITOR_SALT)
    return token, visitor, site_config(site)


def visitor_from_token(site: ChatSite, token: str) -> str | None:
    """The visitor id a token names, if we signed it for this site (a tampered or foreign token: None)."""
    try:
        data = signing.loads(token, salt=VISITOR_SALT)
    except signing.BadSignature:
        return None
    visitor = data.get("v") if isinstance(data, dict) and data.get("s") == site.key else None
    return visitor if isinstance(visitor, str) and _VISITOR_RE.match(visitor) else None


def site_config(site: ChatSite) -> dict:
    return {
        "title": site.title,
        "greeting": site.greeting,
        "colour": site.colour,
        "position": site.position,
        "language": site.language,
        "prechat": site.prechat,
        "online": selectors.team_online(site.team_id),
        "max_upload_bytes": settings.MAX_ATTACHMENT_BYTES,
    }


def post_visitor_message(
    *, site: ChatSite, visitor: str, client_id: str, text: str, attachments: tuple[InboundAttachment, ...] = ()
) -> Posted:
    """Store a visitor's message once per client id, on the chat's ticket; the first one of a chat
    opens the session, creates (or continues) the ticket and offers the chat to an agent.

    Returns after commit, so the caller may acknowledge. Raises ValidationError for a message we
    refuse and IngestError for one kept raw for an admin (tickets.services.ingest).
    """
    key = external_id(visitor, client_id)
    stored = Message.objects.select_related("ticket").filter(channel=Channel.CHAT, external_id=key).first()
    if stored is not None:  # a resend after a lost ack
        session = selectors.session_for_ticket(stored.ticket_id) or selectors.current_session(
            site=site, visitor=visitor
        )
        return Posted(session=session, message=stored, duplicate=True)
    if site.prechat == Prechat.REQUIRED and not selectors.customer_email(selectors.visitor_customer_id(visitor)):
        raise ValidationError(_("Please tell us your name and e-mail address first."))
    try:
        return _post(site, visitor, client_id, text, attachments)
    except IntegrityError:
        # Another tab opened the chat between our look and our insert: it exists now.
        return _post(site, visitor, client_id, text, attachments)


def _post(site, visitor, client_id, text, attachments) -> Posted:
    failed: IngestError | None = None
    with transaction.atomic():
        session = _open_session_locked(site, visitor)
        first = session.ticket_id is None
        inbound = to_inbound(
            visitor=visitor,
            client_id=client_id,
            text=text,
            session_id=session.pk,
            site_key=site.key,
            team_id=site.team_id,
            attachments=attachments,
        )
        try:
            result = ingest(inbound)
        except IngestError as exc:
            failed = exc  # the raw message must survive: commit it, then report
        if failed is None:
            message = result.message
            if result.duplicate:
                return Posted(session=session, message=message, duplicate=True)
            if session.ticket_id != result.ticket.pk or session.customer_id != message.author_customer_id:
                session.ticket, session.customer_id = result.ticket, message.author_customer_id
                session.save(update_fields=["ticket", "customer"])
            publish(events.groups(session), events.message_frame(message, session=session))
            if first:
                offer(session=session)
    if failed is not None:
        raise failed
    return Posted(session=session, message=message, duplicate=False)


def _open_session_locked(site: ChatSite, visitor: str) -> ChatSession:
    session = (
        ChatSession.objects.select_for_update().filter(site=site, visitor=visitor, state__in=selectors.OPEN).first()
    )
    if session is None:
        session = ChatSession.objects.create(site=site, visitor=visitor)
    session.site = site
    return session


def identify(*, site: ChatSite, visitor: str, name: str, email: str) -> int:
    """Link the visitor to the customer owning `email` (a new one if nobody does), so this chat and
    their next ones land in that customer's history; returns the customer id.

    An anonymous visitor's customer is merged into the e-mail's owner (customers.services). A visitor
    already known (by an address or a portal login) is left as is: an unchecked claim must not merge
    two people or pile addresses onto one profile; an agent can do that.
    """
    email = normalise_address(IdentityKind.EMAIL, email)
    name = (name or "").strip()[:200] if isinstance(name, str) else ""
    try:
        with transaction.atomic():
            customer_id = _link(visitor, name, email)
    except IntegrityError:
        with transaction.atomic():  # a message created the visitor's identity meanwhile
            customer_id = _link(visitor, name, email)
    session = selectors.current_session(site=site, visitor=visitor)
    if session is not None and session.ticket_id:
        ChatSession.objects.filter(site=site, visitor=visitor).update(customer_id=customer_id)
        ticket = session.ticket
        summary = _("The chat visitor is %(who)s") % {"who": f"{name or email} <{email}>"}
        publish(
            [ticket_events.ticket_group(ticket.pk), events.chat_group(session.pk)],
            {**ticket_events.ticket_changed(ticket, type="ticket.updated", summary=summary), "chat": session.pk},
        )
    return customer_id


def _link(visitor: str, name: str, email: str) -> int:
    own = Identity.objects.select_related("customer").filter(kind=IdentityKind.CHAT_VISITOR, address=visitor).first()
    if own is not None and not _anonymous(own):
        return own.customer_id
    target = resolve_identity(kind=IdentityKind.EMAIL, address=email, name=name)
    if own is None:
        add_identity(customer=target.customer, kind=IdentityKind.CHAT_VISITOR, address=visitor)
    elif own.customer_id != target.customer_id:
        merge_customers(source=own.customer, target=target.customer)
    return target.customer_id


def _anonymous(identity: Identity) -> bool:
    """A customer the chat made up: no portal login and no address other than chat visitor ids."""
    customer = identity.customer
    return customer.user_id is None and not customer.identities.exclude(kind=IdentityKind.CHAT_VISITOR).exists()


def resume(*, site: ChatSite, visitor: str, after: int) -> tuple[ChatSession | None, list[dict], dict]:
    """What a (re)connecting widget missed: the current chat's public messages after `after`, oldest
    first, and its status. Replies handed over this way count as delivered."""
    session = selectors.current_session(site=site, visitor=visitor)
    if session is None or session.ticket_id is None:
        return session, [], no_chat_status(site)
    messages = (
        Message.objects.filter(ticket_id=session.ticket_id, visibility=Visibility.PUBLIC, pk__gt=after)
        .select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("pk")
    )
    frames = [events.message_frame(m, session=session) for m in messages]
    if frames:
        _mark_delivered(session, frames[-1]["seq"])
    return session, frames, status(session)


def read(*, session: ChatSession, seq: int, by: User | None = None) -> bool:
    """Record that the visitor (`by` None) or the chat's agent has seen the chat up to `seq` and tell
    the other side; False when it changes nothing. Replies the visitor has seen are delivered."""
    if by is not None and session.agent_id != by.pk:
        raise PermissionDenied("Only the chat's agent sends its read receipts.")
    last = Message.objects.filter(ticket_id=session.ticket_id).order_by("-pk").values_list("pk", flat=True).first()
    seq = min(seq, last or 0)  # no receipt for messages not written yet
    field = "visitor_read_seq" if by is None else "agent_read_seq"
    if not ChatSession.objects.filter(pk=session.pk, **{f"{field}__lt": seq}).update(**{field: seq}):
        return False
    if by is None:
        _mark_delivered(session, seq)
        targets = [events.chat_group(session.pk)]
    else:
        targets = events.groups(session)
    publish(
        targets,
        events.read_frame(session, origin="visitor" if by is None else "agent", seq=seq, user=by.pk if by else None),
    )
    return True


def _mark_delivered(session: ChatSession, seq: int) -> None:
    sent = Message.objects.filter(
        ticket_id=session.ticket_id,
        direction=Direction.OUT,
        channel=Channel.CHAT,
        delivery_status=DeliveryStatus.SENT,
        pk__lte=seq,
    ).values_list("external_id", flat=True)
    for provider_id in sent:
        record_delivery_status(channel=Channel.CHAT, external_id=provider_id, status="delivered")
