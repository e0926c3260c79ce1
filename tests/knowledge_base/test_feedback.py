""" "Did this help?": stored per translation, CSRF-protected, limited per client IP."""

import pytest
from django.test import Client
from django.urls import reverse

from knowledge_base.models import ArticleFeedback, Status
from tests.knowledge_base.conftest import translation_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article):
    return make_article("Reset your password", translations={"de": ("Passwort zurücksetzen", "Text.")})


def vote(client, article, helpful="yes", language="en", comment="", **extra):
    url = reverse("kb:feedback", kwargs={"pk": article.pk})
    return client.post(url, {"helpful": helpful, "language": language, "comment": comment}, **extra)


def test_a_vote_is_stored_on_the_translation_read(client, article):
    response = vote(client, article, "no", language="de", comment="Der Link ist abgelaufen.")
    assert response.status_code == 302
    assert response["Location"] == translation_of(article, "de").get_absolute_url() + "&voted=no#feedback"
    feedback = ArticleFeedback.objects.get()
    assert (feedback.translation, feedback.helpful, feedback.comment) == (
        translation_of(article, "de"),
        False,
        "Der Link ist abgelaufen.",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Wir verbessern den Artikel damit" in page and 'name="helpful"' not in page


def test_csrf_token_is_required():
    csrf_client = Client(enforce_csrf_checks=True)
    from knowledge_base.models import Article

    article = Article.objects.none()  # no article needed: the CSRF check comes first
    response = csrf_client.post(reverse("kb:feedback", kwargs={"pk": 1}), {"helpful": "yes", "language": "en"})
    assert response.status_code == 403
    assert not ArticleFeedback.objects.exists() and not article


def test_the_article_page_form_carries_the_csrf_token(client, article):
    page = client.get(translation_of(article).get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and 'value="yes"' in page and 'value="no"' in page


def test_one_vote_per_visitor_and_article_a_day(client, article):
    vote(client, article, "yes")
    response = vote(client, article, "no")
    assert response.status_code == 302
    assert ArticleFeedback.objects.count() == 1
    assert response["Location"].endswith("?voted=again#feedback")
    assert "already told us" in client.get(response["Location"]).content.decode()


def test_votes_per_ip_are_limited(client, make_article, settings):
    settings.KB_FEEDBACK_MAX_PER_HOUR = 2
    articles = [make_article(f"Article {n}") for n in range(3)]
    assert vote(client, articles[0]).status_code == 302
    assert vote(client, articles[1]).status_code == 302
    refused = vote(client, articles[2])
    assert refused.status_code == 429
    assert "Too many answers" in refused.content.decode()
    assert ArticleFeedback.objects.count() == 2
    # Another network still may.
    assert vote(client, articles[2], REMOTE_ADDR="203.0.113.9").status_code == 302


def test_no_feedback_on_internal_unpublished_or_unknown_articles(client, make_article):
    internal = make_article("Internal", internal=True)
    draft = make_article("Draft", status=Status.DRAFT)
    assert vote(client, internal).status_code == 404
    assert vote(client, draft).status_code == 404
    assert vote(client, draft, language="de").status_code == 404
    assert client.post(reverse("kb:feedback", kwargs={"pk": 999999}), {"helpful": "maybe"}).status_code == 404
    assert not ArticleFeedback.objects.exists()
