import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import MacroFactory
from tickets.inbound import InboundAttachment, InboundMessage
from tickets.models import Channel, Status
from tickets.services import ingest

pytestmark = pytest.mark.django_db


def url(name, ticket, *args):
    return reverse(f"tickets:{name}", args=[ticket.pk, *args])


def test_timeline_shows_messages_notes_and_events(client, agent_alice, support_ticket):
    client.force_login(agent_alice)
    client.post(url("reply", support_ticket), {"text": "Checked the logs", "internal": "on"})
    page = client.get(url("detail", support_ticket)).content.decode()
    assert "It is on fire." in page
    assert "Internal note" in page and "Checked the logs" in page
    assert "moved to team <strong>Support" in page  # the routing is on the timeline
    assert "E-mail" in page  # the channel of each message is visible


def test_reply_is_sent_and_shown(client, agent_alice, support_ticket, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(agent_alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("reply", support_ticket), {"text": "Unplug it, please.", "status": "pending"})
    assert response.status_code == 302
    support_ticket.refresh_from_db()
    assert support_ticket.status == Status.PENDING
    assert mailoutbox[0].to == ["pat@example.org"]
    page = client.get(url("detail", support_ticket)).content.decode()
    assert "Unplug it, please." in page and "Sent" in page


def test_empty_reply_is_a_form_error(client, agent_alice, support_ticket):
    client.force_login(agent_alice)
    response = client.post(url("reply", support_ticket), {"text": "   "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_update_properties_and_invalid_assignment(
    client, agent_alice, agent_carl_other_team, support_ticket, team_support
):
    client.force_login(agent_alice)
    data = {"status": "open", "priority": 4, "team": team_support.pk, "assignee": agent_alice.pk, "tags": "vip, refund"}
    assert client.post(url("update", support_ticket), data).status_code == 302
    support_ticket.refresh_from_db()
    assert support_ticket.priority == 4 and support_ticket.assignee == agent_alice
    response = client.post(url("update", support_ticket), {**data, "assignee": agent_carl_other_team.pk})
    assert response.status_code == 400
    assert "is not in team Support" in response.content.decode()


def test_light_agent_sees_note_form_only_and_cannot_update(client, light_agent, support_ticket):
    client.force_login(light_agent)
    page = client.get(url("detail", support_ticket)).content.decode()
    assert "Add an internal note" in page and "Properties" in page and "Merge</button>" not in page
    assert client.post(url("update", support_ticket), {"status": "solved", "priority": 2}).status_code == 403
    assert client.post(url("reply", support_ticket), {"text": "hi"}).status_code == 403
    assert client.post(url("reply", support_ticket), {"text": "hi", "internal": "on"}).status_code == 302
    assert support_ticket.messages.last().is_internal


def test_merge_from_the_page(client, agent_alice, support_ticket):
    other = ingest(
        InboundMessage(channel=Channel.EMAIL, external_id="<o@x>", sender_address="pat@example.org", subject="Dup")
    ).ticket
    client.force_login(agent_alice)
    response = client.post(url("merge", other), {"into": support_ticket.pk})
    assert response["Location"] == url("detail", support_ticket)
    assert (
        "There is no ticket #999999 you can see"
        in client.post(url("merge", support_ticket), {"into": 999999}).content.decode()
    )


def test_merge_into_invisible_ticket_is_refused(client, agent_carl_other_team, support_ticket):
    mine = ingest(
        InboundMessage(channel=Channel.SMS, external_id="SMx", sender_address="+14155550199", text="x")
    ).ticket
    client.force_login(agent_carl_other_team)
    response = client.post(url("merge", mine), {"into": support_ticket.pk})
    assert response.status_code == 400


def test_macro_is_rendered_for_the_ticket(client, agent_alice, support_ticket):
    macro = MacroFactory(body="Hi {{ customer.first_name }}, re #{{ ticket.number }}")
    client.force_login(agent_alice)
    response = client.get(url("macro", support_ticket, macro.pk))
    assert response.content.decode() == f"Hi Pat, re #{support_ticket.pk}"


def test_attachments_are_served_only_to_those_who_may_see(client, agent_alice, agent_carl_other_team, support_ticket):
    client.force_login(agent_alice)
    client.post(
        url("reply", support_ticket),
        {"text": "log", "internal": "on", "attachments": [SimpleUploadedFile("log.txt", b"data")]},
    )
    attachment = support_ticket.messages.last().attachments.get()
    response = client.get(url("attachment", support_ticket, attachment.pk))
    assert b"".join(response.streaming_content) == b"data"
    assert "attachment" in response["Content-Disposition"]
    client.force_login(agent_carl_other_team)
    assert client.get(url("attachment", support_ticket, attachment.pk)).status_code == 404


def test_refused_attachment_shows_reason(client, agent_alice, settings):
    settings.MAX_ATTACHMENT_BYTES = 3
    ticket = ingest(
        InboundMessage(
            channel=Channel.EMAIL,
            external_id="<big@x>",
            sender_address="pat@example.org",
            subject="Big",
            attachments=(InboundAttachment("big.zip", "application/zip", b"12345"),),
        )
    ).ticket
    client.force_login(agent_alice)
    assert (
        "big.zip — Not stored: 5\xa0bytes is over the 3\xa0bytes limit."
        in client.get(url("detail", ticket)).content.decode()
    )


def test_profile_creates_api_token(client, agent_alice):
    client.force_login(agent_alice)
    client.post(reverse("profile"))
    key = agent_alice.auth_token.key
    assert key in client.get(reverse("profile")).content.decode()
    client.post(reverse("profile"))
    agent_alice.refresh_from_db()
    assert agent_alice.auth_token.key != key


def test_mail_shows_what_the_customer_wrote_with_inline_images_and_blocked_remote_ones(client, agent_alice):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    result = ingest(
        InboundMessage(
            channel=Channel.EMAIL,
            external_id="<img@x>",
            sender_address="pat@example.org",
            subject="Screenshot",
            text="See the screenshot.",
            quoted_text="On Monday Alice wrote:\n> old news",
            html='<p>See the screenshot.</p><img src="cid:shot1@x"><img src="https://tracker.example/p.gif">'
            "<blockquote>old news</blockquote>",
            attachments=(InboundAttachment("shot.png", "image/png", png, content_id="shot1@x"),),
        )
    )
    client.force_login(agent_alice)

    page = client.get(f"/tickets/{result.ticket.pk}/").content.decode()

    attachment = result.message.attachments.get()
    assert f'src="/tickets/{result.ticket.pk}/attachments/{attachment.pk}/?inline=1"' in page
    assert 'data-remote-src="https://tracker.example/p.gif"' in page
    assert ' src="https://tracker.example' not in page
    assert "Show the full original" in page and "Show remote images" in page
    inline = client.get(f"/tickets/{result.ticket.pk}/attachments/{attachment.pk}/?inline=1")
    assert inline["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize(
    ("channel", "sender", "label"), [("phone", "+14155550100", "SMS"), ("webform", "p@x.org", "E-mail")]
)
def test_reply_box_names_the_channel_the_reply_goes_out_on(client, agent_alice, channel, sender, label):
    ticket = ingest(InboundMessage(channel=channel, external_id="x1", sender_address=sender, text="Hi")).ticket
    client.force_login(agent_alice)
    assert f"Reply by {label}</h2>" in client.get(f"/tickets/{ticket.pk}/").content.decode()
