from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from channels_in.social.x import poller
from channels_in.social.x.models import XAccount, XSearch
from channels_in.social.x.poller import poll_account
from channels_in.social.x.tasks import poll_x_accounts_task
from tests.channels_in.social.x.fake_x import API, OUR_ID, fixture
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

MENTIONS = f"/users/{OUR_ID}/mentions"
PHOTO = "https://pbs.twimg.com/media/GNgE1xXWsAAl2Zq.jpg"


def test_mentions_become_tickets_with_public_meta(
    account, x_api, http, team_support, django_capture_on_commit_callbacks
):
    x_api.mentions = fixture("mentions.json")
    http.add(responses.GET, PHOTO, body=b"\xff\xd8jpeg", content_type="image/jpeg")

    with django_capture_on_commit_callbacks(execute=True):
        result = poll_account(account.pk)

    assert (result.ingested, result.requests) == (3, 2)  # mentions and DMs; the retweet left out
    (call,) = x_api.requests_to(MENTIONS)
    assert "since_id" not in call and call["max_results"] == "100"
    assert "author_id" in call["expansions"] and "conversation_id" in call["tweet.fields"]
    # One ticket per author in a public thread: two people there are two customers.
    dana = Ticket.objects.get(conversation_id="1790000000000000101:2244994945")
    assert dana.team == team_support and dana.channel == "x"
    first, follow_up = dana.messages.order_by("created_at")
    assert first.body_text.startswith("@AcmeSupport my order #4411")
    assert follow_up.external_id == "1790000000000000103"  # her reply to her own post threads on
    assert first.address == "2244994945" and first.channel_address == OUR_ID
    assert first.author_customer.name == "@danak (Dana Kowalski)"
    assert first.meta == {
        "public": True,
        "url": "https://x.com/danak/status/1790000000000000101",
        "username": "danak",
        "listening": False,
    }
    (photo,) = follow_up.attachments.all()
    assert photo.filename == "GNgE1xXWsAAl2Zq.jpg" and photo.content_type == "image/jpeg"
    assert (
        Ticket.objects.get(conversation_id__startswith="1790000000000000102:").messages.get().meta["username"]
        == "sam_lee"
    )
    account.refresh_from_db()
    assert account.mentions_since_id == "1790000000000000103" and account.last_error == ""


def test_second_poll_waits_for_the_interval_then_asks_only_for_newer_posts(account, x_api, make_due):
    x_api.mentions = fixture("mentions.json")
    poll_account(account.pk)

    assert poll_account(account.pk).skipped  # not due yet: no request at all
    assert len(x_api.requests_to(MENTIONS)) == 1
    make_due(account)
    result = poll_account(account.pk)

    assert result.fetched == 0 and result.requests == 2
    assert x_api.requests_to(MENTIONS)[-1]["since_id"] == "1790000000000000103"
    assert Message.objects.count() == 3


def test_crash_after_the_first_page_then_a_new_poll_stores_everything_once(account, x_api, make_due, monkeypatch):
    x_api.mentions = fixture("mentions.json")
    XAccount.objects.filter(pk=account.pk).update(mentions_since_id="1790000000000000099")
    monkeypatch.setattr(poller, "PAGE_SIZE", 2)
    real_ingest, calls = poller.ingest_many, []

    def crash_on_second_page(msgs):
        calls.append(msgs)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_ingest(msgs)

    monkeypatch.setattr(poller, "ingest_many", crash_on_second_page)
    with pytest.raises(RuntimeError):
        poll_account(account.pk)

    account.refresh_from_db()
    assert account.mentions_since_id == "1790000000000000101"  # the oldest page is stored: moved past it
    assert "worker killed" in account.last_error
    assert list(Message.objects.values_list("external_id", flat=True)) == ["1790000000000000101"]

    monkeypatch.setattr(poller, "ingest_many", real_ingest)
    make_due(account)
    poll_account(account.pk)

    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "1790000000000000101",
        "1790000000000000102",
        "1790000000000000103",
    ]
    assert x_api.requests_to(MENTIONS)[-1]["since_id"] == "1790000000000000101"


def test_a_backlog_longer_than_one_poll_is_read_over_several_polls(account, x_api, make_due, monkeypatch):
    x_api.mentions = fixture("mentions.json")
    XAccount.objects.filter(pk=account.pk).update(mentions_since_id="1790000000000000099")
    monkeypatch.setattr(poller, "PAGE_SIZE", 2)
    monkeypatch.setattr(poller, "MAX_PAGES", 1)

    poll_account(account.pk)
    account.refresh_from_db()
    assert account.mentions_since_id == "1790000000000000099"  # older posts still to read
    assert (account.mentions_resume_token, account.mentions_walk_newest_id) == ("2", "1790000000000000103")

    make_due(account)
    poll_account(account.pk)
    account.refresh_from_db()

    last = x_api.requests_to(MENTIONS)[-1]
    assert (last["pagination_token"], last["since_id"]) == ("2", "1790000000000000099")
    assert account.mentions_since_id == "1790000000000000103" and account.mentions_resume_token == ""
    assert Message.objects.count() == 3


