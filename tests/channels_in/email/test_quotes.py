"""split_reply: what the customer wrote vs. quoted history and signature; html_to_text."""

import pytest

from channels_in.email.quotes import html_to_text, split_reply


def test_a_mail_without_history_is_all_new_text():
    assert split_reply("Hello,\n\nmy printer is broken.\n\nPat\n") == ("Hello,\n\nmy printer is broken.\n\nPat", "")


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 3 Feb 2025 at 10:12, ACME Support <support@helpdesk.example> wrote:",
        "On 3 Feb 2025, at 10:12, ACME Support <support@helpdesk.example> wrote:",
        "On 03/02/2025 10:12, ACME Support wrote:",
        "Am Mo., 3. Feb. 2025 um 10:12 Uhr schrieb ACME Support <support@helpdesk.example>:",
        "Am 03.02.25 um 10:12 schrieb ACME Support:",
        "Le lun. 3 févr. 2025 à 10:12, ACME Support <support@helpdesk.example> a écrit :",
        "El lun, 3 feb 2025 a las 10:12, ACME Support (<support@helpdesk.example>) escribió:",
        "Op ma 3 feb. 2025 om 10:12 schreef ACME Support <support@helpdesk.example>:",
        "Il giorno lun 3 feb 2025 alle ore 10:12 ACME Support <support@helpdesk.example> ha scritto:",
    ],
)
def test_an_attribution_line_starts_the_history(attribution):
    text = f"Thanks, it works now.\n\n{attribution}\n> Please restart the router.\n"

    assert split_reply(text) == ("Thanks, it works now.", f"{attribution}\n> Please restart the router.")


def test_an_attribution_wrapped_over_two_lines_is_recognised():
    text = (
        "See the screenshot.\n\nOn Mon, 3 Feb 2025 at 10:12, A Very Long Department Name <\n"
        "department@example.com> wrote:\n\n> Can you send a screenshot?\n"
    )

    new, quoted = split_reply(text)

    assert new == "See the screenshot."
    assert quoted.startswith("On Mon, 3 Feb 2025 at 10:12, A Very Long Department Name <\n")


def test_unquoted_history_below_a_dated_attribution_is_history():
    text = "Yes.\n\nOn Mon, 3 Feb 2025 at 10:12, Support wrote:\nDo you want the upgrade?\n"

    assert split_reply(text) == ("Yes.", "On Mon, 3 Feb 2025 at 10:12, Support wrote:\nDo you want the upgrade?")


def test_a_sentence_that_mentions_writing_is_not_an_attribution():
    text = "On Friday my colleague wrote:\nthe invoice is wrong, please check it.\n"

    assert split_reply(text) == (text.strip(), "")


def test_a_bare_wrote_line_counts_only_above_quoted_lines():
    assert split_reply("Done.\n\nJohn Smith wrote:\n> Is it done?\n") == ("Done.", "John Smith wrote:\n> Is it done?")
    assert split_reply("My colleague wrote:\nnothing useful.\n") == ("My colleague wrote:\nnothing useful.", "")


@pytest.mark.parametrize(
    "block",
    [
        "From: ACME Support <support@helpdesk.example>\nSent: Monday, February 3, 2025 2:14 PM\n"
        "To: Tom <tom@example.com>\nSubject: RE: License",
        "Von: ACME Support <support@helpdesk.example>\nGesendet: Montag, 3. Februar 2025 14:14\n"
        "An: Tom <tom@example.com>\nBetreff: AW: Lizenz",
        "De : ACME Support <support@helpdesk.example>\nEnvoyé : lundi 3 février 2025 14:14\n"
        "À : Tom <tom@example.com>\nObjet : RE: Licence",
        "De: ACME Support <support@helpdesk.example>\nEnviado el: lunes, 3 de febrero de 2025 14:14\n"
        "Para: Tom <tom@example.com>\nAsunto: RE: Licencia",
        "Van: ACME Support <support@helpdesk.example>\nVerzonden: maandag 3 februari 2025 14:14\n"
        "Aan: Tom <tom@example.com>\nOnderwerp: RE: Licentie",
        "*From:* ACME Support <support@helpdesk.example>\n*Sent:* Monday, February 3, 2025 2:14 PM\n"
        "*To:* Tom <tom@example.com>\n*Subject:* RE: License",
    ],
)
def test_an_outlook_header_block_starts_the_history(block):
    text = f"Still broken.\n\nTom\n\n{block}\n\nHi Tom, is it fixed?\n"

    assert split_reply(text) == ("Still broken.\n\nTom", f"{block}\n\nHi Tom, is it fixed?")


def test_a_from_line_alone_is_not_a_header_block():
    text = "From: the warehouse we got a call.\nPlease check the order.\n"

    assert split_reply(text) == (text.strip(), "")


def test_the_separator_line_above_an_outlook_block_goes_with_the_history():
    text = "OK\n\n________________________________\nFrom: A <a@example.com>\nSent: today\nTo: b\nSubject: x\n\nold\n"

    assert split_reply(text)[1].startswith("________________________________\nFrom: A")


