"""Fixtures for Messenger and Instagram: one app and page from the environment, Meta's HTTP mocked."""

import pytest
import responses

from tests.channels_in.social.meta.helpers import APP_SECRET, INSTAGRAM_ID, PAGE_ID, PAGE_TOKEN, VERIFY_TOKEN


@pytest.fixture(autouse=True)
def meta_settings(settings):
    settings.META_APP_SECRET = APP_SECRET
    settings.META_VERIFY_TOKEN = VERIFY_TOKEN
    settings.META_PAGE_ID = PAGE_ID
    settings.META_PAGE_TOKEN = PAGE_TOKEN
    settings.META_INSTAGRAM_ID = INSTAGRAM_ID
    settings.META_GRAPH_URL = "https://graph.facebook.com/v21.0"
    return settings


@pytest.fixture
def graph():
    """Meta's HTTP APIs (Graph and CDN), mocked at the HTTP boundary; anything unmocked fails."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
