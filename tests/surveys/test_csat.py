"""CSAT: a solved ticket's customer is asked once, on their channel, and can answer on a public page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from surveys import services
from surveys.models import CsatSurvey
from surveys.tasks import send_csat_task, send_due_csat_task
from tickets.inbound import InboundMessage
from tickets.models import Automatic, Channel, DeliveryStatus, Direction, Status, Ticket
from tickets.services import ingest, reply, update_ticket

pytestmark = pytest.mark.django_db


def customer_writes(channel=Channel.EMAIL, sender="pat@example.org", external_id="<c1@example.org>", **kw):
    return ingest(InboundMessage(channel=channel, external_id=external_id, sender_address=sender, text="Help", **kw))


def solved_ticket(agent, **kw) -> Ticket:
    ticket = customer_writes(**kw).ticket
    reply(ticket=ticket, author=agent, text="Fixed it.", status=Status.SOLVED)
    ticket.refresh_from_db()
    return ticket


def survey_link(survey: CsatSurvey, suffix: str = "") -> str:
    return f"http://127.0.0.1:8000/survey/{survey.token}/{suffix}"


def test_email_ticket_is_surveyed_once_by_mail_with_good_and_bad_links(
    smtp_server, agent_alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = solved_ticket(agent_alice)
    smtp_server.messages.clear()  # the agent's reply

    with django_capture_on_commit_callbacks(execute=True):
        send_due_csat_task()
    send_csat_task(ticket.pk)  # a redelivered task
    send_due_csat_task()  # the next beat run

    (sent,) = smtp_server.messages
    assert sent["To"] == "pat@example.org"
    assert sent["Auto-Submitted"] == "auto-replied"
    body = sent.get_payload()[0].get_payload(decode=True).decode()
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert survey_link(survey, "good/") in body
    assert survey_link(survey, "bad/") in body
    assert survey.channel == Channel.EMAIL
    message = ticket.messages.get(automatic=Automatic.AUTO_REPLY)
    assert message.delivery_status == DeliveryStatus.SENT
    assert CsatSurvey.objects.count() == 1


def test_sms_ticket_is_surveyed_by_sms(settings, agent_alice, django_capture_on_commit_callbacks):
    settings.CSAT_SCALE = "one_to_five"
    ticket = solved_ticket(agent_alice, channel=Channel.SMS, sender="+14155550100", external_id="SM1")

    with django_capture_on_commit_callbacks() as callbacks:
        survey = services.send_csat(ticket_id=ticket.pk)

    assert len(callbacks) == 1  # the send task
    message = ticket.messages.get(automatic=Automatic.AUTO_REPLY)
    assert (message.channel, message.address, message.direction) == (Channel.SMS, "+14155550100", Direction.OUT)
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert survey_link(survey) in message.body_text
    assert "/good/" not in message.body_text


def test_no_survey_when_no_agent_answered(agent_alice):
    ticket = customer_writes().ticket
    update_ticket(ticket=ticket, by=agent_alice, status=Status.SOLVED)

    assert send_due_csat_task() == 0
    assert services.send_csat(ticket_id=ticket.pk) is None
    assert not CsatSurvey.objects.exists()


def test_no_survey_when_the_customers_last_message_was_automatic(agent_alice):
    ticket = solved_ticket(agent_alice)
    customer_writes(external_id="<ooo@example.org>", reply_to_ids=("<c1@example.org>",), automatic=Automatic.AUTO_REPLY)
    update_ticket(ticket=Ticket.objects.get(pk=ticket.pk), by=agent_alice, status=Status.SOLVED)

    assert send_due_csat_task() == 0
    assert services.send_csat(ticket_id=ticket.pk) is None


def test_tickets_solved_long_ago_are_never_surveyed(agent_alice):
    ticket = solved_ticket(agent_alice)
    Ticket.objects.filter(pk=ticket.pk).update(solved_at=timezone.now() - timedelta(days=8))

    assert send_due_csat_task() == 0
    assert services.send_csat(ticket_id=ticket.pk) is None


def test_survey_waits_for_the_configured_delay(settings, agent_alice):
    settings.CSAT_DELAY_MINUTES = 60
    ticket = solved_ticket(agent_alice)
    assert send_due_csat_task() == 0

    Ticket.objects.filter(pk=ticket.pk).update(solved_at=timezone.now() - timedelta(minutes=61))
    assert send_due_csat_task() == 1


def test_no_survey_when_disabled(settings, agent_alice):
    settings.CSAT_ENABLED = False
    ticket = solved_ticket(agent_alice)
    assert services.send_csat(ticket_id=ticket.pk) is None


@pytest.fixture
def survey(agent_alice):
    return services.send_csat(ticket_id=solved_ticket(agent_alice).pk)


def test_bad_link_preselects_and_the_form_records_it_with_a_comment(client, survey):
    page = client.get(f"/survey/{survey.token}/bad/")
    assert page.status_code == 200
    assert b'value="1" id="id_score_1" required checked' in page.content
    survey.refresh_from_db()
    assert survey.score is None  # opening a link (or a mail scanner opening it) answers nothing

    response = client.post(f"/survey/{survey.token}/bad/", {"score": "1", "comment": "Took a week."}, follow=True)

    assert b"Thank you" in response.content
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (1, "Took a week.")
    assert survey.answered_at is not None


def test_one_to_five_answer_is_stored(settings, client, agent_alice):
    settings.CSAT_SCALE = "one_to_five"
    survey = services.send_csat(ticket_id=solved_ticket(agent_alice).pk)

    response = client.post(f"/survey/{survey.token}/", {"score": "4", "comment": "Quick."})

    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (4, "Quick.")


def test_score_off_the_scale_is_refused(client, survey):
    response = client.post(f"/survey/{survey.token}/", {"score": "3"})  # good/bad scale: 5 or 1
    assert response.status_code == 200
    survey.refresh_from_db()
    assert survey.score is None


def test_unknown_token_is_not_found(client, survey):
    assert client.get("/survey/not-a-token/").status_code == 404
    assert client.post("/survey/not-a-token/", {"score": "5"}).status_code == 404


def test_answer_can_be_changed_for_seven_days_then_is_final(client, survey):
    client.post(f"/survey/{survey.token}/", {"score": "1", "comment": "Meh"})
    client.post(f"/survey/{survey.token}/", {"score": "5", "comment": "Actually fine"})
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (5, "Actually fine")

    CsatSurvey.objects.filter(pk=survey.pk).update(answered_at=timezone.now() - timedelta(days=8))
    page = client.post(f"/survey/{survey.token}/", {"score": "1", "comment": "Changed my mind"})

    assert b"This survey is closed" in page.content
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (5, "Actually fine")


def test_answer_post_needs_the_csrf_token(survey):
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/survey/{survey.token}/", {"score": "5"}).status_code == 403
    survey.refresh_from_db()
    assert survey.score is None

    client.get(f"/survey/{survey.token}/")
    token = client.cookies["csrftoken"].value
    assert client.post(f"/survey/{survey.token}/", {"score": "5", "csrfmiddlewaretoken": token}).status_code == 302
    survey.refresh_from_db()
    assert survey.score == 5


def test_agent_sees_the_answer(survey):
    from surveys.selectors import csat_for_ticket

    assert csat_for_ticket(survey.ticket)["label"] == "No answer yet"
    services.answer_csat(survey=survey, score=services.GOOD, comment="Thanks")
    assert csat_for_ticket(survey.ticket) | {"sent_at": None, "answered_at": None} == {
        "scale": "good_bad",
        "channel": "email",
        "sent_at": None,
        "answered_at": None,
        "score": 5,
        "label": "Good",
        "comment": "Thanks",
    }


def test_the_agent_sees_the_answer_on_the_ticket(client, agent_alice):
    from django.utils import timezone

    from surveys.models import CsatSurvey
    from tickets.inbound import InboundMessage
    from tickets.services import ingest

    ticket = ingest(InboundMessage(channel="email", external_id="<c@x>", sender_address="pat@example.org")).ticket
    CsatSurvey.objects.create(
        ticket=ticket,
        customer=ticket.customer,
        scale="good_bad",
        channel="email",
        sent_at=timezone.now(),
        answered_at=timezone.now(),
        score=5,
        comment="Quick and kind",
    )
    client.force_login(agent_alice)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert "Satisfaction" in page and "<strong>Good</strong>" in page and "Quick and kind" in page
