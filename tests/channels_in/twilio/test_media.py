"""Downloading a customer's MMS/WhatsApp media: which failures are final and which are retried."""

import pytest
import requests

from channels_in.base import SendError
from channels_in.twilio.media import fetch
from tests.channels_in.twilio.conftest import ACCOUNT_SID, load
from tickets.inbound import RemoteMedia

pytestmark = pytest.mark.django_db

URL = load("mms.json")["MediaUrl0"]


def test_a_deleted_media_file_is_not_retried(twilio_account, http):
    http.get(URL, status=404, json={"code": 20404, "message": "The requested resource was not found"})

    with pytest.raises(SendError, match="HTTP 404") as error:
        fetch(RemoteMedia(URL, "image/jpeg", "MMS-1.jpg"))

    assert error.value.permanent


@pytest.mark.parametrize("failure", [503, requests.exceptions.ConnectTimeout("connect timed out")])
def test_an_outage_or_timeout_is_retried(twilio_account, http, failure):
    if isinstance(failure, int):
        http.get(URL, status=failure)
    else:
        http.get(URL, body=failure)

    with pytest.raises(SendError) as error:
        fetch(RemoteMedia(URL, "image/jpeg", "MMS-1.jpg"))

    assert not error.value.permanent


def test_credentials_go_only_to_twilio(twilio_account, http):
    elsewhere = f"https://media.example.net/Accounts/{ACCOUNT_SID}/pic.jpg"
    http.get(elsewhere, body=b"jpeg", content_type="image/jpeg")

    assert fetch(RemoteMedia(elsewhere, "image/jpeg", "pic.jpg")) == (b"jpeg", "image/jpeg")

    assert "Authorization" not in http.calls[0].request.headers
