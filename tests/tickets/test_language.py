"""Language detection of what customers write: the language, or "" when it cannot be told."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tickets.language import detect_language, detect_languages

ENGLISH = "Hello, my order from last week has still not arrived and the tracking page shows no update."
GERMAN = "Hallo, meine Bestellung von letzter Woche ist immer noch nicht angekommen. Können Sie nachsehen?"
DANISH = "Hej, jeg kan ikke logge ind på min konto efter opdateringen. Kan I hjælpe mig med det?"
FRENCH = "Bonjour, je n'arrive plus à me connecter à mon compte depuis la mise à jour. Pouvez-vous m'aider ?"


@pytest.mark.parametrize(("text", "code"), [(ENGLISH, "en"), (GERMAN, "de"), (DANISH, "da"), (FRENCH, "fr")])
def test_the_language_of_a_message_is_detected(text, code):
    assert detect_language(text) == code


def test_quoted_reply_signature_links_and_addresses_do_not_count():
    text = (
        "Danke, aber es geht immer noch nicht.\n"
        "Siehe https://shop.example.com/orders/12345/tracking-information-for-your-order\n"
        "or write to customer.service.department@example.com\n\n"
        "On Monday, Support <support@example.com> wrote:\n"
        "> Hello, thank you for contacting us. Please try again and let us know whether it works now.\n"
        "> Kind regards, your support team\n"
        "-- \n"
        "Sent from my phone. This e-mail and any attachments are confidential and intended only for you.\n"
    )
    assert detect_language(text) == "de"


@pytest.mark.parametrize(
    "text", ["", "   \n", "Thanks!", "ok", "12345 67890 / 2024-11-23 +49 30 1234567", "> quoted only"]
)
def test_short_empty_or_numeric_text_gives_nothing(text):
    assert detect_language(text) == ""


def test_a_batch_gives_what_one_by_one_gives():
    texts = [ENGLISH, "", GERMAN, "Thanks!", DANISH, FRENCH]

    assert detect_languages(texts) == ["en", "", "de", "", "da", "fr"]
    assert detect_languages([]) == []


def test_only_the_configured_languages_are_ever_returned(settings):
    assert detect_language(DANISH) == "da"  # with the default languages

    settings.HELPDESK_LANGUAGES = ["en", "de"]

    assert detect_language(DANISH) in {"en", "de", ""}  # the detector built earlier is not reused
    assert detect_language(FRENCH) in {"en", "de", ""}
    assert set(detect_languages([DANISH, FRENCH, ENGLISH])) <= {"en", "de", ""}
    assert detect_language(GERMAN) == "de"


def test_a_wrong_language_code_in_the_settings_fails_loudly(settings):
    settings.HELPDESK_LANGUAGES = ["en", "english"]

    with pytest.raises(ImproperlyConfigured, match="HELPDESK_LANGUAGES"):
        detect_language(ENGLISH)
