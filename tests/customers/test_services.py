import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer, CustomerEvent, IdentityKind
from customers.services import add_identity, merge_customers, normalise_address, resolve_identity
from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("email", "  Pat@Example.ORG ", "pat@example.org"),
        ("phone", "+44 (0)20 7946 0958", "+442079460958"),
        ("phone", "+1 415-555-0100", "+14155550100"),
        ("x", "@SupportFan", "supportfan"),
        ("telegram", "123456789", "123456789"),
    ],
)
def test_addresses_are_normalised(kind, raw, expected):
    assert normalise_address(kind, raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [("email", "not-an-email"), ("phone", "12"), ("phone", "call me"), ("x", "way too long handle!"), ("email", "")],
)
def test_malformed_addresses_get_a_reason(kind, raw):
    with pytest.raises(ValidationError):
        normalise_address(kind, raw)


def test_resolve_is_stable():
    a = resolve_identity(kind=IdentityKind.EMAIL, address="Pat@example.org", name="Pat")
    b = resolve_identity(kind=IdentityKind.EMAIL, address="pat@example.org")
    assert a.pk == b.pk and Customer.objects.count() == 1


def test_add_identity_refuses_someone_elses_address(customer_dana, customer_eve):
    with pytest.raises(ValidationError, match="merge them instead"):
        add_identity(customer=customer_eve, kind="email", address="DANA@example.org")


def test_merge_moves_identities_and_tickets_and_is_audited(agent_alice):
    by_mail = ingest(
        InboundMessage(channel=Channel.EMAIL, external_id="<1@x>", sender_address="pat@example.org", text="a")
    )
    by_sms = ingest(InboundMessage(channel=Channel.SMS, external_id="SM1", sender_address="+14155550100", text="b"))
    source, target = by_sms.ticket.customer, by_mail.ticket.customer

    merge_customers(source=source, target=target, by=agent_alice)

    assert set(target.identities.values_list("kind", flat=True)) == {"email", "phone"}
    assert set(target.tickets.values_list("pk", flat=True)) == {by_mail.ticket.pk, by_sms.ticket.pk}
    source.refresh_from_db()
    assert source.merged_into == target
    assert CustomerEvent.objects.filter(kind="merged", actor=agent_alice).count() == 2
    assert by_sms.ticket.events.filter(kind="customer_changed").exists()
    # The next SMS from that number now lands on the merged customer.
    later = ingest(InboundMessage(channel=Channel.SMS, external_id="SM2", sender_address="+14155550100", text="c"))
    assert later.ticket.customer == target


def test_merge_into_itself_is_refused(customer_dana):
    with pytest.raises(ValidationError):
        merge_customers(source=customer_dana, target=customer_dana)


def test_merge_into_a_merged_customer_is_refused(customer_dana, customer_eve, agent_alice):
    merge_customers(source=customer_eve, target=customer_dana, by=agent_alice)
    with pytest.raises(ValidationError, match="already merged"):
        merge_customers(source=customer_dana, target=customer_eve, by=agent_alice)
    with pytest.raises(ValidationError, match="was merged into"):
        add_identity(customer=customer_eve, kind="phone", address="+14155550111")
