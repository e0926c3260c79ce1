import pytest
import responses

from channels_in.base import SendError
from channels_in.social.x.admin import XAccountForm
from channels_in.social.x.media import fetch
from channels_in.social.x.outbound import weighted_length
from channels_in.social.x.poller import poll_account
from tests.channels_in.social.x.fake_x import API, fixture
from tickets.inbound import RemoteMedia
from tickets.models import DeliveryStatus, Ticket
from tickets.services import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_ticket(account, x_api):
    x_api.mentions = fixture("mentions.json")
    x_api.mentions["includes"].pop("media")  # no photo to download here
    poll_account(account.pk)
    return Ticket.objects.get(conversation_id__startswith="1790000000000000102:")


@pytest.fixture
def dm_ticket(account, x_api):
    x_api.dm_events = fixture("dm_events.json")
    poll_account(account.pk)
    return Ticket.objects.get()


def _reply(ticket, author, text, capture):
    with capture(execute=True):
        message = reply(ticket=ticket, author=author, text=text)
    message.refresh_from_db()
    return message


def test_reply_to_a_public_mention_is_a_reply_post(
    public_ticket, agent_alice, x_api, http, django_capture_on_commit_callbacks
):
    message = _reply(public_ticket, agent_alice, "Sorry Sam! We're on it.", django_capture_on_commit_callbacks)

    assert x_api.posted == [
        {"text": "Sorry Sam! We're on it.", "reply": {"in_reply_to_tweet_id": "1790000000000000102"}}
    ]
    assert http.calls[-1].request.headers["Authorization"].startswith("OAuth ")
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.external_id == "1790000000000009001"
    assert message.meta == {"public": True, "in_reply_to": "1790000000000000102"}


def test_reply_to_a_dm_goes_as_a_dm(dm_ticket, agent_alice, x_api, django_capture_on_commit_callbacks):
    message = _reply(dm_ticket, agent_alice, "Thanks Dana, found it.", django_capture_on_commit_callbacks)

    assert x_api.posted == [{"to": "2244994945", "text": "Thanks Dana, found it."}]
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.external_id == "dm:1790000000000009501"
    assert message.meta == {"public": False}


def test_an_overlong_public_reply_is_refused_with_the_reason(
    public_ticket, agent_alice, x_api, django_capture_on_commit_callbacks
):
    message = _reply(public_ticket, agent_alice, "x" * 281, django_capture_on_commit_callbacks)

    assert message.delivery_status == DeliveryStatus.FAILED
    assert "at most 280 characters; this one counts 281" in message.delivery_error
    assert x_api.posted == []


def test_x_counts_links_as_23_and_wide_characters_twice():
    assert weighted_length("see https://example.org/a/very/long/path/that/goes/on") == 4 + 23
    assert weighted_length("日本語") == 6
    assert weighted_length("café") == 4


def test_x_refusing_a_post_fails_it_with_x_reason(public_ticket, agent_alice, http, django_capture_on_commit_callbacks):
    http.replace(
        responses.POST,
        f"{API}/tweets",
        status=403,
        json={"detail": "You are not allowed to create a Tweet with duplicate content.", "status": 403},
    )

    message = _reply(public_ticket, agent_alice, "Hello again", django_capture_on_commit_callbacks)

    assert message.delivery_status == DeliveryStatus.FAILED
    assert (
        message.delivery_error == "X refused the reply: You are not allowed to create a Tweet with duplicate content."
    )


@pytest.mark.parametrize("status", [429, 503])
def test_rate_limits_and_outages_are_retried(
    status, public_ticket, agent_alice, http, django_capture_on_commit_callbacks
):
    http.replace(responses.POST, f"{API}/tweets", status=status, json={"title": "Service Unavailable"})

    message = _reply(public_ticket, agent_alice, "Hello", django_capture_on_commit_callbacks)

    assert message.delivery_status == DeliveryStatus.RETRYING


def test_photo_is_fetched_without_credentials(http):
    url = "https://pbs.twimg.com/media/GNgE1xXWsAAl2Zq.jpg"
    http.add(responses.GET, url, body=b"\xff\xd8jpeg", content_type="image/jpeg")

    assert fetch(RemoteMedia(url)) == (b"\xff\xd8jpeg", "image/jpeg")
    assert "Authorization" not in http.calls[0].request.headers


@pytest.mark.parametrize(("status", "permanent"), [(404, True), (503, False)])
def test_a_photo_that_is_gone_is_not_retried_an_outage_is(status, permanent, http):
    url = "https://pbs.twimg.com/media/gone.jpg"
    http.add(responses.GET, url, status=status)

    with pytest.raises(SendError) as error:
        fetch(RemoteMedia(url))
    assert error.value.permanent is permanent


def test_only_x_media_urls_are_fetched(http):
    with pytest.raises(SendError, match="not an X media URL") as error:
        fetch(RemoteMedia("http://169.254.169.254/latest/meta-data"))
    assert error.value.permanent and len(http.calls) == 0


def test_admin_never_shows_secrets_and_keeps_them_when_left_empty(account):
    form = XAccountForm(instance=account)
    assert "app-bearer-token" not in str(form["bearer_token"])

    data = {"handle": "AcmeHelp", "user_id": account.user_id, "poll_interval": 300, "active": "on"}
    form = XAccountForm(data={**data, "access_token": "new-token"}, instance=account)
    assert form.is_valid(), form.errors
    form.save()
    account.refresh_from_db()

    assert (account.bearer_token, account.access_token, account.handle) == ("app-bearer-token", "new-token", "AcmeHelp")
