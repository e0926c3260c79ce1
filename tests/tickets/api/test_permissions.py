"""Who may call what: customers and anonymous get nothing, other teams get 404, light agents read and note."""

import pytest

from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoints(support_ticket, customer_eve):
    """Every endpoint of the API, with a body good enough to succeed for an agent who may call it."""
    n, c = support_ticket.number, customer_eve.pk
    other = TicketFactory(team=support_ticket.team)
    return [
        ("get", "/api/v1/tickets/", None),
        ("post", "/api/v1/tickets/", {"customer_email": "x@example.org", "text": "hi"}),
        ("get", f"/api/v1/tickets/{n}/", None),
        ("patch", f"/api/v1/tickets/{n}/", {"status": "open"}),
        ("post", f"/api/v1/tickets/{n}/merge/", {"into": other.pk}),
        ("get", f"/api/v1/tickets/{n}/messages/", None),
        ("post", f"/api/v1/tickets/{n}/reply/", {"text": "hi"}),
        ("post", f"/api/v1/tickets/{n}/notes/", {"text": "hi"}),
        ("get", f"/api/v1/tickets/{n}/attachments/1/", None),
        ("get", "/api/v1/teams/", None),
        ("get", "/api/v1/agents/", None),
        ("get", "/api/v1/customers/", None),
        ("get", f"/api/v1/customers/{c}/", None),
        ("post", f"/api/v1/customers/{c}/merge/", {"into": support_ticket.customer_id}),
        ("post", f"/api/v1/customers/{c}/identities/", {"kind": "email", "address": "new@example.org"}),
    ]


def call(api, method, url, body):
    return getattr(api, method)(url, body, format="json") if body is not None else getattr(api, method)(url)


def test_anonymous_gets_401_everywhere(api, endpoints):
    for method, url, body in endpoints:
        response = call(api, method, url, body)
        assert response.status_code == 401, (method, url)
        assert response["WWW-Authenticate"] == "Token"


def test_customer_gets_403_everywhere(api, endpoints, customer_dana):
    api.as_user(customer_dana.user)
    for method, url, body in endpoints:
        response = call(api, method, url, body)
        assert response.status_code == 403, (method, url)
        assert response.json() == {"detail": "This endpoint is for helpdesk staff."}


def test_customer_session_login_gets_403_too(client, customer_dana):
    client.force_login(customer_dana.user)
    assert client.get("/api/v1/tickets/").status_code == 403


def test_bad_token_is_a_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/v1/tickets/").status_code == 401


def test_deactivated_agent_is_refused(api, agent_alice):
    api.as_user(agent_alice)
    agent_alice.is_active = False
    agent_alice.save()
    assert api.get("/api/v1/tickets/").status_code == 401


def test_light_agent_reads_and_notes_only(api, endpoints, light_agent):
    api.as_user(light_agent)
    allowed = {(m, u) for m, u, _ in endpoints if m == "get" or u.endswith("/notes/")}
    for method, url, body in endpoints:
        status = call(api, method, url, body).status_code
        if (method, url) in allowed:
            assert status in (200, 201, 404), (method, url)  # 404: the attachment id does not exist
        else:
            assert status == 403, (method, url)


def test_agent_session_login_works_for_reads(client, agent_alice, support_ticket):
    client.force_login(agent_alice)
    assert client.get(f"/api/v1/tickets/{support_ticket.number}/").status_code == 200
