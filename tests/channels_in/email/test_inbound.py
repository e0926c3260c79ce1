"""parse_email on a corpus of real-world shaped mails (fixtures/*.eml), and the caps on hostile mail."""

import dataclasses
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels_in.email import inbound
from channels_in.email.inbound import EmailParseError, parse_email

FIXTURES = Path(__file__).parent / "fixtures"
HELPDESK = "support@helpdesk.example"


@dataclasses.dataclass(frozen=True)
class Expect:
    """What a person would check in the parsed mail; a field left at its default is checked too,
    except `external_id` and `timestamp` which are only checked when given."""

    sender: str
    subject: str
    text: str  # must appear in `text`
    name: str = ""
    external_id: str = ""
    quoted: str = ""  # must appear in `quoted_text` and not in `text`
    automatic: str = ""
    reply_to_ids: tuple[str, ...] = ()
    attachments: tuple[tuple[str, str, str], ...] = ()  # (filename, content type, content id)
    cc: tuple[str, ...] = ()
    reply_address: str = ""
    timestamp: datetime | None | str = "unchecked"
    html: str = ""  # must appear in `html`


CASES = {
    # Replies, in the common clients and languages: `text` is what the customer wrote.
    "gmail_reply_en.eml": Expect(
        "sarah.connor@gmail.com",
        "Re: [#101] VPN keeps disconnecting",
        'The log says "peer not responding".\n\nBest,\nSarah',
        name="Sarah Connor",
        external_id="<CAJx8kP3vQm=Ys2rJ0bXq4H7n5+Lk@mail.gmail.com>",
        quoted="> Please restart your router and try again.",
        reply_to_ids=("<helpdesk-101-1@helpdesk.example>", "<helpdesk-101-2@helpdesk.example>"),
        timestamp=datetime(2025, 2, 3, 10, 5, 1, tzinfo=UTC),
        html='<div class="gmail_quote">',
    ),
    "gmail_reply_wrapped_attribution.eml": Expect(
        "m.oyelaran.lagos.office@gmail.com",
        "Re: Invoice INV-2025-0042 shows the wrong VAT number",
        "Could you send a\ncorrected invoice?",
        name="Mojisola Oyelaran-Adebayo",
        quoted="On Mon, 3 Feb 2025 at 16:40, ACME Billing Department <billing@helpdesk.example>\nwrote:",
        reply_to_ids=("<helpdesk-102-7@helpdesk.example>",),
    ),
    "gmail_html_only.eml": Expect(
        "luis.ortega@example.com",
        "Re: Export quota",
        "the export to CSV produces an empty file since this morning.\nSteps: Reports → Export → CSV.",
        name="Luis Ortega",
        quoted="> Your export quota has been raised.",
        timestamp=datetime(2025, 2, 3, 14, 30, tzinfo=UTC),
        html="<b>Reports</b>",
    ),
    "outlook_reply_en.eml": Expect(
        "tom.baker@northwind.example",
        "RE: [#103] License banner",
        "We’re still seeing the “License expired” banner on 3 of our 12 seats. The renewal (€1,200)",
        name="Tom Baker",
        quoted="________________________________\nFrom: ACME Support <support@helpdesk.example>\nSent:",
        reply_to_ids=("<helpdesk-103-1@helpdesk.example>",),
    ),
    "outlook_original_message.eml": Expect(
        "priya@example.in",
        "RE: Order 55120 confirmed",
        "Please cancel order 55120",
        name="Raman, Priya",
        external_id="<000001db76c1$2f3a4b50$8dafe1f0$@example.in>",
        quoted="-----Original Message-----\nFrom: ACME Shop",
    ),
    "outlook_reply_de.eml": Expect(
        "j.weiss@beispiel.de",
        "AW: Ihre Lieferung 88231",
        "die Lieferung ist leider unvollständig",
        name="Jürgen Weiß",
        quoted="Von: ACME Versand <versand@helpdesk.example>\nGesendet:",
        reply_to_ids=("<helpdesk-104-1@helpdesk.example>",),
    ),
    "outlook_reply_fr.eml": Expect(
        "amelie.dupont@exemple.fr",
        "RE : Votre commande 7781",
        "Le colis est arrivé endommagé",
        name="Amélie Dupont",
        quoted="De : Service client ACME <support@helpdesk.example>\nEnvoyé :",
    ),
    "outlook_reply_es.eml": Expect(
        "inaki@ejemplo.es",
        "RE: Acceso a la cuenta",
        "¿Podrían restablecer la contraseña?",
        name="Iñaki Goñi",
        quoted="De: Soporte ACME <soporte@helpdesk.example>\nEnviado el:",
    ),
    "outlook_reply_nl.eml": Expect(
        "daan@voorbeeld.nl",
        "RE: Herinnering factuur 2025-017",
        "De factuur is inmiddels betaald",
        name="Daan de Vries",
        quoted="Van: ACME Support <support@helpdesk.example>\nVerzonden:",
    ),
    "apple_mail_reply.eml": Expect(
        "marco.rossi@icloud.example",
        "Re: Technician visit",
        "Yes, Thursday at 2pm works for the technician.",
        name="Marco Rossi",
        quoted="Sent from my iPhone\n\n> On 3 Feb 2025, at 17:45, ACME Field Service",
        reply_to_ids=("<helpdesk-105-3@helpdesk.example>",),
    ),
    "gmail_reply_de.eml": Expect(
        "anna.schmidt@gmail.com",
        "Re: Passwort-Reset",
        "das Passwort-Reset funktioniert jetzt, danke!\n\nViele Grüße\nAnna",
        name="Anna Schmidt",
        quoted="Am Mo., 3. Feb. 2025 um 10:12 Uhr schrieb ACME Support <",
    ),
    "gmail_reply_fr.eml": Expect(
        "claire.martin@gmail.com",
        "Re: Facture corrigée",
        "Merci, la facture corrigée est bien reçue.",
        name="Claire Martin",
        quoted="Le lun. 3 févr. 2025 à 10:12, Service ACME <support@helpdesk.example> a\nécrit :",
    ),
    "gmail_reply_es.eml": Expect(
        "maria.garcia@gmail.com",
        "Re: Pedido 4410",
        "El pedido llegó bien",
        name="María García",
        quoted="escribió:\n\n> Hola, su pedido está en camino.",
    ),
    "gmail_reply_nl.eml": Expect(
        "sanne.jansen@gmail.com",
        "Re: Inloggen lukt niet",
        "Het werkt weer, bedankt!",
        name="Sanne Jansen",
        quoted="Op ma 3 feb. 2025 om 10:12 schreef ACME Support",
    ),
    "thunderbird_reply_de.eml": Expect(
        "klaus@meier-soehne.example",
        "Re: Druckerfehler 0x0000011b",
        "Der Treiber ist \naktuell (Version 3.2.1).\n\nGruß\nKlaus",
        name="Klaus Meier",
        quoted="Am 03.02.25 um 10:12 schrieb ACME Support:\n> Hallo Klaus,",
        reply_to_ids=("<helpdesk-106-1@helpdesk.example>",),
    ),
    "thunderbird_interleaved.eml": Expect(  # answers between the quotes: the quotes give them context
        "olaf@example.no",
        "Re: Sync problem",
        "> 1. Which version of the app are you using?\n\nVersion 4.2.0 on Android 14.",
        name="Olaf Nordmann",
    ),
    "new_mail_with_signature.eml": Expect(
        "grace@navy-yard.example",
        "Upgrade to Business plan",
        "Please send me a quote for 25 users.",
        name="Grace Hopper",
        quoted="-- \nGrace Hopper\nProcurement",
    ),
    "outlook_android.eml": Expect(
        "ken.adams@example.com",
        "Re: App crash",
        "The app crashes when I open the calendar tab.",
        name="Ken Adams",
        quoted="Get Outlook for Android\n____",
        reply_to_ids=("<helpdesk-107-1@helpdesk.example>", "<helpdesk-107-4@helpdesk.example>"),
    ),
    "forward_inline.eml": Expect(  # a forwarded mail is the request itself: it stays in the text
        "pat@example.com",
        "Fwd: Broken delivery",
        "---------- Forwarded message ---------\nFrom: Jane Roe",
        name="Pat Lee",
    ),
    # Charsets and transfer encodings.
    "charset_iso8859_1.eml": Expect(
        "francois@exemple.fr",
        "Problème de connexion à l'espace client",
        "Le message affiché est « accès refusé ».",
        name="François Lefèvre",
    ),
    "charset_windows_1252.eml": Expect(
        "sean.obrien@example.ie",
        "Refund of €249.99",
        "I was charged €249.99 twice – “Order 9917”.",
        name="O'Brien, Sean",
    ),
    "charset_koi8r.eml": Expect(
        "ivan.petrov@primer.example",
        "Не работает оплата картой",
        "При оплате картой появляется ошибка 502.",
        name="Иван Петров",
    ),
    "charset_shift_jis.eml": Expect(
        "taro.yamada@rei.example.jp",
        "請求書の再発行について",
        "請求書を再発行していただけますでしょうか。",
        name="山田太郎",
    ),
    "charset_gb2312.eml": Expect(  # the subject splits a character across two encoded words
        "xiaoming.wang@lizi.example.cn",
        "发票抬头需要修改",
        "我们的发票抬头需要修改为“北京例子科技有限公司”。",
        name="王小明",
    ),
    "charset_bogus_label.eml": Expect(
        "zoe@example.pl", "Zażółć order status", "Zażółć gęślą jaźń.", name="Zoë Kowalski"
    ),
    "charset_wrong_label.eml": Expect(
        "bjorn@example.dk", "Wrong charset label", "Fejlkode: «E-17». Venlig hilsen, Bjørn", name="Bjorn Larsen"
    ),
    "charset_missing_8bit_headers.eml": Expect(
        "soren@example.no",
        "Spørsmål om bestilling – ordre 5521",
        "Hei! Når kommer ordren min?",
        name="Søren Ødegård",
    ),
    "encoded_words.eml": Expect(
        "hj.mueller@beispiel.de",
        "Bestellung 🚚 unterwegs?",
        "Wo ist meine Bestellung?",
        name="Müller, Hans-Jürgen",
        cc=("brueckner@beispiel.de", "kim@beispiel.de"),
        attachments=(("Lieferschein März.pdf", "application/pdf", ""),),
    ),
    "base64_utf8_body.eml": Expect("aiko@example.jp", "Feedback", "Great support, thank you! 🎉👍", name="Aiko Tanaka"),
    # Broken MIME and headers.
    "broken_missing_boundary.eml": Expect(
        "noreply-legacy@example.com",
        "Report attached",
        "Please find the weekly report attached.",
        name="Legacy Mailer",
        attachments=(("report.csv", "text/csv", ""),),
    ),
    "broken_unterminated_multipart.eml": Expect(
        "nina@example.bg",
        "Screenshot of the error",
        "The error screenshot is attached.",
        name="Nina Petrova",
        attachments=(("error.png", "image/png", ""),),
    ),
    "broken_bad_base64.eml": Expect(
        "omar@example.jo",
        "Contract scan",
        "Here is the signed contract.",
        name="Omar Haddad",
        attachments=(("contract.bin", "application/octet-stream", ""),),
    ),
    "broken_no_message_id.eml": Expect(
        "printer@office.example", "Toner low", "Toner level at 5 percent", name="Printer Room"
    ),
    "broken_no_from_sender.eml": Expect(
        "shop-robot@example.com", "Order form submission", "invoice copy of order 1188", name="Web Shop Robot"
    ),
    "broken_no_from_return_path.eml": Expect(
        "cron@server7.example.net", "Backup job finished with warnings", "3 files skipped", timestamp=None
    ),
    "broken_bad_date.eml": Expect(
        "yusuf@example.com.tr", "Question about shipping", "Do you ship to Izmir?", name="Yusuf Demir", timestamp=None
    ),
    "broken_header_without_colon.eml": Expect(  # the fields below the junk line are still read
        "lena@example.at",
        "Account locked",
        "My account was locked after three login attempts.",
        name="Lena Fischer",
        external_id="<no.colon.1@example.at>",
        timestamp=datetime(2025, 2, 7, 13, 0, tzinfo=UTC),
    ),
    "broken_cte_whitespace.eml": Expect(
        "forms@example.org", "Contact form", "Please call me back about the outage.", name="Webform"
    ),
    "broken_odd_addresses.eml": Expect(
        "john.doe@example.com",
        "Price list request",
        "Please send me your current price list.",
        name='Doe, John (Sales) "JD"',
        cc=("cc1@example.com", "cc2@example.com", "mixed.case@example.com"),
        reply_address="sales-team@example.com",
        timestamp=datetime(2025, 2, 8, 0, 0, tzinfo=UTC),
    ),
    "attachment_only.eml": Expect(
        "scanner@office.example",
        "Scanned document",
        "",
        name="Scanner",
        attachments=(("scan_0001.pdf", "application/pdf", ""),),
    ),
    # Attachments and structure: nothing but the chosen bodies is left out of `attachments`.
    "many_attachments.eml": Expect(
        "engineer@example.com",
        "Site survey documents",
        "All documents from today's site survey are attached.",
        name="Field Engineer",
        attachments=(
            ("invoice.pdf", "application/pdf", ""),
            ("photo1.jpg", "image/jpeg", ""),
            ("photo2.jpg", "image/jpeg", ""),
            ("notes.txt", "text/plain", ""),
            ("data.csv", "text/csv", ""),
            ("archive.zip", "application/zip", ""),
            ("Report Q4.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""),
            ("sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ""),
            ("voice.mp3", "audio/mpeg", ""),
            ("clip.mp4", "video/mp4", ""),
            ("config.json", "application/json", ""),
            ("attachment-12.bin", "application/octet-stream", ""),
        ),
    ),
    "rfc2231_filenames.eml": Expect(
        "eva@example.cz",
        "Faktury",
        "Posílám faktury v příloze.",
        name="Eva Nováková",
        attachments=(
            ("Faktura č. 2025–001.pdf", "application/pdf", ""),
            ("Příloha s velmi dlouhým názvem.pdf", "application/pdf", ""),
            ("Poznámky.txt", "text/plain", ""),
            ("secret_plan_.bin", "application/octet-stream", ""),  # no path, no characters Windows refuses
        ),
    ),
    "inline_cid_image.eml": Expect(
        "hugo@example.be",
        "Error dialog",
        "This dialog appears when I save:",
        name="Hugo Lambert",
        attachments=(("error.png", "image/png", "ii_m6xyz0@example.be"), ("image-2.gif", "image/gif", "logo-footer")),
        html='<img src="cid:ii_m6xyz0@example.be"',
    ),
    "apple_mail_inline_image.eml": Expect(  # both text parts around the image are the body
        "lucie@example.fr",
        "Scratch on the table",
        "Here is the scratch on the table top:\n\nAnd the second one on the leg.",
        name="Lucie Bernard",
        attachments=(("IMG_4411.png", "image/png", ""),),
    ),
    "forward_rfc822.eml": Expect(  # the forwarded mail is attached, not merged into the text
        "megan@example.com",
        "Fwd: Suspicious login alert",
        "Is this alert from you? I did not log in from Brazil.",
        name="Megan Price",
        attachments=(("Suspicious login alert.eml", "message/rfc822", ""),),
    ),
    "calendar_invite.eml": Expect(
        "rita@example.com",
        "Onboarding call",
        "Let's do the onboarding call on Wednesday.",
        name="Rita Ora",
        attachments=(("attachment-1.ics", "text/calendar", ""), ("invite.ics", "application/ics", "")),
        html="<p>Let's do the onboarding call on Wednesday.</p>",
    ),
    "winmail_dat.eml": Expect(
        "user@legacy-exchange.example",
        "Attached agreement",
        "The agreement is attached.",
        name="Old Exchange User",
        attachments=(("winmail.dat", "application/ms-tnef", ""), ("winmail.dat", "application/ms-tnef", "")),
    ),
    "pgp_signed.eml": Expect(
        "alice@example.org",
        "Key rotation",
        "Please use my new key from next week on.",
        name="Alice Crypto",
        attachments=(("signature.asc", "application/pgp-signature", ""),),
    ),
    "nested_structure.eml": Expect(
        "editor@example.net",
        "Nested structure",
        "Plain version of the question",
        name="Newsletter Editor",
        attachments=(("image-1.png", "image/png", "logo@example.net"), ("accounts.csv", "text/csv", "")),
        html="HTML version of the question",
    ),
    # Robots: stored, but never answered automatically.
    "autoreply_exchange_ooo.eml": Expect(
        "peter.brown@example.co.uk",
        "Automatic reply: [#120] Your ticket has been updated",
        "I am out of the office until 17 February",
        name="Peter Brown",
        automatic="auto-reply",
        reply_to_ids=("<helpdesk-120-5@helpdesk.example>",),
    ),
    "autoreply_rfc3834_de.eml": Expect(
        "sabine.wolf@beispiel.de",
        "Abwesenheitsnotiz: Ihre Anfrage",
        "Ich bin bis zum 20.02. nicht im Büro.",
        name="Sabine Wolf",
        automatic="auto-reply",
    ),
    "autoreply_x_autoreply.eml": Expect(
        "info@small-shop.example", "Re: Your order", "we answer within two working days", automatic="auto-reply"
    ),
    "auto_submitted_no.eml": Expect(
        "person@example.com", "Automatic reply settings question", "How do I set up", name="Real Person"
    ),
    "read_receipt_mdn.eml": Expect(
        "carla@example.mx",
        "Read: Your ticket [#134]",
        "Your message was read",
        name="Carla Diaz",
        automatic="auto-reply",
        reply_to_ids=("<helpdesk-134-1@helpdesk.example>",),  # a read receipt threads onto its ticket
        attachments=(("attachment-1.txt", "message/disposition-notification", ""),),
    ),
    "bulk_mailing_list.eml": Expect(
        "member@lists.example.org",
        "[dev] Release 2.4 planning",
        "Let's plan the 2.4 release next week.",
        name="Dev List Member",
        automatic="bulk",
    ),
    "bulk_newsletter.eml": Expect(
        "deals@news.example.com",
        "This week’s deals",
        "This week's deals\n\nHeadphones €49\nKeyboard €29",
        name="Example Deals",
        automatic="bulk",
        html="<script>track()</script>",  # kept as sent: the ingest service sanitises it
    ),
    "bounce_postfix_dsn.eml": Expect(
        "mailer-daemon@mx1.helpdesk.example",
        "Undelivered Mail Returned to Sender",
        "Delivery to nobody@example.org failed: 550 5.1.1 <nobody@example.org>: Recipient address rejected: "
        "User unknown",
        name="Mail Delivery System",
        quoted="I'm sorry to have to inform you",
        automatic="bounce",
        reply_to_ids=("<helpdesk-130-9@helpdesk.example>",),
        attachments=(
            ("attachment-1.txt", "message/delivery-status", ""),
            ("Re_ Your request [#130].eml", "message/rfc822", ""),
        ),
    ),
    "bounce_exchange_headers.eml": Expect(
        "postmaster@example-corp.onmicrosoft.example",
        "Undeliverable: Re: Quote request [#131]",
        "Delivery to sam@example-corp.example failed: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient "
        "sam@example-corp.example not found by SMTP address lookup\n"
        "Delivery to alex@example-corp.example is delayed: 4.4.7",
        name="Microsoft Outlook",
        quoted="Delivery has failed to these recipients or groups:",
        automatic="bounce",
        reply_to_ids=("<helpdesk-131-2@helpdesk.example>", "<helpdesk-131-3@helpdesk.example>"),
        attachments=(
            ("attachment-1.txt", "message/delivery-status", ""),
            ("attachment-2.txt", "text/rfc822-headers", ""),
        ),
    ),
    "bounce_exim_text.eml": Expect(
        "mailer-daemon@mail.example-host.example",
        "Mail delivery failed: returning message to sender",
        "Delivery to j.smith@example-host.example failed: 550 5.2.1 Mailbox disabled for this recipient",
        name="Mail Delivery System",
        quoted="------ This is a copy of the message, including all the headers. ------",
        automatic="bounce",
        reply_to_ids=("<helpdesk-132-4@helpdesk.example>",),
    ),
    "bounce_qmail_text.eml": Expect(
        "mailer-daemon@mx.old-isp.example",
        "failure notice",
        "Delivery to gone@old-isp.example failed: Remote host said: 554 5.7.1 <gone@old-isp.example>: Relay access",
        quoted="This is the qmail-send program",
        automatic="bounce",
        reply_to_ids=("<helpdesk-133-1@helpdesk.example>",),
    ),
    "huge_headers.eml": Expect(  # 200 Received lines; of 80 References the newest 50 are kept
        "relay@example.net",
        "Long thread",
        "This mail went through many relays.",
        name="Looping Relay",
        reply_to_ids=tuple(f"<thread-{i:03d}@example.net>" for i in range(30, 80)),
    ),
}


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_every_fixture_has_a_case():
    assert sorted(path.name for path in FIXTURES.glob("*.eml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_parses_to_the_expected_message(name):
    expected = CASES[name]

    msg = parse_email(load(name), raw_ref=f"fixtures/{name}")

    assert msg.channel == "email"
    assert msg.raw_ref == f"fixtures/{name}"
    assert msg.external_id.startswith("<") and msg.external_id.endswith(">")
    if expected.external_id:
        assert msg.external_id == expected.external_id
    assert (msg.sender_address, msg.sender_name) == (expected.sender, expected.name)
    assert msg.subject == expected.subject
    assert expected.text in msg.text
    if expected.quoted:
        assert expected.quoted in msg.quoted_text
        assert expected.quoted not in msg.text
    assert msg.automatic == expected.automatic
    assert msg.reply_to_ids == expected.reply_to_ids
    assert [(a.filename, a.content_type, a.content_id) for a in msg.attachments] == list(expected.attachments)
    assert all(a.content for a in msg.attachments)
    assert msg.cc_addresses == expected.cc
    assert msg.reply_address == expected.reply_address
    if expected.timestamp != "unchecked":
        assert msg.timestamp == expected.timestamp
    assert msg.timestamp is None or msg.timestamp.tzinfo == UTC
    assert expected.html in msg.html
    assert bool(msg.html) == bool(expected.html)


def test_the_ticket_number_in_the_subject_is_a_thread_hint():
    assert parse_email(load("gmail_reply_en.eml")).ticket_hint == 101
    assert parse_email(load("gmail_reply_de.eml")).ticket_hint is None


def test_html_only_mail_gets_its_text_from_the_html():
    msg = parse_email(load("gmail_html_only.eml"))

    assert "<div" not in msg.text
    assert msg.text.startswith("Hello team,\n\nthe export to CSV")


def test_a_mail_without_message_id_gets_a_stable_id_so_reimports_dedupe():
    raw = load("broken_no_message_id.eml")

    first, second = parse_email(raw), parse_email(raw)
    other = parse_email(raw.replace(b"5 percent", b"4 percent"))

    assert first.external_id == second.external_id
    assert first.external_id.endswith("@helpdesk.invalid>")
    assert other.external_id != first.external_id


def test_a_message_id_too_long_to_store_is_hashed_the_same_way_in_replies():
    long_id = "<" + "x" * 300 + "@example.com>"
    original = mail(f"Message-ID: {long_id}\r\n")
    reply = mail(f"Message-ID: <reply@example.com>\r\nIn-Reply-To: {long_id}\r\n")

    stored = parse_email(original).external_id

    assert len(stored) <= 255
    assert parse_email(reply).reply_to_ids == (stored,)


def test_a_forwarded_mail_is_attached_byte_for_byte_and_not_merged():
    msg = parse_email(load("forward_rfc822.eml"))

    (eml,) = msg.attachments
    assert eml.content.startswith(b"From: ACME Security <security@helpdesk.example>\r\n")
    assert b"Message-ID: <alert-991@helpdesk.example>\r\n" in eml.content
    assert b"A new login to your account from Sao Paulo, Brazil." in eml.content
    assert "Sao Paulo" not in msg.text + msg.quoted_text


def test_a_bounce_keeps_the_returned_message():
    msg = parse_email(load("bounce_postfix_dsn.eml"))

    returned = next(a for a in msg.attachments if a.content_type == "message/rfc822")
    assert b"Hello, your request has been solved." in returned.content
    assert b"Final-Recipient: rfc822; nobody@example.org" in msg.attachments[0].content


def test_a_mail_without_any_sender_is_refused_with_a_reason():
    raw = b"To: support@helpdesk.example\r\nSubject: who am I\r\nMessage-ID: <anon@example.com>\r\n\r\nHello\r\n"

    with pytest.raises(EmailParseError, match="no sender address"):
        parse_email(raw)


def test_line_endings_do_not_change_the_result():
    crlf = load("gmail_reply_en.eml")

    assert parse_email(crlf.replace(b"\r\n", b"\n")) == parse_email(crlf)


def test_nul_characters_are_dropped_because_databases_refuse_them():
    msg = parse_email(mail("Subject: a\x00b\r\n", body="Hello\x00 world\r\n"))

    assert (msg.subject, msg.text) == ("ab", "Hello world")


def test_unknown_charset_in_an_attachment_name_and_encoded_word_never_raises():
    msg = parse_email(
        mail(
            "Subject: =?no-such-charset?B?SGVsbG8=?= =?utf-8?B?!!!?=\r\nContent-Type: multipart/mixed; boundary=b\r\n",
            body="--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
            "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=zz-bogus''%E9t%E9.pdf\r\n"
            "\r\nPDF\r\n--b--\r\n",
        )
    )

    assert msg.subject == "Hello =?utf-8?B?!!!?="
    assert msg.attachments[0].filename.endswith(".pdf")


def mail(headers: str, body: str = "Hello\r\n") -> bytes:
    """A minimal valid mail with extra `headers` (CRLF-terminated lines)."""
    base = "From: Pat <pat@example.com>\r\nTo: support@helpdesk.example\r\n"
    if "message-id" not in headers.lower():
        base += "Message-ID: <m@example.com>\r\n"
    return (base + headers + "\r\n" + body).encode("utf-8")


# --- Caps: hostile mail is refused quickly, with a message naming the cap ---


def refused(raw: bytes, cap: str) -> None:
    with pytest.raises(EmailParseError, match=cap):
        parse_email(raw)


def test_a_mail_over_the_size_cap_is_refused():
    refused(b"x" * (inbound.MAX_MAIL_BYTES + 1), "MAX_MAIL_BYTES")


def test_a_mail_with_too_many_parts_is_refused():
    parts = "".join(f"--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(inbound.MAX_PARTS + 10))

    refused(mail("Content-Type: multipart/mixed; boundary=b\r\n", body=parts + "--b--\r\n"), "MAX_PARTS")


def test_a_mail_nested_too_deep_is_refused():
    depth = inbound.MAX_DEPTH + 5
    opening = "".join(f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n" for i in range(depth))
    closing = "".join(f"--b{i}--\r\n" for i in reversed(range(depth + 1)))

    refused(mail("Content-Type: multipart/mixed; boundary=b0\r\n", body=opening + closing), "MAX_DEPTH")


def test_mails_forwarded_inside_each_other_too_deep_are_refused():
    inner = b"From: a@example.com\r\n\r\nbottom\r\n"
    for _ in range(inbound.MAX_DEPTH + 5):
        inner = b"From: a@example.com\r\nContent-Type: message/rfc822\r\n\r\n" + inner

    refused(inner, "MAX_DEPTH")


def test_a_header_line_over_the_cap_is_refused():
    refused(mail(f"Subject: {'x' * (inbound.MAX_HEADER_LINE + 1)}\r\n"), "MAX_HEADER_LINE")


def test_a_folded_header_over_the_cap_is_refused():
    folded = "\r\n ".join(["word"] * (inbound.MAX_HEADER_LINE // 5))

    refused(mail(f"Subject: {folded}\r\n"), "MAX_HEADER_LINE")


def test_a_content_type_with_endless_parameters_is_refused_before_the_quadratic_parse():
    params = ';a="' + ";" * inbound.MAX_MIME_HEADER_LINE

    refused(mail(f"Content-Type: multipart/mixed{params}\r\n"), "MAX_MIME_HEADER_LINE")


def test_headers_over_the_total_cap_are_refused():
    filler = "".join(f"X-Filler-{i}: {'y' * 60}\r\n" for i in range(inbound.MAX_HEADER_BYTES // 60))

    refused(mail(filler), "MAX_HEADER_BYTES")


def test_a_part_with_huge_headers_is_refused():
    filler = "".join(f"X-Filler-{i}: {'y' * 60}\r\n" for i in range(inbound.MAX_HEADER_BYTES // 60))
    body = f"--b\r\n{filler}Content-Type: text/plain\r\n\r\nhi\r\n--b--\r\n"

    refused(mail("Content-Type: multipart/mixed; boundary=b\r\n", body=body), "MAX_HEADER_BYTES")


def test_parsing_stops_at_the_time_limit_also_in_a_worker_thread(monkeypatch):
    monkeypatch.setattr(inbound, "MAX_PARSE_SECONDS", 0.05)
    lines = "".join(f"--b\r\n\r\n{'z' * 70}\r\n" for _ in range(200_000))  # about 16 MB of tiny parts' lines
    raw = mail("Content-Type: multipart/mixed; boundary=c\r\n", body=lines)
    outcome: list[BaseException | float] = []

    def run() -> None:
        try:
            parse_email(raw)
        except EmailParseError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=10)

    (error,) = outcome
    assert "MAX_PARSE_SECONDS" in str(error)


# --- Pathological but within the caps: slow paths of the stdlib are avoided ---


def test_a_from_header_of_nested_comments_does_not_exhaust_the_stack():
    msg = parse_email(
        mail("Subject: x\r\n").replace(b"From: Pat <pat@example.com>", b"From: " + b"(" * 50_000 + b"x@y.z")
    )

    assert msg.sender_address == "x@y.z"


def test_parameters_within_the_cap_are_parsed():
    params = ';a="' + ";" * (inbound.MAX_MIME_HEADER_LINE - 100)
    raw = mail(f"Content-Type: text/plain{params}\r\n")

    assert parse_email(raw).text == "Hello"
