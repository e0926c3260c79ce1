import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets.models import Channel, Direction, Status, TicketEvent
from tickets.services import reply, update_ticket

pytestmark = pytest.mark.django_db


def _reply(client, ticket, text="Still broken", **extra):
    data = {"text": text, "submission_id": str(uuid.uuid4())} | extra
    return client.post(reverse("portal:reply", args=[ticket.pk]), data)


def test_a_portal_reply_threads_onto_the_ticket_like_a_customer_mail(client, customer_dana, dana_ticket, agent_alice):
    reply(ticket=dana_ticket, author=agent_alice, text="Did you unplug it?", status=Status.PENDING)
    client.force_login(customer_dana.user)

    response = _reply(client, dana_ticket, "Yes, still smoking", attachments=SimpleUploadedFile("smoke.jpg", b"JPEG"))
    dana_ticket.refresh_from_db()
    message = dana_ticket.messages.order_by("-id").first()
    assert response.status_code == 302 and response.url.endswith(f"/portal/requests/{dana_ticket.pk}/#m{message.pk}")
    assert (message.direction, message.channel) == (Direction.IN, Channel.WEBFORM)
    assert message.body_text == "Yes, still smoking"
    assert (message.author_customer, message.address) == (customer_dana, "dana@example.org")
    assert [a.filename for a in message.attachments.all()] == ["smoke.jpg"]
    # The customer answered: the ticket is back with the agents, as after a mail.
    assert dana_ticket.status == Status.OPEN
    assert dana_ticket.events.filter(kind=TicketEvent.Kind.STATUS_CHANGED, data__reason="customer replied").exists()
    page = client.get(reverse("portal:ticket", args=[dana_ticket.pk])).content.decode()
    assert "Yes, still smoking" in page and "smoke.jpg" in page


def test_a_double_submit_gives_one_message(client, customer_dana, dana_ticket):
    client.force_login(customer_dana.user)
    submission = str(uuid.uuid4())
    _reply(client, dana_ticket, "Once", submission_id=submission)
    _reply(client, dana_ticket, "Once", submission_id=submission)
    assert dana_ticket.messages.filter(body_text="Once").count() == 1


def test_an_oversized_file_is_refused_but_the_reply_kept(client, settings, customer_dana, dana_ticket):
    settings.MAX_ATTACHMENT_BYTES = 10
    client.force_login(customer_dana.user)
    response = _reply(client, dana_ticket, "See file", attachments=SimpleUploadedFile("big.bin", b"x" * 50))
    assert response.status_code == 302
    attachment = dana_ticket.messages.get(body_text="See file").attachments.get()
    assert attachment.refused_reason and not attachment.file
    page = client.get(response.url).content.decode()
    assert "big.bin" in page and "over the" in page


def test_an_empty_reply_is_a_form_error(client, customer_dana, dana_ticket):
    client.force_login(customer_dana.user)
    response = _reply(client, dana_ticket, "")
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(client, customer_dana, dana_ticket, admin_ada):
    update_ticket(ticket=dana_ticket, by=admin_ada, status=Status.CLOSED)
    client.force_login(customer_dana.user)
    response = _reply(client, dana_ticket, "It is back")
    follow_up = customer_dana.tickets.get(follow_up_of=dana_ticket)
    assert response.url.startswith(reverse("portal:ticket", args=[follow_up.pk]))
    assert follow_up.messages.get().body_text == "It is back"


def test_the_customer_marks_their_ticket_solved(
    client, customer_dana, dana_ticket, captured_events, django_capture_on_commit_callbacks
):
    client.force_login(customer_dana.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:solve", args=[dana_ticket.pk]))
    assert response.status_code == 302
    dana_ticket.refresh_from_db()
    assert dana_ticket.status == Status.SOLVED and dana_ticket.solved_at
    event = dana_ticket.events.get(kind=TicketEvent.Kind.STATUS_CHANGED)
    assert event.actor is None and event.data == {"from": "new", "to": "solved", "reason": "solved by the customer"}
    assert ("agents", "ticket.updated") in [(group, e["type"]) for group, e in captured_events]
    # A second click changes nothing.
    client.post(reverse("portal:solve", args=[dana_ticket.pk]))
    assert dana_ticket.events.filter(kind=TicketEvent.Kind.STATUS_CHANGED).count() == 1
    assert "Mark as solved" not in client.get(reverse("portal:ticket", args=[dana_ticket.pk])).content.decode()


def test_a_merged_ticket_leads_to_the_one_it_was_merged_into(client, customer_dana, dana_ticket, write_in, admin_ada):
    from tickets.services import merge_tickets

    other = write_in("dana@example.org", subject="Same problem")
    merge_tickets(source=other, target=dana_ticket, by=admin_ada)
    client.force_login(customer_dana.user)
    response = client.get(reverse("portal:ticket", args=[other.pk]))
    assert response.url == reverse("portal:ticket", args=[dana_ticket.pk])
    assert "Same problem" not in client.get(reverse("portal:requests")).content.decode()


def test_replies_come_from_the_address_the_customer_signed_in_with(client, customer_dana, dana_ticket):
    from customers.services import add_identity
    from tests.customers.portal.conftest import link_path

    add_identity(customer=customer_dana, kind="email", address="dana.work@example.org")
    client.post(reverse("portal:login"), {"email": "dana.work@example.org"})
    client.post(link_path())
    _reply(client, dana_ticket, "From work")
    assert dana_ticket.messages.get(body_text="From work").address == "dana.work@example.org"
