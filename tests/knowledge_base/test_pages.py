"""The public help centre: what a visitor sees, in which language, and what stays hidden."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge_base.models import ArticleViewDay, SearchLog, Section, Status
from tests.knowledge_base.conftest import translation_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_article(make_article):
    return make_article(
        "Reset your password",
        "Click **Forgot password** on the sign-in page.",
        summary="Choose a new password with a link we e-mail you.",
        translations={"de": ("Passwort zurücksetzen", "Klicken Sie auf **Passwort vergessen**.")},
    )


@pytest.fixture
def english_only(make_article):
    return make_article("Download an invoice", "Open Orders and click Download invoice.")


def article_url(article, language="en", **params):
    t = translation_of(article, language)
    url = reverse("kb:article", kwargs={"pk": article.pk, "slug": t.slug})
    return url, params


def test_home_lists_categories_and_sections_that_have_articles(client, password_article, section):
    Section.objects.create(category=section.category, name="Empty section", slug="empty")
    page = client.get(reverse("kb:home")).content.decode()
    assert "Account" in page and "Signing in" in page
    assert "Empty section" not in page


def test_article_page_shows_the_article_with_seo_tags(client, password_article):
    url, _ = article_url(password_article)
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Forgot password</strong>" in page
    assert '<html lang="en">' in page
    assert f'<link rel="canonical" href="http://testserver{url}">' in page
    assert '<meta name="description" content="Choose a new password with a link we e-mail you.">' in page
    german = url.replace("reset-your-password", "passwort-zurucksetzen")
    assert f'<link rel="alternate" hreflang="de" href="http://testserver{german}?lang=de">' in page
    assert "Accept-Language" in response["Vary"]


def test_accept_language_picks_the_translation(client, password_article):
    url, _ = article_url(password_article)
    response = client.get(url, headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"})
    # The German translation has its own slug: one redirect, keeping the visitor's language.
    assert response.status_code == 301
    page = client.get(response["Location"], headers={"accept-language": "de-DE,de;q=0.9"}).content.decode()
    assert "Passwort zurücksetzen" in page and '<html lang="de">' in page
    assert "not available in" not in page


def test_lang_parameter_wins_over_accept_language(client, password_article):
    url, _ = article_url(password_article, "de")
    page = client.get(url, {"lang": "de"}, headers={"accept-language": "da"}).content.decode()
    assert "Passwort zurücksetzen" in page
    assert f'<link rel="canonical" href="http://testserver{url}?lang=de">' in page


def test_missing_translation_falls_back_to_default_with_a_notice(client, english_only):
    url, _ = article_url(english_only)
    page = client.get(url, {"lang": "de"}).content.decode()
    assert "Download an invoice" in page
    assert "kb-fallback" in page
    assert '<html lang="en">' in page  # the text is English
    assert f'<link rel="canonical" href="http://testserver{url}">' in page  # the English page is the original


def test_unknown_slug_redirects_to_the_canonical_url(client, password_article):
    response = client.get(reverse("kb:article", kwargs={"pk": password_article.pk, "slug": "old-title"}))
    assert response.status_code == 301
    assert response["Location"] == article_url(password_article)[0]
    assert client.get(reverse("kb:article-short", kwargs={"pk": password_article.pk})).status_code == 301


def test_internal_article_is_404_for_the_public_and_customers_but_shown_to_agents(
    client, make_article, customer_dana, agent_alice
):
    article = make_article("Escalating refunds", "Ask the team lead.", internal=True)
    url, _ = article_url(article)
    assert client.get(url).status_code == 404
    client.force_login(customer_dana.user)
    assert client.get(url).status_code == 404
    assert "Escalating refunds" not in client.get(reverse("kb:search"), {"q": "refunds"}).content.decode()
    client.force_login(agent_alice)
    page = client.get(url).content.decode()
    assert "Escalating refunds" in page and "kb-internal-note" in page and 'content="noindex"' in page


def test_unpublished_articles_are_404(client, make_article):
    article = make_article("Gift cards", "Soon.", status=Status.DRAFT)
    assert client.get(article_url(article)[0]).status_code == 404
    assert "Gift cards" not in client.get(reverse("kb:home")).content.decode()


def test_category_and_section_pages_in_the_visitors_language(client, password_article, english_only, section):
    page = client.get(section.category.get_absolute_url(), {"lang": "de"}).content.decode()
    assert "Konto" in page and "Anmelden" in page
    assert "Passwort zurücksetzen" in page and "Download an invoice" in page  # the latter marked as English
    section_page = client.get(section.get_absolute_url()).content.decode()
    assert "Reset your password" in section_page and "Choose a new password" in section_page
    assert client.get(reverse("kb:category", kwargs={"slug": "nope"})).status_code == 404


def test_search_page_highlights_and_logs(client, password_article):
    page = client.get(reverse("kb:search"), {"q": "password"}).content.decode()
    assert "Reset your <mark>password</mark>" in page
    assert 'content="noindex"' in page
    client.get(reverse("kb:search"), {"q": "quantum teleporter"})
    client.get(reverse("kb:search"), {"q": "Quantum  teleporter"})
    assert list(SearchLog.objects.order_by("pk").values_list("query", "results")) == [
        ("password", 1),
        ("quantum teleporter", 0),
        ("quantum teleporter", 0),
    ]
    assert "Ask our team" in client.get(reverse("kb:search"), {"q": "quantum teleporter"}).content.decode()


def test_search_with_odd_input_is_not_an_error(client, password_article):
    for q in ["a\x00b", "x" * 1000, "'\"", "!!! & | :*", ""]:
        assert client.get(reverse("kb:search"), {"q": q}).status_code == 200


def test_views_are_counted_for_visitors_not_staff_or_robots(client, password_article, agent_alice):
    url, _ = article_url(password_article)
    client.get(url)
    client.get(url)
    client.get(url, headers={"user-agent": "Googlebot/2.1"})
    client.force_login(agent_alice)
    client.get(url)
    assert list(ArticleViewDay.objects.values_list("views", flat=True)) == [2]


def test_suggest_endpoint(client, password_article):
    data = client.get(reverse("kb:suggest"), {"q": "forgot my passw"}).json()
    assert data["results"][0]["title"] == "Reset your password"


def _queries(client, url, params=None) -> int:
    client.get(url, params)  # warm the per-process caches (offered languages)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_counts_do_not_grow_with_articles(client, make_article, section):
    def pages():
        return {
            "home": _queries(client, reverse("kb:home")),
            "category": _queries(client, section.category.get_absolute_url()),
            "section": _queries(client, section.get_absolute_url()),
            "search": _queries(client, reverse("kb:search"), {"q": "printer"}),
            "search_de": _queries(client, reverse("kb:search"), {"q": "printer", "lang": "de"}),
        }

    first = make_article("Printer 0", "printer", translations={"de": ("Drucker 0", "printer")})
    make_article("Printer 1", "printer")
    few = pages()
    for n in range(2, 12):
        make_article(f"Printer {n}", "printer", translations={"de": (f"Drucker {n}", "printer")} if n % 2 else None)
    first.related.add(*first.section.articles.exclude(pk=first.pk)[:5])
    many = pages()
    assert few == many
    article_few = _queries(client, article_url(first)[0])
    assert article_few <= 7


def test_help_centre_speaks_the_visitors_language(client, password_article):
    page = client.get(reverse("kb:home"), headers={"accept-language": "de"}).content.decode()
    assert "Wie können wir helfen?" in page and "Konto" in page
    danish = client.get(reverse("kb:search"), {"q": "xyz", "lang": "da"}).content.decode()
    assert "Ingen artikler matcher din søgning" in danish
