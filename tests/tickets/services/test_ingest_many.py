"""Batch ingest (pollers, importers): the same guarantees as ingest(), message by message."""

import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.inbound import InboundAttachment, InboundMessage
from tickets.models import Channel, FailedInbound, Message, Status, Ticket
from tickets.services import IngestError, ingest, ingest_many, update_ticket

pytestmark = pytest.mark.django_db


def mail(external_id: str, sender: str = "pat@example.org", **kw) -> InboundMessage:
    kw.setdefault("subject", "Invoice missing")
    kw.setdefault("text", "Where is it?")
    return InboundMessage(channel=Channel.EMAIL, external_id=external_id, sender_address=sender, **kw)


def sms(external_id: str, sender: str = "+14155550100", **kw) -> InboundMessage:
    return InboundMessage(channel=Channel.SMS, external_id=external_id, sender_address=sender, text="hi", **kw)


def test_reply_in_the_same_batch_threads_onto_the_ticket_it_answers():
    first, reply, other = ingest_many(
        [
            mail("<m1@x>"),
            mail("<m2@x>", sender="pat@example.org", reply_to_ids=("<m1@x>",)),
            mail("<m3@x>", sender="sam@example.org"),
        ]
    )

    assert first.created_ticket and not reply.created_ticket
    assert reply.ticket.pk == first.ticket.pk
    assert other.ticket.pk != first.ticket.pk
    assert list(first.ticket.messages.values_list("external_id", flat=True)) == ["<m1@x>", "<m2@x>"]


def test_sms_in_one_batch_continue_one_conversation_per_sender():
    results = ingest_many([sms("S1"), sms("S2", sender="+14155550199"), sms("S3"), sms("S4")])

    assert [r.created_ticket for r in results] == [True, True, False, False]
    assert results[2].ticket.pk == results[3].ticket.pk == results[0].ticket.pk
    assert Ticket.objects.count() == 2


def test_batch_threads_onto_stored_tickets_and_reopens_them(agent_alice):
    stored = ingest(mail("<old@x>"))
    update_ticket(ticket=stored.ticket, by=agent_alice, status=Status.SOLVED)

    (reply,) = ingest_many([mail("<new@x>", reply_to_ids=("<old@x>",))])

    stored.ticket.refresh_from_db()
    assert reply.ticket.pk == stored.ticket.pk
    assert stored.ticket.status == Status.OPEN
    assert stored.ticket.events.filter(kind="status_changed").last().data["reason"] == "reopened by customer reply"


def test_redelivered_batch_gives_no_new_rows():
    batch = [mail("<a@x>"), mail("<b@x>", reply_to_ids=("<a@x>",)), sms("S1")]
    ingest_many(batch)

    again = ingest_many(batch + [mail("<a@x>")])

    assert all(r.duplicate for r in again)
    assert Message.objects.count() == 3
    assert again[3].message.pk == again[0].message.pk


def test_same_message_twice_in_one_batch_is_stored_once():
    first, second = ingest_many([sms("S1"), sms("S1")])
    assert not first.duplicate and second.duplicate
    assert second.message.pk == first.message.pk
    assert Message.objects.count() == 1


def test_invalid_message_is_set_aside_and_the_rest_stored():
    good, bad, also_good = ingest_many([mail("<a@x>"), sms("S1", sender="not a phone"), mail("<b@x>")])

    assert isinstance(bad, IngestError)
    assert "not a phone number" in bad.failed.error
    assert not good.duplicate and not also_good.duplicate
    assert Message.objects.count() == 2


def test_a_message_that_breaks_the_batch_is_quarantined_alone(monkeypatch):
    ingest_module = sys.modules["tickets.services.ingest"]  # the package re-exports a function of that name
    real_clean = ingest_module.clean_html

    def clean(html):
        if "poison" in html:
            raise ValueError("sanitiser choked")
        return real_clean(html)

    monkeypatch.setattr(ingest_module, "clean_html", clean)

    results = ingest_many([mail("<a@x>"), mail("<p@x>", html="<p>poison</p>"), mail("<b@x>")])

    assert isinstance(results[1], IngestError)
    assert FailedInbound.objects.get().external_id == "<p@x>"
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["<a@x>", "<b@x>"]


def test_attachments_of_a_batch_are_stored(settings):
    settings.MAX_ATTACHMENT_BYTES = 10
    small = InboundAttachment("a.txt", "text/plain", b"12345")
    big = InboundAttachment("b.bin", "application/octet-stream", b"x" * 20)
    first, second = ingest_many([mail("<a@x>", attachments=(small,)), mail("<b@x>", attachments=(big, small))])

    assert [a.file.read() for a in first.message.attachments.all()] == [b"12345"]
    refused, stored = second.message.attachments.order_by("id")
    assert refused.refused_reason and not refused.file
    assert stored.file.read() == b"12345"


def test_query_count_does_not_grow_with_the_batch():
    def batch(prefix: str, n: int) -> list[InboundMessage]:
        area = {"s": 201, "a": 202, "b": 203}[prefix]
        out = [sms(f"{prefix}-again", sender="+12015550000"), mail(f"<{prefix}-re@x>", reply_to_ids=("<s0@x>",))]
        for i in range(n):
            out.append(mail(f"<{prefix}{i}@x>", sender=f"c{prefix}{i}@example.org"))
            out.append(
                mail(f"<{prefix}{i}r@x>", sender=f"c{prefix}{i}@example.org", reply_to_ids=(f"<{prefix}{i}@x>",))
            )
            out.append(sms(f"{prefix}S{i}", sender=f"+1{area}555{i:04d}"))
        return out

    stored = batch("s", 5)
    ingest_many(stored)  # so that some of the next messages continue stored tickets

    counts = []
    for prefix, n in (("a", 3), ("b", 12)):
        with CaptureQueriesContext(connection) as ctx:
            ingest_many(batch(prefix, n))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
