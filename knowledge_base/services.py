"""Writes to the knowledge base. Admin, help centre and API call these; nothing else saves articles.

Saving a translation renders its Markdown to sanitised HTML, keeps a version when the content
changed and rebuilds its search vector, in one transaction. Search itself is in `search.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from knowledge_base import conf
from knowledge_base.markup import html_to_text, render_markdown
from knowledge_base.models import (
    Article,
    ArticleFeedback,
    ArticleTag,
    ArticleTranslation,
    ArticleVersion,
    ArticleViewDay,
    SearchLog,
    SearchSource,
    Section,
    Status,
)
from knowledge_base.search import normalise_query, search_config

MAX_COMMENT_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FeedbackError(Exception):
    """A vote that is not counted; the message says why, for the visitor."""


class FeedbackRateLimitError(FeedbackError):
    """Over the hourly budget of the client's IP."""


def create_article(
    *,
    section: Section,
    title: str,
    body: str,
    by=None,
    language: str = "",
    summary: str = "",
    internal: bool = False,
    tags: Iterable[str] = (),
    status: str = Status.DRAFT,
) -> Article:
    """A new article with its first translation (default language unless given) and version 1."""
    with transaction.atomic():
        article = Article.objects.create(section=section, internal=internal, author=by)
        set_tags(article=article, names=tags)
        save_translation(
            article=article,
            language=language or conf.default_language(),
            title=title,
            summary=summary,
            body=body,
            status=status,
            by=by,
        )
    return article


def save_translation(
    *,
    article: Article,
    language: str,
    title: str,
    body: str,
    by=None,
    summary: str = "",
    status: str | None = None,
    note: str = "",
) -> ArticleTranslation:
    """Creates or updates `article` in `language`; a content change adds a version; the search vector is current.

    Locks the translation row, so two editors' saves get consecutive version numbers.
    """
    language = conf.normalise_language(language)
    if language not in conf.languages():
        raise ValidationError({"language": f"'{language}' is not one of the help centre's languages."})
    title, summary = " ".join(title.split()), " ".join(summary.split())
    if not title:
        raise ValidationError({"title": "An article needs a title."})
    if status is not None and status not in Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    with transaction.atomic():
        translation = ArticleTranslation.objects.select_for_update().filter(article=article, language=language).first()
        if translation is None:
            translation = ArticleTranslation(article=article, language=language)
            changed = True
        else:
            changed = (title, summary, body) != (translation.title, translation.summary, translation.body_source)
        translation.title, translation.summary, translation.body_source = title, summary, body
        translation.slug = slugify(title)[:200] or "article"
        translation.body_html = render_markdown(body)
        translation.body_text = html_to_text(translation.body_html)
        if status is not None:
            _apply_status(translation, status)
        if changed:
            translation.author = by
        translation.save()
        if changed:
            number = (translation.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            ArticleVersion.objects.create(
                translation=translation,
                number=number,
                title=title,
                summary=summary,
                body_source=body,
                author=by,
                note=note,
            )
            update_search_vectors(ArticleTranslation.objects.filter(pk=translation.pk), language=language)
    return translation


def update_search_vectors(translations, *, language: str) -> int:
    """Rebuilds the search vectors (title A, summary and body B; title alone) of translations in one language.

    An UPDATE from the stored columns, so the text is not sent twice. PostgreSQL only; a no-op
    elsewhere. Returns the rows updated.
    """
    if connection.vendor != "postgresql":
        return 0
    config = search_config(language)
    return translations.filter(language=language).update(
        search_vector=SearchVector("title", weight="A", config=config)
        + SearchVector("summary", "body_text", weight="B", config=config),
        title_vector=SearchVector("title", config=config),
    )


def publish(*, translation: ArticleTranslation, by=None) -> ArticleTranslation:
    """Shows the translation in the help centre (unless the article is internal)."""
    return set_status(translation=translation, status=Status.PUBLISHED, by=by)


def unpublish(*, translation: ArticleTranslation, by=None) -> ArticleTranslation:
    """Takes the translation out of the help centre: back to draft."""
    return set_status(translation=translation, status=Status.DRAFT, by=by)


def submit_for_review(*, translation: ArticleTranslation, by=None) -> ArticleTranslation:
    return set_status(translation=translation, status=Status.REVIEW, by=by)


def set_status(*, translation: ArticleTranslation, status: str, by=None) -> ArticleTranslation:
    """Moves a translation between draft, in review and published; content and versions stay."""
    if status not in Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if translation.status != status:
        _apply_status(translation, status)
        translation.save(update_fields=["status", "published_at", "updated_at"])
    return translation


def restore_version(*, version: ArticleVersion, by=None) -> ArticleTranslation:
    """Makes an old version the current text again, as a new version; the status is unchanged."""
    translation = version.translation
    return save_translation(
        article=translation.article,
        language=translation.language,
        title=version.title,
        summary=version.summary,
        body=version.body_source,
        by=by,
        note=f"Restored version {version.number}",
    )


def set_tags(*, article: Article, names: Iterable[str]) -> None:
    cleaned = list(dict.fromkeys(" ".join(name.split()).lower()[:50] for name in names if name.strip()))
    article.tags.set([ArticleTag.objects.get_or_create(name=name)[0] for name in cleaned])


def record_feedback(
    *, translation: ArticleTranslation, helpful: bool, comment: str = "", client: str = ""
) -> ArticleFeedback:
    """Stores one "did this help?" answer, at most one per client and article a day and a budget per hour.

    `client` identifies the visitor (their IP); the limits live in the cache, never in the database.
    """
    if not translation.is_published or translation.article.internal:
        raise FeedbackError("This article is not published.")
    budget_key = f"kb:feedback:{client}"
    cache.add(budget_key, 0, timeout=3600)
    if cache.incr(budget_key) > conf.feedback_max_per_hour():
        raise FeedbackRateLimitError("Too many answers from your network in the last hour; please try again later.")
    if not cache.add(f"kb:voted:{client}:{translation.pk}", 1, timeout=24 * 3600):
        raise FeedbackError("You already told us about this article. Thank you!")
    comment = _CONTROL.sub("", comment).strip()[:MAX_COMMENT_CHARS]
    return ArticleFeedback.objects.create(translation=translation, helpful=helpful, comment=comment)


def record_view(*, translation: ArticleTranslation) -> None:
    """Counts one view on today's counter row: one upsert, no row per view."""
    table = ArticleViewDay._meta.db_table
    with connection.cursor() as cursor:
        # ON CONFLICT works on PostgreSQL and SQLite alike; a plain UPDATE-then-INSERT would race.
        cursor.execute(
            f"INSERT INTO {table} (translation_id, day, views) VALUES (%s, %s, 1) "  # noqa: S608 - our own table
            f"ON CONFLICT (translation_id, day) DO UPDATE SET views = {table}.views + 1",
            [translation.pk, timezone.now().date()],
        )


def log_search(*, query: str, language: str, results: int, source: str = SearchSource.HELP_CENTRE) -> None:
    """Remembers a search someone ran (one INSERT), for the admins' reports; empty queries are not kept."""
    text = normalise_query(query).lower()
    if text:
        SearchLog.objects.create(query=text, language=conf.normalise_language(language), results=results, source=source)


def _apply_status(translation: ArticleTranslation, status: str) -> None:
    if status == Status.PUBLISHED and translation.status != Status.PUBLISHED:
        translation.published_at = timezone.now()
    translation.status = status
