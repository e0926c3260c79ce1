import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

SUBMISSION = "6f1c1e8e-3c55-4d0b-9a59-2b7a1d8f0a11"


def post(client, **extra):
    data = {
        "name": "Pat Doe",
        "email": "Pat@Example.org",
        "subject": "Invoice missing",
        "message": "Where is it?",
        "submission_id": SUBMISSION,
        "website": "",
    }
    return client.post(reverse("webform:contact"), {**data, **extra})


def test_form_renders_with_csrf(client):
    response = client.get(reverse("webform:contact"))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content


def test_submission_creates_a_ticket(client):
    response = post(client, attachments=[SimpleUploadedFile("a.txt", b"hello", "text/plain")])
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.subject, ticket.customer.name) == ("webform", "Invoice missing", "Pat Doe")
    assert ticket.messages.get().attachments.get().file.read() == b"hello"
    thanks = client.get(response["Location"])
    assert f"#{ticket.pk}".encode() in thanks.content


def test_double_submit_gives_one_ticket(client):
    post(client)
    post(client)
    assert Message.objects.count() == 1


def test_invalid_input_is_a_form_error_not_a_500(client):
    response = post(client, email="nope", subject="")
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert not Ticket.objects.exists()


def test_oversized_attachment_is_refused_with_the_limit_and_message_kept(client, settings):
    settings.MAX_ATTACHMENT_BYTES = 4
    response = post(client, attachments=[SimpleUploadedFile("big.pdf", b"0123456789", "application/pdf")])
    page = client.get(response["Location"])
    assert "over the 4\xa0bytes limit" in page.content.decode()
    attachment = Message.objects.get().attachments.get()
    assert attachment.refused_reason and not attachment.file


def test_honeypot_drops_bots(client):
    post(client, website="http://spam.example")
    assert not Ticket.objects.exists()


def test_rate_limit_per_ip(client, settings):
    settings.WEBFORM_MAX_PER_HOUR = 1
    assert post(client).status_code == 302
    response = post(client, submission_id="0e4a4ea0-8a9e-4a38-9d35-0d6e3f1b1a2c")
    assert response.status_code == 429
    assert b"Too many messages" in response.content
    assert Ticket.objects.count() == 1
