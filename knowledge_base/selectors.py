"""Reads for the help centre pages and the admins' reports, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Avg, Count, F, FloatField, IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone

from knowledge_base import conf
from knowledge_base.models import (
    ArticleTranslation,
    ArticleViewDay,
    Category,
    Localized,
    SearchLog,
    Section,
    Status,
)
from knowledge_base.search import search_languages, visible_translations


@dataclass(frozen=True)
class ArticleLink:
    article_id: int
    title: str
    description: str
    url: str
    language: str
    fallback: bool
    internal: bool


@dataclass
class SectionCard:
    section: Section
    text: Localized
    articles: list[ArticleLink] = field(default_factory=list)


@dataclass
class CategoryCard:
    category: Category
    text: Localized
    sections: list[SectionCard] = field(default_factory=list)


@dataclass(frozen=True)
class ArticlePage:
    translation: ArticleTranslation  # the one shown (article, section and category joined)
    fallback: bool  # not in the language asked for
    translations: list[ArticleTranslation]  # every published language, for hreflang and the switcher
    related: list[ArticleLink]
    tags: list[str]


def help_centre_home(*, language: str, include_internal: bool) -> list[CategoryCard]:
    """Categories with their sections that have something to read; three queries."""
    with_articles = set(
        visible_translations(languages=search_languages(language), include_internal=include_internal)
        .order_by()
        .values_list("article__section_id", flat=True)
        .distinct()
    )
    cards = []
    for category in Category.objects.prefetch_related("sections"):
        sections = [SectionCard(s, s.localized(language)) for s in category.sections.all() if s.pk in with_articles]
        if sections:
            cards.append(CategoryCard(category, category.localized(language), sections))
    return cards


def category_page(*, slug: str, language: str, include_internal: bool) -> CategoryCard:
    """A category, its sections and their articles; three queries. 404 when nothing is visible."""
    category = Category.objects.filter(slug=slug).prefetch_related("sections").first()
    if category is None:
        raise Http404("No such category.")
    sections = list(category.sections.all())
    links = article_links(section_ids=[s.pk for s in sections], language=language, include_internal=include_internal)
    cards = [SectionCard(s, s.localized(language), links[s.pk]) for s in sections if links.get(s.pk)]
    if not cards:
        raise Http404("Nothing published in this category.")
    return CategoryCard(category, category.localized(language), cards)


def section_page(*, pk: int, language: str, include_internal: bool) -> SectionCard:
    """A section and its articles; two queries. 404 when nothing is visible."""
    section = Section.objects.select_related("category").filter(pk=pk).first()
    if section is None:
        raise Http404("No such section.")
    links = article_links(section_ids=[section.pk], language=language, include_internal=include_internal)
    if not links.get(section.pk):
        raise Http404("Nothing published in this section.")
    return SectionCard(section, section.localized(language), links[section.pk])


def article_links(*, section_ids: list[int], language: str, include_internal: bool) -> dict[int, list[ArticleLink]]:
    """The visible articles of these sections in the visitor's language (else the default), in order; one query."""
    rows = (
        visible_translations(languages=search_languages(language), include_internal=include_internal)
        .filter(article__section_id__in=section_ids)
        .select_related("article")
        .only("pk", "article_id", "language", "title", "slug", "summary", "body_text", "article")
        .order_by("article__position", "article_id")
    )
    return _grouped_links(rows, language=language, key=lambda t: t.article.section_id)


def article_page(*, pk: int, language: str, include_internal: bool) -> ArticlePage:
    """The article in the visitor's language, else the default, else any published one; four queries."""
    translations = list(
        ArticleTranslation.objects.filter(article_id=pk, status=Status.PUBLISHED)
        .select_related("article__section__category")
        .defer("search_vector")
    )
    if not translations or (translations[0].article.internal and not include_internal):
        raise Http404("No such article.")
    by_language = {t.language: t for t in translations}
    shown = by_language.get(language) or by_language.get(conf.default_language()) or translations[0]
    related_rows = (
        visible_translations(languages=search_languages(language), include_internal=include_internal)
        .filter(article__related=pk)
        .select_related("article")
        .only("pk", "article_id", "language", "title", "slug", "summary", "body_text", "article")
        .order_by("article__position", "article_id")
    )
    related = _grouped_links(related_rows, language=language, key=lambda t: 0).get(0, [])
    tags = list(shown.article.tags.values_list("name", flat=True))
    return ArticlePage(shown, shown.language != language, translations, related, tags)


def offered_languages() -> list[str]:
    """Languages with at least one public article, default first: the help centre's language switcher."""
    found = set(
        ArticleTranslation.objects.filter(status=Status.PUBLISHED, article__internal=False)
        .order_by()
        .values_list("language", flat=True)
        .distinct()
    )
    return [code for code in conf.languages() if code in found]


def _grouped_links(rows, *, language: str, key) -> dict[int, list[ArticleLink]]:
    chosen: dict[int, ArticleTranslation] = {}
    for t in rows:
        if t.article_id not in chosen or t.language == language:
            chosen[t.article_id] = t
    grouped: dict[int, list[ArticleLink]] = {}
    for t in chosen.values():
        grouped.setdefault(key(t), []).append(
            ArticleLink(
                t.article_id,
                t.title,
                t.description,
                t.get_absolute_url(),
                t.language,
                t.language != language,
                t.article.internal,
            )
        )
    return grouped


# Reports for admins.


def least_helpful(*, days: int = 90, min_votes: int = 3, limit: int = 25) -> list[dict]:
    """Translations with at least `min_votes` answers in the period, the lowest share of "yes" first."""
    since = timezone.now() - timedelta(days=days)
    views = (
        ArticleViewDay.objects.filter(translation=OuterRef("pk"), day__gte=since.date())
        .values("translation")
        .annotate(n=Sum("views"))
        .values("n")
    )
    in_period = Q(feedback__created_at__gte=since)
    rows = (
        ArticleTranslation.objects.annotate(
            yes=Count("feedback", filter=in_period & Q(feedback__helpful=True)),
            no=Count("feedback", filter=in_period & Q(feedback__helpful=False)),
            comments=Count("feedback", filter=in_period & ~Q(feedback__comment="")),
        )
        .annotate(votes=F("yes") + F("no"))
        .filter(votes__gte=min_votes)
        .annotate(
            helpful_share=Cast("yes", FloatField()) / Cast("votes", FloatField()),
            views=Coalesce(Subquery(views, output_field=IntegerField()), 0),
        )
        .order_by("helpful_share", "-no", "pk")
        .values("pk", "article_id", "language", "title", "yes", "no", "votes", "comments", "helpful_share", "views")
    )
    return list(rows[:limit])


def search_terms(*, days: int = 30, zero_results_only: bool = False, limit: int = 50) -> list[dict]:
    """What people searched in the period, most often first; with `zero_results_only`, what found nothing."""
    qs = SearchLog.objects.filter(created_at__gte=timezone.now() - timedelta(days=days))
    if zero_results_only:
        qs = qs.filter(results=0)
    rows = (
        qs.values("query", "language")
        .annotate(searches=Count("pk"), average_results=Avg("results"), last=Max("created_at"))
        .order_by("-searches", "query", "language")
    )
    return list(rows[:limit])


def article_admin_titles(article_ids: list[int]) -> dict[int, str]:
    """Article pk -> its title in the default language (else any language); one query."""
    titles: dict[int, str] = {}
    default = conf.default_language()
    for article_id, lang, title in ArticleTranslation.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "language", "title"
    ):
        if article_id not in titles or lang == default:
            titles[article_id] = title
    return titles
