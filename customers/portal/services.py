"""What a customer does in the portal: sign in by e-mail link, write to us, close a request, manage their profile.

Messages enter through tickets.services.ingest like any other channel's (channel `webform`), so
agents see a portal reply exactly as a customer's mail (DESIGN.md, "The one path").
"""

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from customers.models import Customer, ErasureRequest, ErasureState, Identity, IdentityKind
from customers.services import normalise_address
from helpdesk.models import User
from helpdesk.realtime import publish
from helpdesk.roles import Role
from tickets import events, timeline
from tickets.inbound import InboundAttachment, InboundMessage
from tickets.locks import tickets_for_update
from tickets.models import Channel, Status, Ticket
from tickets.models.choices import OPEN_STATUSES
from tickets.services import IngestResult, ingest, sla

LINK_MAX_AGE = timedelta(minutes=15)
# Sign-in attempts (links asked for, passwords tried) per hour: per address against mail bombing
# and guessing, per client IP against one host walking many addresses.
ATTEMPTS_PER_ADDRESS = 5
ATTEMPTS_PER_IP = 30
_LINK_SALT = "customers.portal.login-link"


def within_rate_limit(*, purpose: str, address: str, ip: str) -> bool:
    """Count one attempt against both budgets; False when either is spent.

    Counted before the address is looked up, so the answer says nothing about whether we know it.
    """
    hashed = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    by_address = _count(f"portal:{purpose}:address:{hashed}") <= ATTEMPTS_PER_ADDRESS
    by_ip = _count(f"portal:{purpose}:ip:{ip}") <= ATTEMPTS_PER_IP
    return by_address and by_ip


def within_request_limit(*, ip: str) -> bool:
    """Count one new request from this client IP against the contact form's hourly budget."""
    return _count(f"portal:request:ip:{ip}") <= settings.WEBFORM_MAX_PER_HOUR


def _count(key: str) -> int:
    cache.add(key, 0, timeout=3600)
    return cache.incr(key)


def make_login_token(identity: Identity) -> str:
    """A signed, expiring token for one e-mail identity, valid until its customer's login state changes."""
    return signing.dumps([identity.pk, _login_state(identity)], salt=_LINK_SALT, compress=False)


def _login_state(identity: Identity) -> str:
    """Changes when the link is used (first use creates the user, any sign-in moves last_login), when
    the address moves to another customer and when the password or active flag changes, as in
    Django's PasswordResetTokenGenerator."""
    user = identity.customer.user
    parts: list = [identity.pk, identity.address, identity.customer_id]
    if user is not None:
        last_login = user.last_login.replace(microsecond=0, tzinfo=None) if user.last_login else ""
        parts += [user.pk, user.password, last_login, user.is_active]
    return salted_hmac(_LINK_SALT, repr(parts), algorithm="sha256").hexdigest()


