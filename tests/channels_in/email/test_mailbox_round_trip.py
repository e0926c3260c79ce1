"""The e-mail channel end to end, on real servers: an admin connects a mailbox (dovecot), mail
becomes a ticket, the agent's answer leaves over SMTP (aiosmtpd), and the customer's reply, written
the way Gmail writes replies, threads back onto the same ticket."""

import pytest
from django.urls import reverse

from channels_in.email.models import Mailbox, Security
from channels_in.email.poller import poll_mailbox
from tickets.models import Direction, Message, Status, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = b"""\
From: Pat Doe <pat@example.org>\r
To: ACME Support <support@helpdesk.test>\r
Subject: Invoice 2291 charged twice\r
Date: Mon, 24 Nov 2026 09:12:00 +0100\r
Message-ID: <CAPat001@mail.gmail.com>\r
MIME-Version: 1.0\r
Content-Type: text/plain; charset="UTF-8"\r
\r
Hello,\r
\r
my card was charged twice for invoice 2291. Could you refund one of them?\r
\r
Thanks,\r
Pat\r
"""


def gmail_reply(*, to_message_id: str, references: str, subject: str, quoted: str) -> bytes:
    quote = "\r\n".join(f"> {line}" if line else ">" for line in quoted.splitlines())
    return (
        "From: Pat Doe <pat@example.org>\r\n"
        "To: ACME Support <support@helpdesk.test>\r\n"
        f"Subject: Re: {subject}\r\n"
        "Date: Mon, 24 Nov 2026 15:40:00 +0100\r\n"
        "Message-ID: <CAPat002@mail.gmail.com>\r\n"
        f"In-Reply-To: {to_message_id}\r\n"
        f"References: {references} {to_message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="UTF-8"\r\n'
        "\r\n"
        "Great, thank you! The refund arrived.\r\n"
        "\r\n"
        "On Mon, Nov 24, 2026 at 2:05 PM ACME Support <support@helpdesk.test> wrote:\r\n"
        f"{quote}\r\n"
    ).encode()


def test_mailbox_to_ticket_to_answer_and_back(
    client, admin_ada, agent_alice, team_support, imap_server, imap, smtp_server
):
    client.force_login(admin_ada)
    form = {
        "name": "Support",
        "address": "support@helpdesk.test",
        "team": team_support.pk,
        "active": "on",
        "host": imap_server.host,
        "port": imap_server.port,
        "security": Security.NONE,
        "username": imap_server.user,
        "password": imap_server.password,
        "folder": "INBOX",
        "after_processing": "seen",
        "acknowledge": "",
        "from_name": "ACME Support",
        "smtp_port": 587,
        "smtp_security": Security.STARTTLS,
    }
    assert client.post(reverse("admin:channels_in_mailbox_add"), form).status_code == 302
    mailbox = Mailbox.objects.get()

    imap.append("INBOX", FIRST)
    assert poll_mailbox(mailbox.pk).ingested == 1
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.team, ticket.customer.name) == (
        "Invoice 2291 charged twice",
        team_support,
        "Pat Doe",
    )

    client.force_login(agent_alice)
    answer = "Hello Pat,\n\nsorry about that: we refunded the second charge today.\n\nAlice"
    response = client.post(reverse("tickets:reply", args=[ticket.pk]), {"text": answer, "status": "pending"})
    assert response.status_code == 302
    (sent,) = smtp_server.messages
    assert sent["From"] == "ACME Support <support@helpdesk.test>"
    assert sent["To"] == "pat@example.org"
    assert sent["In-Reply-To"] == "<CAPat001@mail.gmail.com>"
    assert f"[#{ticket.pk}]" in sent["Subject"]

    imap.append(
        "INBOX",
        gmail_reply(
            to_message_id=sent["Message-ID"],
            references="<CAPat001@mail.gmail.com>",
            subject=sent["Subject"],
            quoted=answer,
        ),
    )
    assert poll_mailbox(mailbox.pk).ingested == 1

    assert Ticket.objects.count() == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # the customer answered a pending ticket
    reply = Message.objects.filter(direction=Direction.IN).latest("created_at")
    assert reply.ticket_id == ticket.pk
    assert reply.body_text.strip() == "Great, thank you! The refund arrived."
    assert "we refunded the second charge today" in reply.body_quoted
