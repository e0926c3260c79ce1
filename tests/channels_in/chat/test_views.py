"""The widget's HTTP calls (CORS, token, limits) and the agents' accept / transfer / end actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from channels_in.chat import services
from channels_in.chat.models import ChatSession
from tests.channels_in.chat.conftest import SHOP
from tickets.models import Message

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def client():
    return Client()


def upload(client, site, token: str | None, *, content: bytes = b"hello", client_id: str = "f1", origin: str = SHOP):
    headers = {"Origin": origin} | ({"X-Chat-Token": token} if token else {})
    data = {"id": client_id, "file": SimpleUploadedFile("note.txt", content, content_type="text/plain")}
    return client.post(f"/chat/{site.key}/upload/", data, headers=headers)


def test_session_gives_a_token_and_the_sites_configuration_to_an_allowed_origin(client, site):
    response = client.post(
        f"/chat/{site.key}/session/", "{}", content_type="application/json", headers={"Origin": SHOP}
    )

    body = response.json()
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == SHOP
    assert body["visitor"].startswith("v_") and services.visitor_from_token(site, body["token"]) == body["visitor"]
    assert body["config"] == {
        "title": "Acme support",
        "greeting": "Hi! How can we help?",
        "colour": "#2255dd",
        "position": "right",
        "language": "en",
        "prechat": "off",
        "online": False,
        "max_upload_bytes": 10 * 1024 * 1024,
    }
    again = client.post(
        f"/chat/{site.key}/session/",
        {"token": body["token"]},
        content_type="application/json",
        headers={"Origin": SHOP},
    )
    assert again.json()["visitor"] == body["visitor"]


def test_preflight_is_answered_for_allowed_origins_only(client, site):
    allowed = client.options(f"/chat/{site.key}/upload/", headers={"Origin": SHOP})
    foreign = client.options(f"/chat/{site.key}/upload/", headers={"Origin": "https://evil.example"})

    assert allowed.status_code == 204 and allowed["Access-Control-Allow-Origin"] == SHOP
    assert "X-Chat-Token" in allowed["Access-Control-Allow-Headers"]
    assert foreign.status_code == 403 and "Access-Control-Allow-Origin" not in foreign
    assert "Origin" in foreign["Vary"]


def test_a_foreign_origin_gets_no_token_and_no_cors_headers(client, site):
    response = client.post(
        f"/chat/{site.key}/session/", "{}", content_type="application/json", headers={"Origin": "https://evil.example"}
    )

    assert response.status_code == 403 and "Access-Control-Allow-Origin" not in response
    assert "token" not in response.json()


def test_an_unknown_or_inactive_site_is_404(client, site):
    site.active = False
    site.save()

    assert client.post(f"/chat/{site.key}/session/", "{}", content_type="application/json").status_code == 404
    assert client.post("/chat/nope/session/", "{}", content_type="application/json").status_code == 404


def test_new_visitors_are_rate_limited_per_address(client, site, monkeypatch):
    monkeypatch.setattr("channels_in.chat.views.NEW_VISITORS_PER_WINDOW", 2)
    statuses = [
        client.post(f"/chat/{site.key}/session/", "{}", content_type="application/json").status_code for _ in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_an_upload_with_the_visitors_token_is_their_message(client, site, token):
    response = upload(client, site, token)

    message = Message.objects.get()
    assert response.status_code == 200 and response.json() == {"seq": message.pk}
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert message.ticket.channel == "chat" and message.attachments.get().filename == "note.txt"
    assert upload(client, site, token).json() == {"seq": message.pk}  # the same id again: one message
    assert Message.objects.count() == 1


@pytest.mark.parametrize("bad", ["missing", "tampered"])
def test_an_upload_without_a_valid_token_is_refused(client, site, token, bad):
    response = upload(client, site, None if bad == "missing" else token + "x")

    assert response.status_code == 403 and not Message.objects.exists()


def test_an_upload_over_the_limit_is_413_with_a_reason(client, site, token, settings):
    settings.MAX_ATTACHMENT_BYTES = 10

    response = upload(client, site, token, content=b"x" * 11)

    assert response.status_code == 413 and "at most" in response.json()["error"]
    assert not Message.objects.exists()


def test_uploads_are_rate_limited_per_visitor(client, site, token, monkeypatch):
    monkeypatch.setattr("channels_in.chat.views.UPLOADS_PER_WINDOW", 1)

    assert upload(client, site, token, client_id="a").status_code == 200
    assert upload(client, site, token, client_id="b").status_code == 429


@pytest.fixture
def waiting_chat(site, token) -> ChatSession:
    visitor = services.visitor_from_token(site, token)
    return services.post_visitor_message(site=site, visitor=visitor, client_id="1", text="Hi").session


def test_an_agent_accepts_transfers_and_ends_a_chat(client, waiting_chat, agent_alice, agent_bob_same_team):
    client.force_login(agent_alice)

    accepted = client.post(f"/chat/sessions/{waiting_chat.pk}/accept/")
    moved = client.post(f"/chat/sessions/{waiting_chat.pk}/transfer/", {"agent": agent_bob_same_team.pk})
    client.force_login(agent_bob_same_team)
    ended = client.post(f"/chat/sessions/{waiting_chat.pk}/end/")

    assert accepted.json() == {
        "chat": waiting_chat.pk,
        "ticket": waiting_chat.ticket_id,
        "state": "active",
        "agent": "Alice Agent",
        "team": "Support",
    }
    assert moved.json()["agent"] == agent_bob_same_team.display_name
    assert ended.json()["state"] == "ended"


def test_agent_actions_need_the_csrf_token(waiting_chat, agent_alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_alice)

    assert client.post(f"/chat/sessions/{waiting_chat.pk}/accept/").status_code == 403
    assert ChatSession.objects.get().state == "waiting"


def test_agents_of_another_team_and_customers_cannot_take_a_chat(
    client, waiting_chat, agent_carl_other_team, customer_dana
):
    client.force_login(agent_carl_other_team)
    carl = client.post(f"/chat/sessions/{waiting_chat.pk}/accept/")
    client.force_login(customer_dana.user)
    dana = client.post(f"/chat/sessions/{waiting_chat.pk}/accept/")

    assert carl.status_code == 403 and "does not answer chats" in carl.json()["error"]
    assert dana.status_code == 403
    assert ChatSession.objects.get().state == "waiting"


def test_transfer_to_someone_outside_the_team_is_a_400(client, waiting_chat, agent_alice, agent_carl_other_team):
    client.force_login(agent_alice)
    client.post(f"/chat/sessions/{waiting_chat.pk}/accept/")

    response = client.post(f"/chat/sessions/{waiting_chat.pk}/transfer/", {"agent": agent_carl_other_team.pk})

    assert response.status_code == 400 and "not an agent of team Support" in response.json()["error"]