@pytest.mark.parametrize(
    "marker",
    [
        "-----Original Message-----",
        "----- Original Message -----",
        "-----Ursprüngliche Nachricht-----",
        "-------- Message d'origine --------",
        "-----Mensaje original-----",
        "-----Oorspronkelijk bericht-----",
    ],
)
def test_an_original_message_marker_starts_the_history(marker):
    assert split_reply(f"Cancel it please.\n\n{marker}\nFrom: shop\nold text\n") == (
        "Cancel it please.",
        f"{marker}\nFrom: shop\nold text",
    )


def test_a_forwarded_mail_stays_in_the_text():
    text = (
        "Please help with this one.\n\n---------- Forwarded message ---------\nFrom: Jane <jane@example.org>\n"
        "Date: Sun, 2 Feb 2025 at 20:00\nSubject: Broken\nTo: Pat <pat@example.com>\n\nThe lamp is broken.\n"
    )

    assert split_reply(text) == (text.strip(), "")


def test_answers_between_quotes_are_kept_with_their_quotes():
    text = "On 03/02/2025 10:12, Support wrote:\n> Which version?\n\n4.2.0\n\n> Wi-Fi too?\n\nNo.\n"

    assert split_reply(text) == (text.strip(), "")


def test_quotes_at_the_bottom_are_history_but_quotes_above_the_answer_are_context():
    text = "John wrote:\n> Is it done?\n\nYes, done.\n\n> Anything else?\n> Regards\n"

    assert split_reply(text) == ("John wrote:\n> Is it done?\n\nYes, done.", "> Anything else?\n> Regards")


@pytest.mark.parametrize("delimiter", ["-- ", "--"])
def test_the_signature_delimiter_starts_the_signature(delimiter):
    text = f"Please send a quote.\n\n{delimiter}\nGrace Hopper\n+1 555 0100\n"

    assert split_reply(text) == ("Please send a quote.", f"{delimiter}\nGrace Hopper\n+1 555 0100")


@pytest.mark.parametrize(
    "signature",
    [
        "Sent from my iPhone",
        "Sent from my Galaxy",
        "Get Outlook for Android",
        "Get Outlook for iOS",
        "Von meinem iPhone gesendet",
        "Envoyé de mon iPad",
        "Enviado desde mi iPhone",
        "Verzonden vanaf mijn iPhone",
    ],
)
def test_a_mobile_signature_goes_with_the_history(signature):
    text = f"On my way.\n\n{signature}\n\nOn 3 Feb 2025, at 10:12, Support <s@example.com> wrote:\n> When?\n"

    new, quoted = split_reply(text)

    assert new == "On my way."
    assert quoted.startswith(signature)


def test_a_mobile_signature_alone_at_the_end_is_split_off():
    assert split_reply("Thanks!\n\nSent from my iPhone\n") == ("Thanks!", "Sent from my iPhone")


def test_when_everything_would_be_history_the_whole_text_is_kept():
    text = "On Mon, 3 Feb 2025 at 10:12, Support wrote:\n> Is it fixed?\n"

    assert split_reply(text) == (text.strip(), "")


def test_nothing_is_lost_between_the_two_halves():
    text = "Hi\r\n\r\nIt works.\r\n\r\n-- \r\nJan\r\n\r\nOn Mon, 3 Feb 2025 at 10:12, S wrote:\r\n> old\r\n"

    new, quoted = split_reply(text)

    assert f"{new}\n\n{quoted}" == text.replace("\r\n", "\n").strip()


def test_html_to_text_keeps_line_breaks_and_paragraphs():
    html = "<html><body><div>Hi there,</div><div><br></div><p>Line one<br>Line two</p><p>Next &amp; last</p></body>"

    assert html_to_text(html) == "Hi there,\n\nLine one\nLine two\n\nNext & last"


def test_html_to_text_renders_blockquotes_as_quoted_lines():
    html = "<div>New</div><div>On Mon, X wrote:<blockquote>old<br>older<blockquote>oldest</blockquote></blockquote>"

    assert html_to_text(html) == "New\nOn Mon, X wrote:\n> old\n> older\n> > oldest\n>"


def test_html_to_text_drops_invisible_content_and_keeps_preformatted_text():
    html = (
        "<head><title>T</title><style>p{color:red}</style></head><script>alert(1)</script>"
        "<ul><li>one</li><li>two</li></ul><pre>  a  b\n  c</pre><table><tr><td>x</td><td>y</td></tr></table>"
    )

    assert html_to_text(html) == "- one\n- two\n\n  a  b\n  c\nx y"


def test_html_to_text_reports_progress_on_large_bodies():
    calls = []

    html_to_text("<p>word</p>" * 50_000, on_chunk=lambda: calls.append(1))

    assert len(calls) > 1


def test_a_huge_text_full_of_markers_loses_nothing():
    text = "\n".join(["On 1 Feb 2025, A wrote:", "> q", "answer", "x wrote:", ""] * 100_000)

    new, quoted = split_reply(text)

    assert squash(new) + squash(quoted) == squash(text)


def squash(text: str) -> str:
    return "".join(text.split())
