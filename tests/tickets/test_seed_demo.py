import pytest
from django.core import mail
from django.core.management import call_command

from helpdesk.models import User
from tickets.models import Channel, Message, Team, Ticket

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_people_and_tickets_on_many_channels_once():
    call_command("seed_demo", tickets=40, verbosity=0)

    assert set(User.objects.values_list("username", flat=True)) >= {"admin", "alice", "bob", "carl", "lena"}
    assert User.objects.get(username="alice").check_password("demo")
    assert set(Team.objects.values_list("name", flat=True)) == {"Support", "Billing", "Sales"}
    assert Ticket.objects.count() == 40
    assert Ticket.objects.values("channel").distinct().count() >= 5
    assert Message.objects.filter(direction="out", visibility="public").exists()
    assert Ticket.objects.filter(channel=Channel.EMAIL, messages__external_id__endswith="-followup").exists()
    assert not mail.outbox or all(m.to for m in mail.outbox)  # replies went to the local outbox only

    call_command("seed_demo", tickets=40, if_empty=True, verbosity=0)
    assert Ticket.objects.count() == 40
