"""The ticket page's phone panel: call-backs and logged calls, for agents who may see the ticket only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels_in.phone import services
from channels_in.phone.models import Call, CallbackRequest
from tickets.models import Message, Visibility

NUMBER = "+4915112345678"


@pytest.fixture
def callback(support_ticket, agent_alice):
    return services.request_callback(ticket=support_ticket, by=agent_alice, number=NUMBER, note="After 3 pm")


@pytest.mark.django_db
def test_an_agent_requests_a_call_back_and_sees_it_on_the_ticket(client, agent_alice, support_ticket):
    client.force_login(agent_alice)

    response = client.post(
        reverse("calls:request_callback", args=[support_ticket.pk]), {"number": "+49 151 12345678", "note": "Asap"}
    )

    assert response.status_code == 302
    callback = CallbackRequest.objects.get()
    assert (callback.ticket, callback.number, callback.requested_by) == (support_ticket, NUMBER, agent_alice)
    page = client.get(reverse("tickets:detail", args=[support_ticket.pk])).content.decode()
    assert "Call-backs to do" in page and NUMBER in page and "Asap" in page


@pytest.mark.django_db
def test_a_call_back_with_a_bad_number_is_shown_again_with_the_reason(client, agent_alice, support_ticket):
    client.force_login(agent_alice)

    response = client.post(reverse("calls:request_callback", args=[support_ticket.pk]), {"number": "call me"})

    assert response.status_code == 400
    assert "is not a phone number" in response.content.decode()
    assert not CallbackRequest.objects.exists()


@pytest.mark.django_db
def test_a_done_call_back_leaves_the_panel(client, agent_bob_same_team, callback, support_ticket):
    client.force_login(agent_bob_same_team)

    client.post(reverse("calls:callback_done", args=[callback.pk]))

    callback.refresh_from_db()
    assert callback.done_at is not None and callback.done_by == agent_bob_same_team
    assert "Call-backs to do" not in client.get(reverse("tickets:detail", args=[support_ticket.pk])).content.decode()


@pytest.mark.django_db
def test_an_agent_logs_an_outbound_call_as_an_internal_note(client, agent_alice, support_ticket):
    client.force_login(agent_alice)

    response = client.post(
        reverse("calls:log_call", args=[support_ticket.pk]),
        {"number": NUMBER, "status": "completed", "minutes": "4", "notes": "Printer fixed, firmware update."},
    )

    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.direction, call.status, call.duration, call.logged_by) == ("out", "completed", 240, agent_alice)
    note = Message.objects.get(pk=call.message_id)
    assert note.ticket == support_ticket and note.visibility == Visibility.INTERNAL
    assert note.body_text.startswith(f"Outbound call to {NUMBER} (talked, 4 min 0 s)")
    assert "Printer fixed, firmware update." in note.body_text


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "customer", "other_team"])
def test_only_agents_who_see_the_ticket_can_use_the_phone_panel(
    client, who, support_ticket, callback, customer_dana, agent_carl_other_team
):
    if who == "customer":
        client.force_login(customer_dana.user)
    elif who == "other_team":
        client.force_login(agent_carl_other_team)
    log = {"number": NUMBER, "status": "completed", "notes": "Sneaky"}

    responses = [
        client.post(reverse("calls:request_callback", args=[support_ticket.pk]), {"number": NUMBER}),
        client.post(reverse("calls:log_call", args=[support_ticket.pk]), log),
        client.post(reverse("calls:callback_done", args=[callback.pk])),
    ]

    expected = {"anonymous": 302, "customer": 403, "other_team": 404}[who]
    assert [r.status_code for r in responses] == [expected] * 3
    assert CallbackRequest.objects.get() == callback and callback.done_at is None
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_the_forms_are_csrf_protected(agent_alice, support_ticket):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_alice)

    response = client.post(reverse("calls:request_callback", args=[support_ticket.pk]), {"number": NUMBER})

    assert response.status_code == 403
    assert not CallbackRequest.objects.exists()


@pytest.mark.django_db
def test_the_ticket_page_costs_the_same_queries_with_one_call_or_five(client, agent_alice, support_ticket):
    client.force_login(agent_alice)
    url = reverse("tickets:detail", args=[support_ticket.pk])

    def queries_with(calls: int) -> int:
        while Call.objects.count() < calls:
            services.log_outbound_call(
                ticket=support_ticket, by=agent_alice, number=NUMBER, status="no-answer", duration=0, notes="Tried."
            )
            services.request_callback(ticket=support_ticket, by=agent_alice, number=NUMBER)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.content.decode().count("No answer") == calls
        return len(captured)

    assert queries_with(1) == queries_with(5)
