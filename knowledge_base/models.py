"""Knowledge base: Category → Section → Article, each article written in one or more languages.

An article holds what is shared by its languages (section, internal flag, tags, related articles);
an ArticleTranslation holds one language's text, status and search vector. Every content change of
a translation is kept as an ArticleVersion. Writes go through `knowledge_base.services`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone

from knowledge_base import conf


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


@dataclass(frozen=True)
class Localized:
    name: str
    description: str


class _Localizable(models.Model):
    """A name and description in the default language, plus `translations` for the others."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Lower comes first.")
    # A few short strings per language: a JSON map keeps every listing at one query, where a
    # translation table would add a join or a prefetch per page.
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text='Names in other languages, e.g. {"de": {"name": "Konto", "description": "..."}}.',
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def localized(self, language: str) -> Localized:
        other = self.translations.get(language) if isinstance(self.translations, dict) else None
        if isinstance(other, dict) and other.get("name"):
            return Localized(str(other["name"]), str(other.get("description", "")))
        return Localized(self.name, self.description)


class Category(_Localizable):
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def get_absolute_url(self) -> str:
        return reverse("kb:category", kwargs={"slug": self.slug})


class Section(_Localizable):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="sections")
    slug = models.SlugField(max_length=100, db_index=False)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["category", "slug"], name="kb_section_slug_unique")]

    def get_absolute_url(self) -> str:
        return reverse("kb:section", kwargs={"pk": self.pk, "slug": self.slug})


class ArticleTag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    internal = models.BooleanField(
        default=False, help_text="Agents only: never shown in the help centre or suggested to customers."
    )
    tags = models.ManyToManyField(ArticleTag, blank=True, related_name="articles")
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    position = models.PositiveIntegerField(default=0, help_text="Order within the section; lower comes first.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        # Search leaves internal articles out with NOT IN (their ids): this keeps that list cheap.
        indexes = [models.Index(fields=["id"], condition=models.Q(internal=True), name="kb_article_internal")]

    def __str__(self) -> str:
        # Uses prefetched translations when there are any; admin lists annotate the title instead.
        translations = sorted(self.translations.all(), key=lambda t: t.language != conf.default_language())
        return translations[0].title if translations else f"Article {self.pk}"


class ArticleTranslation(models.Model):
    # Indexed by the unique (article, language) constraint, which leads with it.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations", db_index=False)
    language = models.CharField(max_length=12, help_text="ISO 639-1 code, e.g. en, de, da.")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, editable=False, db_index=False)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences for search results and search engines."
    )
    body_source = models.TextField("body (Markdown)", blank=True)
    # Rendered from body_source and sanitised on save; the help centre shows this as is.
    body_html = models.TextField(blank=True, editable=False)
    # Plain text of the body: snippets, meta descriptions and text an agent inserts into a reply.
    body_text = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Title (weight A) and body (weight B) in the language's text search configuration, written by
    # services.save_translation(); the GIN index is PostgreSQL-only (migration 0002).
    search_vector = SearchVectorField(null=True, editable=False)
    # The title alone, same configuration: finds the articles whose title has the words without
    # reading every body that merely mentions them (see search._rank_fulltext).
    title_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["article_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="kb_translation_one_per_language"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="kb_translation_status_valid"),
        ]
        indexes = [models.Index(fields=["language", "status"], name="kb_translation_lang_status")]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    def get_absolute_url(self) -> str:
        url = reverse("kb:article", kwargs={"pk": self.article_id, "slug": self.slug})
        return url if self.language == conf.default_language() else f"{url}?lang={self.language}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def description(self) -> str:
        """The summary, or the body's opening cut at a word: for listings and <meta name=description>."""
        return self.summary or shorten(self.body_text, 160)


class ArticleVersion(models.Model):
    """The content of a translation as one save left it; restoring one saves it again as a new version."""

    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body_source = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["translation_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["translation", "number"], name="kb_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.translation} v{self.number}"


class ArticleFeedback(models.Model):
    """One "did this help?" answer on one translation."""

    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "article feedback"
        indexes = [models.Index(fields=["translation", "created_at"], name="kb_feedback_translation")]

    def __str__(self) -> str:
        return f"{'yes' if self.helpful else 'no'} on {self.translation_id}"


class ArticleViewDay(models.Model):
    """Views of a translation on one day: one counter row, incremented in place, never a row per view."""

    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="view_days")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["translation", "day"], name="kb_view_day_unique")]

    def __str__(self) -> str:
        return f"{self.translation_id} {self.day}: {self.views}"


class SearchSource(models.TextChoices):
    HELP_CENTRE = "help_centre", "Help centre"
    AGENT = "agent", "Agent (reply box)"


class SearchLog(models.Model):
    """One search someone ran, with how many results it found: what people look for, and miss."""

    query = models.CharField(max_length=200)
    language = models.CharField(max_length=12)
    results = models.PositiveIntegerField()
    source = models.CharField(max_length=16, choices=SearchSource.choices, default=SearchSource.HELP_CENTRE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="kb_searchlog_created")]

    def __str__(self) -> str:
        return f"{self.query!r} ({self.results})"


def shorten(text: str, width: int) -> str:
    """The first `width` characters of text, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0]
    return f"{cut}…"
