"""The contract every channel's outbound sender fulfils (see docs/adding-a-channel.md)."""

from abc import ABC, abstractmethod

from django.conf import settings


class SendError(Exception):
    """A send failed. `permanent` errors (bad address, rejected content) are not retried;
    others (timeouts, 5xx, rate limits) are retried with backoff."""

    def __init__(self, reason: str, *, permanent: bool):
        super().__init__(reason)
        self.permanent = permanent


class OutboundSender(ABC):
    """Delivers one outbound tickets.Message on its channel.

    `send` receives a Message whose `address` is the recipient, returns the provider's id for it
    (stored as the message's external id, so replies thread back), and raises SendError on failure.
    It may be called again for the same message after a crash, so it should reuse stable ids
    (e.g. a Message-ID derived from the message's pk) where the provider allows. What agents should
    see about the send (sent as SMS instead, a public post) goes into `message.meta`, which
    tickets.services.deliver() saves with the outcome; a sender never writes the message itself.
    """

    @abstractmethod
    def send(self, message) -> str: ...


def webhook_url(request) -> str:
    """The URL the provider called, as it signed it: PUBLIC_URL + path behind a proxy, else our own."""
    if settings.WEBHOOK_URL_FROM_PUBLIC_URL:
        return settings.PUBLIC_URL + request.get_full_path()
    return request.build_absolute_uri()
