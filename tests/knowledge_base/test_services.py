"""Saving, versions, restore, publishing, views and the search log (any database)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from knowledge_base import services
from knowledge_base.models import ArticleVersion, ArticleViewDay, SearchLog, Status
from knowledge_base.search import search
from tests.knowledge_base.conftest import translation_of

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered_sanitised_and_kept_as_text(make_article):
    article = make_article(
        "Reset your password",
        'Click **Forgot password**.\n\n<script>alert(1)</script><a href="javascript:alert(2)" onclick="x()">x</a>'
        "\n\n- one\n- two",
    )
    t = translation_of(article)
    assert "<strong>Forgot password</strong>" in t.body_html
    assert "<script" not in t.body_html and "javascript:" not in t.body_html and "onclick" not in t.body_html
    assert "<li>one</li>" in t.body_html
    assert t.body_text == "Click Forgot password.\n\nx\n\none\ntwo"
    assert t.slug == "reset-your-password"


def test_a_version_per_content_change_not_per_status_change(make_article, agent_alice):
    article = make_article("Reset your password", "First text.", status=Status.DRAFT)
    t = translation_of(article)
    services.save_translation(article=article, language="en", title=t.title, body="Second text.", by=agent_alice)
    services.publish(translation=t, by=agent_alice)
    services.save_translation(
        article=article, language="en", title=t.title, body="Second text.", status=Status.PUBLISHED, by=agent_alice
    )

    versions = list(ArticleVersion.objects.filter(translation=t).order_by("number"))
    assert [(v.number, v.body_source) for v in versions] == [(1, "First text."), (2, "Second text.")]
    assert versions[1].author == agent_alice
    t.refresh_from_db()
    assert t.status == Status.PUBLISHED and t.published_at is not None


def test_restore_brings_back_an_old_text_as_a_new_version(make_article, agent_alice):
    article = make_article("Refunds", "Refunds take ten days.")
    t = translation_of(article)
    services.save_translation(article=article, language="en", title="Refunds", body="Refunds take three days.")
    first = t.versions.get(number=1)

    services.restore_version(version=first, by=agent_alice)

    t.refresh_from_db()
    assert t.body_source == "Refunds take ten days." and "ten days" in t.body_html
    latest = t.versions.order_by("-number").first()
    assert (latest.number, latest.note, latest.author) == (3, "Restored version 1", agent_alice)
    assert t.status == Status.PUBLISHED
    if connection.vendor == "postgresql":  # the search vector follows the restored text
        assert search("ten", language="en")[0].title == "Refunds"
        assert search("three", language="en") == []


def test_unknown_language_and_empty_title_are_refused(make_article):
    article = make_article("Reset your password")
    with pytest.raises(ValidationError):
        services.save_translation(article=article, language="xx", title="T", body="")
    with pytest.raises(ValidationError):
        services.save_translation(article=article, language="de", title="   ", body="")


def test_unpublish_and_review(make_article):
    t = translation_of(make_article("Reset your password"))
    services.submit_for_review(translation=t)
    assert t.status == Status.REVIEW
    services.publish(translation=t)
    services.unpublish(translation=t)
    t.refresh_from_db()
    assert t.status == Status.DRAFT


def test_views_are_one_counter_row_per_day(make_article):
    t = translation_of(make_article("Reset your password"))
    for _ in range(3):
        services.record_view(translation=t)
    assert list(ArticleViewDay.objects.values_list("translation_id", "views")) == [(t.pk, 3)]


def test_search_log_keeps_normalised_queries_and_skips_empty_ones():
    services.log_search(query="  Reset   PASSWORD ", language="de-AT", results=0)
    services.log_search(query="   ", language="en", results=0)
    assert list(SearchLog.objects.values_list("query", "language", "results")) == [("reset password", "de", 0)]


def test_tags_are_normalised(make_article):
    article = make_article("Reset your password", tags=["Login", " login ", "Security"])
    assert sorted(article.tags.values_list("name", flat=True)) == ["login", "security"]
