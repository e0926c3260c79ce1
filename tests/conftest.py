"""Personas shared by every test (who may see what), and real servers the tests talk to.

alice and bob are agents in Support; carl is an agent in Billing and must not see Support's
tickets; lena is a light agent in Support; dana and eve are customers; ada is an admin.
"""

import itertools
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from helpdesk.roles import Role
from tests.factories import CustomerFactory, IdentityFactory, TeamFactory, UserFactory
from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest, update_ticket

pytest_plugins = ["tests.browser"]  # browser fixtures for the e2e tests of every folder


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and caches start empty in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def admin_ada(db):
    return UserFactory(username="ada", first_name="Ada", role=Role.ADMIN)


@pytest.fixture
def team_support(db):
    return TeamFactory(name="Support")


@pytest.fixture
def team_billing(db):
    return TeamFactory(name="Billing")


@pytest.fixture
def agent_alice(team_support):
    user = UserFactory(username="alice", first_name="Alice", last_name="Agent")
    team_support.members.add(user)
    return user


@pytest.fixture
def agent_bob_same_team(team_support):
    user = UserFactory(username="bob", first_name="Bob")
    team_support.members.add(user)
    return user


@pytest.fixture
def agent_carl_other_team(team_billing):
    user = UserFactory(username="carl", first_name="Carl")
    team_billing.members.add(user)
    return user


@pytest.fixture
def light_agent(team_support):
    user = UserFactory(username="lena", first_name="Lena", role=Role.LIGHT_AGENT)
    team_support.members.add(user)
    return user


@pytest.fixture
def customer_dana(db):
    user = UserFactory(username="dana", first_name="Dana", role=Role.CUSTOMER)
    customer = CustomerFactory(name="Dana Customer", user=user)
    IdentityFactory(customer=customer, address="dana@example.org")
    return customer


@pytest.fixture
def customer_eve(db):
    user = UserFactory(username="eve", first_name="Eve", role=Role.CUSTOMER)
    customer = CustomerFactory(name="Eve Customer", user=user)
    IdentityFactory(customer=customer, address="eve@example.org")
    return customer


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates with a real DRF token."""

    class Client(APIClient):
        def as_user(self, user):
            token, _ = Token.objects.get_or_create(user=user)
            self.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            return self

    return Client()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox(MessageHandler):
    """Collects delivered mail; set `reject_rcpt` (e.g. "550 No such user") to refuse recipients."""

    def __init__(self):
        super().__init__()
        self.messages = []
        self.reject_rcpt = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt:
            return self.reject_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on localhost; Django's SMTP backend is pointed at it."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def captured_events(monkeypatch):
    """Every realtime event published (after commit) during the test, as (groups, event)."""
    from helpdesk import realtime

    sent: list = []
    monkeypatch.setattr(
        realtime, "send_many", lambda items: sent.extend((g, event) for groups, event in items for g in groups)
    )
    return sent


_ids = itertools.count(1)


@pytest.fixture
def make_ticket(admin_ada):
    """make_ticket(team=..., sender=..., subject=...) -> a new e-mail ticket, optionally routed to a team."""

    def make(*, team=None, sender="pat@example.org", subject="Printer on fire", text="It is on fire."):
        message = InboundMessage(
            channel=Channel.EMAIL,
            external_id=f"<api-{next(_ids)}@example.org>",
            sender_address=sender,
            sender_name="Pat Doe",
            subject=subject,
            text=text,
        )
        ticket = ingest(message).ticket
        if team is not None:
            update_ticket(ticket=ticket, by=admin_ada, team=team)
            ticket.refresh_from_db()
        return ticket

    return make


@pytest.fixture
def support_ticket(make_ticket, team_support):
    """Support's ticket: alice, bob and lena see it; carl (Billing) must not."""
    return make_ticket(team=team_support, subject="Printer on fire")
