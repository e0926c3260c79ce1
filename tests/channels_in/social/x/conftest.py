"""Fixtures for X: one account with every credential, X's API mocked; nothing set in the environment."""

import pytest
import responses

from channels_in.social.x.models import XAccount
from tests.channels_in.social.x.fake_x import OUR_ID, FakeX


@pytest.fixture(autouse=True)
def x_settings(settings):
    settings.X_BEARER_TOKEN = settings.X_CONSUMER_KEY = settings.X_CONSUMER_SECRET = ""
    settings.X_ACCESS_TOKEN = settings.X_ACCESS_TOKEN_SECRET = settings.X_USER_ID = settings.X_HANDLE = ""
    settings.X_MIN_POLL_INTERVAL = 60
    return settings


@pytest.fixture
def account(team_support):
    return XAccount.objects.create(
        handle="AcmeSupport",
        user_id=OUR_ID,
        bearer_token="app-bearer-token",
        consumer_key="ck",
        consumer_secret="cs",
        access_token="at",
        access_token_secret="ats",
        team=team_support,
    )


@pytest.fixture
def http():
    """Every HTTP request of the test; anything not mocked fails."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def x_api(http):
    return FakeX(http)


@pytest.fixture
def make_due():
    """The account's interval has passed (tests do not wait for it)."""

    def make(account: XAccount) -> None:
        XAccount.objects.filter(pk=account.pk).update(next_poll_at=None)

    return make
