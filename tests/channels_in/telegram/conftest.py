"""The environment's bot (TELEGRAM_BOT_TOKEN) and the Update fixtures, shared by the Telegram tests."""

from pathlib import Path

import pytest
import responses

BOT_ID = 7012345678
TOKEN = f"{BOT_ID}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "s3cret-from-env_0123456789"
API = f"https://api.telegram.org/bot{TOKEN}"
FIXTURES = Path(__file__).parent / "fixtures"


def update(name: str) -> str:
    """A Bot API Update, as Telegram posts it to the webhook."""
    return (FIXTURES / f"{name}.json").read_text()


@pytest.fixture(autouse=True)
def telegram_env(settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.TELEGRAM_API_URL = "https://api.telegram.org"
    settings.PUBLIC_URL = "https://help.example.com"


@pytest.fixture
def telegram_api():
    """Telegram's HTTP API; any call a test did not expect fails it."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
