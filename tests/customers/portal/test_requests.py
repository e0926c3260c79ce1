import pytest
from django.urls import reverse

from customers.models import OrganizationPortalSettings
from surveys.models import CsatSurvey
from tests.factories import IdentityFactory, OrganizationFactory, UserFactory
from tickets.inbound import InboundAttachment
from tickets.models import Automatic, Channel, Message
from tickets.services import reply

pytestmark = pytest.mark.django_db


def test_my_requests_lists_every_channel_newest_first(client, customer_dana, write_in, eve_ticket):
    from customers.services import add_identity

    add_identity(customer=customer_dana, kind="phone", address="+14155550100")
    write_in("dana@example.org", subject="By mail")
    write_in("+14155550100", channel=Channel.SMS, subject="", text="By text")
    client.force_login(customer_dana.user)

    page = client.get(reverse("portal:requests")).content.decode()
    assert "By mail" in page and "By text" in page and "SMS" in page
    assert page.index("By text") < page.index("By mail")
    assert "Eve&#x27;s parcel" not in page and "Eve's parcel" not in page


@pytest.mark.parametrize("rows", [10, 30])
def test_my_requests_query_count_is_constant(client, customer_dana, write_in, django_assert_num_queries, rows):
    for n in range(rows):
        write_in("dana@example.org", subject=f"Request {n}")
    client.force_login(customer_dana.user)
    # session, user, customer (+organization settings), count, page of tickets (+customer)
    with django_assert_num_queries(5):
        response = client.get(reverse("portal:requests"))
    assert response.status_code == 200
    assert response.content.decode().count('class="num"') == min(rows, 20)


def test_another_customers_ticket_is_not_found(client, customer_eve, dana_ticket):
    attachment = dana_ticket.messages.get().attachments.get()
    client.force_login(customer_eve.user)
    number = dana_ticket.pk

    assert client.get(reverse("portal:ticket", args=[number])).status_code == 404
    assert client.get(reverse("portal:attachment", args=[number, attachment.pk])).status_code == 404
    reply_data = {"text": "Hijack", "submission_id": "2f1c4b0e-8f7e-4c55-9a43-6c1d8f7e0a11"}
    assert client.post(reverse("portal:reply", args=[number]), reply_data).status_code == 404
    assert client.post(reverse("portal:solve", args=[number])).status_code == 404
    assert client.post(reverse("portal:rate", args=[number]), {"score": 5}).status_code == 404
    assert not Message.objects.filter(body_text="Hijack").exists()
    dana_ticket.refresh_from_db()
    assert dana_ticket.status == "new"


def test_an_attachment_of_another_ticket_is_not_found_under_mine(client, customer_dana, dana_ticket, write_in):
    mine = write_in("dana@example.org", subject="Mine too")
    other = write_in("eve@example.org", attachments=(InboundAttachment("eve.txt", "text/plain", b"eve's secret"),))
    attachment = other.messages.get().attachments.get()
    client.force_login(customer_dana.user)
    assert client.get(reverse("portal:attachment", args=[mine.pk, attachment.pk])).status_code == 404


