"""Search behaviour that holds on both databases; the word-matching fallback used on SQLite."""

import pytest

from knowledge_base.models import Status
from knowledge_base.search import _search_simple, normalise_query, search, suggest, visible_translations

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(make_article):
    make_article("Reset your password", "Click Forgot password and follow the link we send.")
    make_article("Download an invoice", "Open Orders and click Download invoice. Your password is not needed.")
    make_article("Passwords for agents", "Internal rules.", internal=True)
    make_article("Password draft", "Not ready.", status=Status.DRAFT)
    make_article("Track your order", "Use the tracking link.", translations={"de": ("Bestellung verfolgen", "Link.")})


def test_search_finds_published_public_articles_best_first(articles):
    hits = search("password", language="en")
    assert [h.title for h in hits] == ["Reset your password", "Download an invoice"]
    assert "<mark>" in hits[0].title_html.lower()


def test_staff_search_includes_internal_articles(articles):
    assert "Passwords for agents" in [h.title for h in search("password", language="en", include_internal=True)]


def test_simple_fallback_requires_every_word_and_marks_them(articles):
    visible = visible_translations(languages=["en"], include_internal=False)
    hits = _search_simple("invoice password", visible=visible, language="en", limit=10)
    assert [h.title for h in hits] == ["Download an invoice"]
    assert "<mark>invoice</mark>" in hits[0].title_html.lower()
    assert "<mark>password</mark>" in hits[0].snippet
    assert _search_simple("nothing-like-this", visible=visible, language="en", limit=10) == []


def test_simple_fallback_escapes_html_in_snippets(make_article):
    make_article("Compare plans", "If price < 10 EUR choose the plan called Pro.")
    visible = visible_translations(languages=["en"], include_internal=False)
    hit = _search_simple("plan", visible=visible, language="en", limit=10)[0]
    assert "&lt; 10 EUR" in hit.snippet and "<mark>plan</mark>" in hit.snippet


def test_german_visitor_gets_german_translation_and_english_fallbacks(articles):
    hits = search("verfolgen", language="de")
    assert hits[0].title == "Bestellung verfolgen" and hits[0].url.endswith("?lang=de") and not hits[0].fallback
    english = search("invoice", language="de")
    assert english[0].title == "Download an invoice" and english[0].fallback


def test_suggest_never_offers_internal_articles(articles):
    assert [s.title for s in suggest("password", language="en")][:1] == ["Reset your password"]
    assert "Passwords for agents" not in [s.title for s in suggest("password agents", language="en")]
    assert suggest("", language="en") == []


def test_queries_are_normalised():
    assert normalise_query(" a\x00b \n c ") == "a b c"
    assert len(normalise_query("x" * 500)) == 200
    assert search("\x00", language="en") == []
