import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, CustomerEvent, ErasureRequest, ErasureState, Identity
from customers.privacy import ERASED_TEXT, erase_customer
from customers.services import merge_customers
from helpdesk.models import User
from surveys.models import CsatSurvey
from tests.factories import CustomerFactory, IdentityFactory
from tickets.models import Attachment, Message, Status
from tickets.services import reply, update_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana_history(customer_dana, dana_ticket, write_in, agent_alice, admin_ada):
    """Dana's tickets on two channels, an agent's reply and note, a survey comment, and an old merged profile."""
    old_profile = IdentityFactory(address="dana.old@example.org", customer__name="Dana Oldname").customer
    write_in("dana.old@example.org", subject="From my old address")
    merge_customers(source=old_profile, target=customer_dana, by=admin_ada)
    reply(ticket=dana_ticket, author=agent_alice, text="Dana, your invoice is attached.")
    reply(ticket=dana_ticket, author=agent_alice, text="Dana lives at 1 Main St", internal=True)
    update_ticket(ticket=dana_ticket, by=agent_alice, status=Status.SOLVED)
    CsatSurvey.objects.create(
        ticket=dana_ticket, customer=customer_dana, scale="good_bad", channel="email", sent_at=timezone.now(), score=5
    )
    CsatSurvey.objects.filter(ticket=dana_ticket).update(comment="Thanks, Dana")
    return old_profile


def test_erasure_anonymises_the_person_and_keeps_the_statistics(
    customer_dana, dana_ticket, dana_history, eve_ticket, admin_ada, django_capture_on_commit_callbacks
):
    files = [a.file.name for a in Attachment.objects.filter(message__ticket=dana_ticket)]
    assert files and all(default_storage.exists(name) for name in files)
    before = list(customer_dana.tickets.values_list("pk", "created_at", "channel", "status").order_by("pk"))
    user_id = customer_dana.user_id

    with django_capture_on_commit_callbacks(execute=True):
        event = erase_customer(customer=customer_dana, by=admin_ada)

    customer_dana.refresh_from_db()
    dana_history.refresh_from_db()
    assert customer_dana.name == dana_history.name == "" and customer_dana.user is None
    assert not User.objects.filter(pk=user_id).exists()
    assert not Identity.objects.filter(customer__in=[customer_dana, dana_history]).exists()
    tickets = customer_dana.tickets.order_by("pk")
    assert list(tickets.values_list("pk", "created_at", "channel", "status")) == before
    assert set(tickets.values_list("subject", flat=True)) == {ERASED_TEXT}
    messages = Message.objects.filter(ticket__customer=customer_dana)
    assert messages.count() == 4  # two from Dana, the reply and the note: counted, not readable
    assert set(messages.values_list("body_text", flat=True)) == {ERASED_TEXT}
    assert set(messages.values_list("address", flat=True)) == {""}
    assert not Attachment.objects.filter(message__ticket=dana_ticket).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert CsatSurvey.objects.get(ticket=dana_ticket).comment == ""
    assert CsatSurvey.objects.get(ticket=dana_ticket).score == 5
    for text in ("Dana", "dana@example.org", "Main St", "invoice"):
        assert not Message.objects.filter(body_text__icontains=text).exists()
    # Eve is untouched.
    assert eve_ticket.messages.get().body_text == "It is on fire."
    assert Identity.objects.filter(address="eve@example.org").exists()
    # The audit row says who erased what, without saying who the person was.
    assert (event.kind, event.actor, event.customer) == (CustomerEvent.Kind.ERASED, admin_ada, customer_dana)
    assert event.data["identities"] == 2 and event.data["attachments"] == 1
    merge_events = CustomerEvent.objects.filter(customer=customer_dana, kind=CustomerEvent.Kind.MERGED)
    assert list(merge_events.values_list("data", flat=True)) == [{}]


def test_erasure_is_idempotent(customer_dana, dana_ticket, admin_ada):
    assert erase_customer(customer=customer_dana, by=admin_ada) is not None
    assert erase_customer(customer=customer_dana, by=admin_ada) is None
    assert CustomerEvent.objects.filter(customer=customer_dana, kind=CustomerEvent.Kind.ERASED).count() == 1


def test_the_same_address_writing_again_is_a_new_customer(customer_dana, dana_ticket, write_in, admin_ada):
    erase_customer(customer=customer_dana, by=admin_ada)
    ticket = write_in("dana@example.org", subject="Hello again")
    assert ticket.customer != customer_dana and ticket.pk != dana_ticket.pk


def test_admin_erases_a_requested_customer(client, customer_dana, dana_ticket, admin_ada):
    request = ErasureRequest.objects.create(customer=customer_dana)
    other = ErasureRequest.objects.create(customer=CustomerFactory(name="Keep Me"), state=ErasureState.REFUSED)
    client.force_login(admin_ada)
    changelist = reverse("admin:customers_erasurerequest_changelist")
    assert client.get(changelist).status_code == 200

    data = {"action": "erase_now", "_selected_action": [request.pk, other.pk]}
    assert client.post(changelist, data).status_code == 302

    request.refresh_from_db()
    assert (request.state, request.handled_by) == (ErasureState.DONE, admin_ada) and request.handled_at
    assert Customer.objects.get(pk=customer_dana.pk).name == ""
    assert Customer.objects.get(name="Keep Me")  # refused requests are not erased


def test_admin_refuses_a_request(client, customer_dana, admin_ada):
    request = ErasureRequest.objects.create(customer=customer_dana, note="Open invoice dispute")
    client.force_login(admin_ada)
    data = {"action": "refuse", "_selected_action": [request.pk]}
    client.post(reverse("admin:customers_erasurerequest_changelist"), data)
    request.refresh_from_db()
    assert request.state == ErasureState.REFUSED and Customer.objects.get(pk=customer_dana.pk).name == "Dana Customer"


def test_the_erased_customers_session_ends(client, customer_dana, admin_ada):
    client.force_login(customer_dana.user)
    erase_customer(customer=customer_dana, by=admin_ada)
    response = client.get(reverse("portal:requests"))
    assert response.status_code == 302 and response.url.startswith(reverse("portal:login"))


def test_admin_records_a_request_made_by_phone(client, customer_dana, admin_ada):
    client.force_login(admin_ada)
    add = reverse("admin:customers_erasurerequest_add")
    response = client.post(add, {"customer": customer_dana.pk, "note": "Asked on the phone"})
    assert response.status_code == 302
    request = ErasureRequest.objects.get()
    assert (request.customer, request.state) == (customer_dana, ErasureState.PENDING)
    change = client.get(reverse("admin:customers_erasurerequest_change", args=[request.pk])).content.decode()
    assert 'name="customer"' not in change and 'name="note"' in change