def test_the_customer_downloads_their_attachment(client, customer_dana, dana_ticket):
    attachment = dana_ticket.messages.get().attachments.get()
    client.force_login(customer_dana.user)
    response = client.get(reverse("portal:attachment", args=[dana_ticket.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 dana"
    assert 'filename="invoice.pdf"' in response["Content-Disposition"]


def test_internal_notes_and_their_files_are_never_shown(client, customer_dana, dana_ticket, agent_alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    note = reply(
        ticket=dana_ticket,
        author=agent_alice,
        text="SECRET: customer is difficult",
        internal=True,
        attachments=[SimpleUploadedFile("notes.txt", b"internal")],
    )
    reply(ticket=dana_ticket, author=agent_alice, text="We are on it, Dana.")
    client.force_login(customer_dana.user)

    page = client.get(reverse("portal:ticket", args=[dana_ticket.pk])).content.decode()
    assert "We are on it, Dana." in page and "Alice" in page
    assert "SECRET" not in page and "notes.txt" not in page
    note_file = note.attachments.get()
    assert client.get(reverse("portal:attachment", args=[dana_ticket.pk, note_file.pk])).status_code == 404


def test_robot_messages_are_left_out(client, customer_dana, dana_ticket, write_in):
    write_in("dana@example.org", text="I am out of office until Monday.", automatic=Automatic.AUTO_REPLY)
    client.force_login(customer_dana.user)
    page = client.get(reverse("portal:ticket", args=[dana_ticket.pk])).content.decode()
    assert "It is on fire." in page and "out of office" not in page


def test_organization_tickets_are_hidden_unless_the_organization_shares_them(client, customer_dana, eve_ticket):
    organization = OrganizationFactory(name="Acme")
    for customer in (customer_dana, eve_ticket.customer):
        customer.organization = organization
        customer.save()
    client.force_login(customer_dana.user)
    detail = reverse("portal:ticket", args=[eve_ticket.pk])

    assert client.get(detail).status_code == 404
    assert "Eve" not in client.get(reverse("portal:requests"), {"scope": "organization"}).content.decode()

    OrganizationPortalSettings.objects.create(organization=organization, share_tickets=True)
    listing = client.get(reverse("portal:requests"), {"scope": "organization"}).content.decode()
    assert "Eve&#x27;s parcel" in listing and "from Eve Customer" in listing
    assert "Eve&#x27;s parcel" not in client.get(reverse("portal:requests")).content.decode()
    page = client.get(detail).content.decode()
    assert "It is on fire." in page and "Send reply" not in page
    # Read only: a colleague's ticket cannot be answered, solved or rated in their name.
    data = {"text": "Me too", "submission_id": "0b7d2f0e-1f7e-4c55-9a43-6c1d8f7e0a11"}
    assert client.post(reverse("portal:reply", args=[eve_ticket.pk]), data).status_code == 404
    assert client.post(reverse("portal:solve", args=[eve_ticket.pk])).status_code == 404


def test_another_organizations_tickets_stay_hidden(client, customer_dana, eve_ticket):
    OrganizationPortalSettings.objects.create(organization=OrganizationFactory(name="Acme"), share_tickets=True)
    customer_dana.organization = OrganizationFactory(name="Other")
    customer_dana.save()
    OrganizationPortalSettings.objects.create(organization=customer_dana.organization, share_tickets=True)
    client.force_login(customer_dana.user)
    assert client.get(reverse("portal:ticket", args=[eve_ticket.pk])).status_code == 404


def test_a_ticket_i_am_on_cc_of_is_mine_to_answer(client, customer_dana, write_in):
    ticket = write_in("eve@example.org", subject="Team outing", cc_addresses=("dana@example.org",))
    client.force_login(customer_dana.user)
    assert client.get(reverse("portal:ticket", args=[ticket.pk])).status_code == 200
    data = {"text": "Count me in", "submission_id": "5d3a8c1e-1f7e-4c55-9a43-6c1d8f7e0a11"}
    response = client.post(reverse("portal:reply", args=[ticket.pk]), data)
    assert response.status_code == 302
    message = ticket.messages.get(body_text="Count me in")
    assert message.author_customer == customer_dana


def test_staff_user_with_a_customer_profile_still_goes_to_the_agent_ui(client):
    agent = UserFactory(username="moonlighter")
    IdentityFactory(customer__user=agent)
    client.force_login(agent)
    assert client.get(reverse("portal:requests")).url == reverse("tickets:queue")


def test_rating_answers_the_tickets_survey(client, customer_dana, dana_ticket):
    from django.utils import timezone

    survey = CsatSurvey.objects.create(
        ticket=dana_ticket, customer=customer_dana, scale="good_bad", channel="email", sent_at=timezone.now()
    )
    client.force_login(customer_dana.user)
    assert "How did we do?" in client.get(reverse("portal:ticket", args=[dana_ticket.pk])).content.decode()

    response = client.post(reverse("portal:rate", args=[dana_ticket.pk]), {"score": 5, "comment": "Quick!"})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (5, "Quick!") and survey.answered_at
    assert client.post(reverse("portal:rate", args=[dana_ticket.pk]), {"score": 3}).status_code == 400


def test_dates_are_shown_in_the_customers_time_zone(client, customer_dana, dana_ticket):
    from zoneinfo import ZoneInfo

    customer_dana.time_zone = "Asia/Tokyo"
    customer_dana.save()
    client.force_login(customer_dana.user)
    tokyo = dana_ticket.created_at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M")
    assert f"opened {tokyo}" in client.get(reverse("portal:ticket", args=[dana_ticket.pk])).content.decode()
