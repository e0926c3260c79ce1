"""What admins see: the reports (least helpful, searches that found nothing) and the editing screens."""

import pytest
from django.urls import reverse

from knowledge_base import selectors, services
from knowledge_base.models import Article, ArticleFeedback, ArticleTranslation, SearchLog, Status
from tests.knowledge_base.conftest import translation_of

pytestmark = pytest.mark.django_db


def _votes(translation, yes: int, no: int):
    for n in range(yes + no):
        ArticleFeedback.objects.create(translation=translation, helpful=n < yes, comment="bad" if n == 0 else "")


def test_least_helpful_lowest_share_of_yes_first(make_article):
    good, bad, few = (translation_of(make_article(t)) for t in ("Good", "Bad", "Few votes"))
    _votes(good, yes=9, no=1)
    _votes(bad, yes=1, no=4)
    _votes(few, yes=0, no=2)
    services.record_view(translation=bad)

    rows = selectors.least_helpful(min_votes=3)
    assert [(r["title"], r["yes"], r["no"], r["views"]) for r in rows] == [("Bad", 1, 4, 1), ("Good", 9, 1, 0)]
    assert rows[0]["helpful_share"] == pytest.approx(0.2)


def test_zero_result_searches_are_counted(db):
    for query, results in [("refund", 3), ("teleporter", 0), ("teleporter", 0), ("warp drive", 0), ("refund", 2)]:
        services.log_search(query=query, language="en", results=results)
    zero = selectors.search_terms(zero_results_only=True)
    assert [(r["query"], r["searches"]) for r in zero] == [("teleporter", 2), ("warp drive", 1)]
    top = selectors.search_terms()
    assert [(r["query"], r["searches"]) for r in top][:1] == [("refund", 2)]


def test_reports_page(client, admin_ada, make_article):
    _votes(translation_of(make_article("Bad article")), yes=0, no=3)
    services.log_search(query="teleporter", language="en", results=0)
    client.force_login(admin_ada)
    page = client.get(reverse("admin:knowledge_base_article_reports")).content.decode()
    assert "Bad article" in page and "teleporter" in page
    assert client.get(reverse("admin:knowledge_base_article_changelist")).status_code == 200
    assert client.get(reverse("admin:knowledge_base_searchlog_changelist"), {"found": "no"}).status_code == 200


def test_agents_cannot_open_the_admin_reports(client, agent_alice):
    client.force_login(agent_alice)
    assert client.get(reverse("admin:knowledge_base_article_reports")).status_code == 302  # to the admin login


def test_admin_creates_an_article_with_a_translation_inline(client, admin_ada, section):
    client.force_login(admin_ada)
    prefix = "translations"
    response = client.post(
        reverse("admin:knowledge_base_article_add"),
        {
            "section": section.pk,
            "position": 0,
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
            f"{prefix}-0-language": "en",
            f"{prefix}-0-title": "Change your e-mail address",
            f"{prefix}-0-summary": "",
            f"{prefix}-0-body_source": "Go to **Profile**.<script>alert(1)</script>",
            f"{prefix}-0-status": Status.PUBLISHED,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    t = ArticleTranslation.objects.get()
    assert t.body_html == "<p>Go to <strong>Profile</strong>.</p>"
    assert t.versions.count() == 1 and t.author == admin_ada and t.article.author == admin_ada
    change = client.get(reverse("admin:knowledge_base_article_change", args=[t.article_id]))
    assert "Version history (1)" in change.content.decode()


def test_admin_edits_a_translation_and_restores_a_version(client, admin_ada, make_article):
    t = translation_of(make_article("Refunds", "Ten days."))
    client.force_login(admin_ada)
    response = client.post(
        reverse("admin:knowledge_base_articletranslation_change", args=[t.pk]),
        {"title": "Refunds", "summary": "", "body_source": "Three days.", "status": Status.PUBLISHED},
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.body_source == "Three days." and t.versions.count() == 2

    versions_url = reverse("admin:knowledge_base_articletranslation_versions", args=[t.pk])
    page = client.get(versions_url).content.decode()
    assert "Ten days." in page and "Three days." in page
    first = t.versions.get(number=1)
    assert client.post(versions_url, {"version": first.pk}).status_code == 302
    t.refresh_from_db()
    assert t.body_source == "Ten days." and t.versions.count() == 3


def test_publish_and_unpublish_actions(client, admin_ada, make_article):
    article = make_article("Draft one", status=Status.DRAFT, translations={"de": ("Entwurf", "Text")})
    client.force_login(admin_ada)
    url = reverse("admin:knowledge_base_article_changelist")
    client.post(url, {"action": "publish_translations", "_selected_action": [article.pk]})
    assert set(article.translations.values_list("status", flat=True)) == {Status.PUBLISHED}
    client.post(url, {"action": "unpublish_translations", "_selected_action": [article.pk]})
    assert set(article.translations.values_list("status", flat=True)) == {Status.DRAFT}
    assert Article.objects.count() == 1 and SearchLog.objects.count() == 0