def send_login_link(*, address: str) -> bool:
    """Mail a sign-in link if `address` is a customer's e-mail identity; True when one was sent.

    The caller answers the same either way (no account enumeration). Staff addresses get nothing:
    agents sign in to the agent UI.
    """
    try:
        address = normalise_address(IdentityKind.EMAIL, address)
    except ValidationError:
        return False
    identity = (
        Identity.objects.select_related("customer__user")
        .filter(kind=IdentityKind.EMAIL, address=address, customer__merged_into__isnull=True)
        .first()
    )
    if identity is None or not _may_use_portal(identity.customer.user):
        return False
    url = settings.PUBLIC_URL + reverse("portal:login-link", args=[make_login_token(identity)])
    context = {"name": identity.customer.name, "url": url, "minutes": int(LINK_MAX_AGE.total_seconds() // 60)}
    send_mail(
        subject="Your sign-in link",
        message=render_to_string("portal/login_link_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )
    return True


def _may_use_portal(user: User | None) -> bool:
    return user is None or (user.is_active and user.role == Role.CUSTOMER and not user.is_superuser)


def identity_for_token(token: str) -> Identity | None:
    """The identity a sign-in link is for, if the link is genuine, unexpired and unused."""
    try:
        identity_id, state = signing.loads(token, salt=_LINK_SALT, max_age=LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    identity = Identity.objects.select_related("customer__user").filter(pk=identity_id).first()
    if identity is None or not constant_time_compare(state, _login_state(identity)):
        return None
    return identity


def sign_in_with_token(token: str) -> tuple[User, Identity] | None:
    """Use a sign-in link: the customer's portal user (created on first use), or None if the link is bad.

    Consumes the link by moving last_login under a lock on the customer, so two clicks racing
    each other sign in once.
    """
    with transaction.atomic():
        identity = identity_for_token(token)
        if identity is None:
            return None
        customer = Customer.objects.select_for_update().get(pk=identity.customer_id)
        identity = identity_for_token(token)  # again, now that nobody else can use it meanwhile
        if identity is None or customer.merged_into_id or not _may_use_portal(identity.customer.user):
            return None
        user = identity.customer.user or _create_portal_user(customer, identity)
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    return user, identity


def _create_portal_user(customer: Customer, identity: Identity) -> User:
    # The username is never shown or typed (customers sign in with their address); it only has to be unique.
    user = User(
        username=f"customer-{customer.pk}-{secrets.token_hex(4)}",
        email=identity.address,
        first_name=customer.name[:150],
        role=Role.CUSTOMER,
    )
    user.set_unusable_password()
    user.save()
    customer.user = user
    customer.save(update_fields=["user", "updated_at"])
    return user


def password_user(*, address: str) -> User | None:
    """The portal user who signs in with this e-mail address and a password, if there is one."""
    try:
        address = normalise_address(IdentityKind.EMAIL, address)
    except ValidationError:
        return None
    identity = (
        Identity.objects.select_related("customer__user").filter(kind=IdentityKind.EMAIL, address=address).first()
    )
    user = identity.customer.user if identity else None
    return user if user is not None and _may_use_portal(user) and user.has_usable_password() else None


def reply_to_request(
    *,
    customer: Customer,
    ticket: Ticket,
    sender: str,
    text: str,
    files: Iterable[UploadedFile],
    submission_id: uuid.UUID,
) -> IngestResult:
    """Add the customer's reply to their ticket as an inbound message, as if they had answered by e-mail.

    `ticket_hint` threads it onto the ticket (ingest trusts it because the sender is the ticket's
    customer or on its Cc); a solved ticket reopens, a closed one gets a follow-up, as for mail.
    Idempotent per `submission_id` (a double submit gives one message).
    """
    return ingest(
        InboundMessage(
            channel=Channel.WEBFORM,
            external_id=f"portal-{customer.pk}-{submission_id}",
            sender_address=sender,
            sender_name=customer.name,
            subject=f"Re: {ticket.subject}"[:255],
            text=text,
            attachments=_inbound_attachments(files),
            ticket_hint=ticket.pk,
        )
    )


def submit_request(
    *,
    sender: str,
    name: str,
    subject: str,
    text: str,
    fields: dict[str, str],
    files: Iterable[UploadedFile],
    submission_id: uuid.UUID,
) -> IngestResult:
    """Open a ticket from the portal's request form; the admin-defined fields' answers go in `meta["fields"]`.

    Idempotent per `submission_id`.
    """
    return ingest(
        InboundMessage(
            channel=Channel.WEBFORM,
            external_id=f"portal-{submission_id}",
            sender_address=sender,
            sender_name=name,
            subject=subject,
            text=text,
            attachments=_inbound_attachments(files),
            meta={"fields": fields} if fields else {},
        )
    )


def _inbound_attachments(files: Iterable[UploadedFile]) -> tuple[InboundAttachment, ...]:
    # A file over the limit is not read: ingest records it as refused and keeps the message.
    limit = settings.MAX_ATTACHMENT_BYTES
    return tuple(
        InboundAttachment(
            f.name or "attachment",
            f.content_type or "application/octet-stream",
            f.read() if f.size <= limit else b"",
            f.size,
        )
        for f in files
    )


def solve_request(*, ticket: Ticket) -> Ticket:
    """Mark an open ticket solved because its customer says so; a ticket already solved or closed is left alone.

    The caller checked that the customer may act on the ticket. Locks the ticket. This does what
    tickets.services.update_ticket does for a status change, which refuses anyone but an agent.
    """
    with transaction.atomic():
        (ticket,) = tickets_for_update(ticket.pk)
        if ticket.merged_into_id:
            raise ValidationError(f"Request #{ticket.pk} was merged into #{ticket.merged_into_id}.")
        if ticket.status not in OPEN_STATUSES:
            return ticket
        old, now = ticket.status, timezone.now()
        ticket.status, ticket.status_changed_at, ticket.solved_at, ticket.updated_at = Status.SOLVED, now, now, now
        ticket.save(update_fields=["status", "status_changed_at", "solved_at", "updated_at"])
        timeline.status_changed_event(ticket=ticket, actor=None, old=old, reason="solved by the customer").save()
        sla.reconcile_after_commit([ticket.pk])
        summary = f"The customer marked #{ticket.pk} solved"
        publish(events.groups_for(ticket), events.ticket_changed(ticket, type="ticket.updated", summary=summary))
    return ticket


def update_profile(*, customer: Customer, name: str, language: str, time_zone: str) -> Customer:
    """Save what the customer says about themselves."""
    customer.name, customer.language, customer.time_zone = name.strip()[:200], language, time_zone
    customer.save(update_fields=["name", "language", "time_zone", "updated_at"])
    return customer


def remove_identity(*, customer: Customer, identity_id: int) -> None:
    """Unlink one of the customer's addresses; the last e-mail address stays, it is how they sign in."""
    identity = customer.identities.filter(pk=identity_id).first()
    if identity is None:
        raise ValidationError("That address is not on your profile.")
    emails = customer.identities.filter(kind=IdentityKind.EMAIL)
    if identity.kind == IdentityKind.EMAIL and emails.count() == 1:
        raise ValidationError("You need at least one e-mail address to sign in; add another before removing this one.")
    identity.delete()


def request_erasure(*, customer: Customer) -> ErasureRequest:
    """Ask the admins to erase the customer's personal data; asking again while one waits returns that one."""
    pending = customer.erasure_requests.filter(state=ErasureState.PENDING).first()
    if pending:
        return pending
    try:
        with transaction.atomic():
            return ErasureRequest.objects.create(customer=customer)
    except IntegrityError:  # a second tab asked at the same moment
        return customer.erasure_requests.get(state=ErasureState.PENDING)
