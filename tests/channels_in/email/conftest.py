"""Fixtures for the e-mail channel: a real IMAP server (dovecot) shared by the test session."""

from collections.abc import Iterator

import pytest
from imapclient import IMAPClient

from tests.channels_in.email.imap_server import ImapServer, dovecot_binary, reset, run_dovecot


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    """One dovecot per test session (per xdist worker); skipped when dovecot is not installed."""
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("IMAP tests need dovecot: apt-get install dovecot-imapd")
    with run_dovecot(binary) as server:
        yield server


@pytest.fixture
def imap(imap_server: ImapServer) -> Iterator[IMAPClient]:
    """A logged-in client on an emptied account, for putting mail in and checking what the poller did."""
    client = imap_server.connect()
    reset(client)
    yield client
    client.logout()
