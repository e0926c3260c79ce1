"""Downloading customers' files: which failures are worth retrying, and Telegram's 20 MB limit."""

import pytest
import requests

from channels_in.base import SendError
from channels_in.telegram.media import fetch
from tests.channels_in.telegram.conftest import API, BOT_ID, TOKEN
from tickets.inbound import RemoteMedia

pytestmark = pytest.mark.django_db

DOC = RemoteMedia(f"tg-file:{BOT_ID}:BQACAgIAAxkBAAMTZ0doc", "application/pdf", "invoice-4411.pdf")
FILE_URL = f"https://api.telegram.org/file/bot{TOKEN}/documents/file_3.pdf"


def found(size: int) -> dict:
    return {
        "ok": True,
        "result": {"file_id": "BQACAgIAAxkBAAMTZ0doc", "file_size": size, "file_path": "documents/file_3.pdf"},
    }


def test_a_document_is_downloaded_with_its_declared_type(telegram_api):
    telegram_api.post(f"{API}/getFile", json=found(9))
    telegram_api.get(FILE_URL, body=b"%PDF-1.4\n", content_type="application/octet-stream")

    assert fetch(DOC) == (b"%PDF-1.4\n", "application/pdf")


@pytest.mark.parametrize(
    "too_big",
    [
        {"json": found(21 * 1024 * 1024)},
        {"status": 400, "json": {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}},
    ],
)
def test_a_file_over_the_bot_download_limit_fails_for_good_with_the_reason(telegram_api, too_big):
    telegram_api.post(f"{API}/getFile", **too_big)

    with pytest.raises(SendError, match="larger than the 20 MB") as failed:
        fetch(DOC)
    assert failed.value.permanent


@pytest.mark.parametrize(
    ("answer", "permanent"),
    [
        ({"status": 502, "body": "Bad Gateway"}, False),
        ({"body": requests.ConnectTimeout("timed out")}, False),
        ({"status": 404, "body": "Not Found"}, True),
    ],
)
def test_download_failures(telegram_api, answer, permanent):
    telegram_api.post(f"{API}/getFile", json=found(9))
    telegram_api.get(FILE_URL, **answer)

    with pytest.raises(SendError) as failed:
        fetch(DOC)
    assert failed.value.permanent is permanent
    assert TOKEN not in str(failed.value)


def test_a_file_of_a_bot_no_longer_configured_is_given_up(settings):
    settings.TELEGRAM_BOT_TOKEN = ""

    with pytest.raises(SendError, match="no longer configured") as failed:
        fetch(DOC)
    assert failed.value.permanent
