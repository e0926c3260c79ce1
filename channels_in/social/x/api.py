"""The tweepy client shared by the poller and the sender, with the timeout tweepy does not set."""

import requests
import tweepy

from channels_in.social.x.models import XAccount

# Seconds X may take to connect and to answer; a hung request would otherwise hold a worker forever.
TIMEOUT = (5, 30)


class _Session(requests.Session):
    def request(self, method, url, *args, timeout=TIMEOUT, **kwargs):
        return super().request(method, url, *args, timeout=timeout, **kwargs)


def client_for(account: XAccount) -> tweepy.Client:
    """A v2 client answering raw `requests` responses, so the rate-limit headers can be read."""
    client = tweepy.Client(
        bearer_token=account.secret("bearer_token") or None,
        consumer_key=account.secret("consumer_key") or None,
        consumer_secret=account.secret("consumer_secret") or None,
        access_token=account.secret("access_token") or None,
        access_token_secret=account.secret("access_token_secret") or None,
        return_type=requests.Response,
    )
    client.session = _Session()
    return client


def describe(exc: Exception) -> str:
    """X's own words for a failed request (e.g. "You are not allowed to create a Tweet with duplicate
    content."), else the exception's."""
    if isinstance(exc, tweepy.HTTPException) and exc.api_messages:
        return "; ".join(str(message) for message in exc.api_messages)
    return f"{type(exc).__name__}: {exc}"