def test_dms_land_as_non_public_on_a_dm_conversation(account, x_api, http):
    x_api.dm_events = fixture("dm_events.json")

    poll_account(account.pk)

    message = Message.objects.get()  # our own DM and the "joined" event are left out
    assert message.external_id == "dm:1790000000000000501"
    assert message.ticket.conversation_id == "dm:1500000000000000001-2244994945"
    assert message.meta == {"public": False, "username": "danak", "listening": False}
    assert message.author_customer.name == "@danak (Dana Kowalski)"
    dm_call = next(c for c in http.calls if "/dm_events" in c.request.url)
    mentions_call = next(c for c in http.calls if "/mentions" in c.request.url)
    assert dm_call.request.headers["Authorization"].startswith("OAuth ")  # DMs need the user's context
    assert mentions_call.request.headers["Authorization"] == "Bearer app-bearer-token"
    account.refresh_from_db()
    assert account.dm_since_id == "1790000000000000502"


def test_rate_limit_sets_backoff_and_nothing_is_asked_before_it_ends(account, http, make_due):
    reset = int((timezone.now() + timedelta(minutes=14)).timestamp())
    http.add(
        responses.GET,
        f"{API}{MENTIONS}",
        status=429,
        json={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        headers={"x-rate-limit-limit": "10", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )

    result = poll_account(account.pk)

    account.refresh_from_db()
    assert int(account.backoff_until.timestamp()) == reset == int(result.rate_limited_until.timestamp())
    assert "Rate limited" in account.last_error
    assert len(http.calls) == 1  # the other streams wait too
    make_due(account)
    assert poll_account(account.pk).skipped
    assert poll_x_accounts_task()["polled"] == 0
    assert len(http.calls) == 1

    XAccount.objects.filter(pk=account.pk).update(backoff_until=timezone.now() - timedelta(seconds=1))
    http.replace(responses.GET, f"{API}{MENTIONS}", json={"meta": {"result_count": 0}})
    http.add(responses.GET, f"{API}/dm_events", json={"meta": {"result_count": 0}})
    assert poll_x_accounts_task()["polled"] == 1
    account.refresh_from_db()
    assert account.backoff_until is None and account.last_error == ""


def test_an_exhausted_quota_stops_the_poll_before_x_has_to_refuse(account, http):
    reset = int((timezone.now() + timedelta(minutes=9)).timestamp())
    http.add(
        responses.GET,
        f"{API}{MENTIONS}",
        json={"meta": {"result_count": 0}},
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )

    poll_account(account.pk)

    account.refresh_from_db()
    assert int(account.backoff_until.timestamp()) == reset
    assert len(http.calls) == 1


def test_keyword_search_hit_becomes_a_listening_ticket(account, x_api, team_billing):
    x_api.search = fixture("search.json")
    search = XSearch.objects.create(account=account, query="acme kettle -is:retweet", team=team_billing)

    poll_account(account.pk)

    (call,) = x_api.requests_to("/tweets/search/recent")
    assert call["query"] == "acme kettle -is:retweet" and "since_id" not in call
    message = Message.objects.get()  # our own post in the results is left out
    assert message.external_id == "1790000000000000701"
    assert message.meta["listening"] is True and message.meta["public"] is True
    assert message.ticket.team == team_billing
    search.refresh_from_db()
    assert search.since_id == "1790000000000000701"


def test_an_api_error_on_one_stream_is_recorded_and_the_others_go_on(account, x_api, http):
    x_api.search = fixture("search.json")
    XSearch.objects.create(account=account, query="acme kettle")
    http.replace(
        responses.GET,
        f"{API}/dm_events",
        status=403,
        json={"title": "Unsupported Authentication", "detail": "Your client app is not permitted to read DMs."},
    )

    poll_account(account.pk)

    account.refresh_from_db()
    assert "direct messages: Your client app is not permitted to read DMs." in account.last_error
    assert Message.objects.filter(external_id="1790000000000000701").exists()


def test_an_account_without_credentials_is_skipped_without_any_request(http):
    account = XAccount.objects.create(handle="Quiet", user_id="42")

    result = poll_account(account.pk)

    assert result.skipped and len(http.calls) == 0
    account.refresh_from_db()
    assert "No credentials" in account.last_error


def test_nothing_configured_means_no_account_and_no_request(db, http):
    assert poll_x_accounts_task() == {"polled": 0, "errors": 0, "ingested": 0}
    assert not XAccount.objects.exists() and len(http.calls) == 0


def test_the_environment_describes_a_single_account(x_settings, x_api, http):
    x_settings.X_USER_ID, x_settings.X_HANDLE, x_settings.X_BEARER_TOKEN = OUR_ID, "AcmeSupport", "env-bearer"
    x_api.mentions = fixture("mentions.json")

    assert poll_x_accounts_task()["ingested"] == 3

    account = XAccount.objects.get()
    assert (account.handle, account.bearer_token) == ("AcmeSupport", "")  # the secret stays in the environment
    assert http.calls[0].request.headers["Authorization"] == "Bearer env-bearer"
    assert len(http.calls) == 1  # no OAuth 1.0a keys: no DM request


def test_a_poll_interval_below_the_plan_floor_is_not_used(account, x_settings):
    XAccount.objects.filter(pk=account.pk).update(poll_interval=5)
    x_settings.X_MIN_POLL_INTERVAL = 90
    account.refresh_from_db()

    assert account.interval == 90
    with pytest.raises(Exception, match="At least 90 seconds"):
        account.full_clean()


def test_one_failing_account_does_not_stop_the_others(account, x_api, monkeypatch):
    other = XAccount.objects.create(handle="Other", user_id="77", bearer_token="t")
    real = poller.poll_account

    def poll(account_id):
        if account_id == other.pk:
            raise ConnectionError("database gone")
        return real(account_id)

    monkeypatch.setattr("channels_in.social.x.tasks.poll_account", poll)
    x_api.mentions = fixture("mentions.json")

    assert poll_x_accounts_task() == {"polled": 1, "errors": 1, "ingested": 3}
