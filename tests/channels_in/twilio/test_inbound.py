"""One test per Twilio fixture: the InboundMessage the stored webhook body becomes."""

from urllib.parse import urlencode

import pytest

from channels_in.twilio.inbound import parse_sms, parse_whatsapp
from tests.channels_in.twilio.conftest import CUSTOMER_NUMBER, SMS_NUMBER, WHATSAPP_NUMBER, load
from tickets.inbound import RemoteMedia
from tickets.models import Channel

pytestmark = pytest.mark.django_db


def body(name: str, **changes: str) -> str:
    return urlencode(load(name) | changes)


def test_sms(twilio_account):
    (msg,) = parse_sms(body("sms.json"))

    assert msg.channel == Channel.SMS
    assert msg.external_id == "SM1f0e8ed3a1c5b3a8e1b8c0b6d2a7e9f1"
    assert (msg.sender_address, msg.channel_address) == (CUSTOMER_NUMBER, SMS_NUMBER)
    assert msg.text == "Hi, my order #4411 never arrived. Can you check?"
    assert msg.team_id == twilio_account.team_id
    assert (msg.acknowledge, msg.media, msg.meta) == (False, (), {})


def test_mms_media_are_named_by_position_and_type(twilio_account):
    (msg,) = parse_sms(body("mms.json"))

    params = load("mms.json")
    assert msg.media == (
        RemoteMedia(params["MediaUrl0"], "image/jpeg", "MMS-1.jpg"),
        RemoteMedia(params["MediaUrl1"], "application/pdf", "MMS-2.pdf"),
    )


def test_whatsapp(twilio_account):
    (msg,) = parse_whatsapp(body("whatsapp.json"))

    assert msg.channel == Channel.WHATSAPP
    assert (msg.sender_address, msg.channel_address) == (CUSTOMER_NUMBER, WHATSAPP_NUMBER)
    assert (msg.sender_name, msg.meta) == ("Marta Ruiz", {"profile_name": "Marta Ruiz"})
    assert msg.text == "Hola! Is the store open on Sunday?"
    assert msg.team_id == twilio_account.team_id


def test_whatsapp_location(twilio_account):
    (msg,) = parse_whatsapp(body("whatsapp_location.json"))

    assert msg.text == "Location: 37.7879277, -122.4046653"
    assert msg.meta["location"] == {
        "latitude": "37.7879277",
        "longitude": "-122.4046653",
        "label": "Our store",
        "address": "1 Market St, San Francisco, CA 94105",
    }


def test_a_message_to_a_number_nobody_configured_has_no_team(twilio_account):
    (msg,) = parse_sms(body("sms.json", To="+14155559999"))

    assert (msg.channel_address, msg.team_id) == ("+14155559999", None)


def test_a_body_without_id_or_sender_is_refused_so_the_inbox_keeps_it_for_an_admin():
    with pytest.raises(ValueError, match="no MessageSid or no From"):
        parse_sms(urlencode({"Body": "hi", "To": SMS_NUMBER}))
