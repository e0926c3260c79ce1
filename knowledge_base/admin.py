"""Admin for the knowledge base: categories, sections, articles with their translations inline,
publishing, version history with restore, and the reports (least helpful, searches that found nothing).

Article text is Markdown in a plain textarea; saving goes through `services.save_translation`
(rendering, sanitising, versions, search vector), never a raw model save.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from knowledge_base import conf, selectors, services
from knowledge_base.models import (
    Article,
    ArticleFeedback,
    ArticleTag,
    ArticleTranslation,
    ArticleVersion,
    Category,
    SearchLog,
    Section,
    Status,
)

WIDE = {"style": "width: min(100%, 48em)"}
MARKDOWN_HELP = (
    "Markdown: **bold**, _italic_, [a link](https://example.com), ![an image](https://example.com/a.png), "
    "# Heading, - list item, 1. numbered item, > quote, `code`, ``` code blocks ```, tables. "
    "Plain HTML works too; scripts, styles and event handlers are removed on save."
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "slug", "position"]
    list_editable = ["position"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ArticleTag)
class ArticleTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class TranslationForm(forms.ModelForm):
    language = forms.ChoiceField()

    class Meta:
        model = ArticleTranslation
        fields = ["language", "title", "summary", "body_source", "status"]
        widgets = {
            "title": forms.TextInput(attrs=WIDE),
            "summary": forms.TextInput(attrs=WIDE),
            "body_source": forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField kb-markdown"}),
        }
        help_texts = {"body_source": MARKDOWN_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, code) for code in conf.languages()]
        self.fields["language"].initial = conf.default_language()
        if self.instance.pk:
            # A translation is its language; another language is another translation.
            self.fields["language"].disabled = True


class ArticleTranslationInline(admin.StackedInline):
    model = ArticleTranslation
    form = TranslationForm
    extra = 0
    readonly_fields = ["links"]
    fields = ["language", "title", "summary", "body_source", "status", "links"]

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 0 if obj else 1

    @admin.display(description="history")
    def links(self, obj: ArticleTranslation) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">Version history ({})</a> · <a href="{}">Preview and statistics</a>',
            reverse("admin:knowledge_base_articletranslation_versions", args=[obj.pk]),
            obj.versions.count(),
            reverse("admin:knowledge_base_articletranslation_change", args=[obj.pk]),
        )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "section", "languages", "internal", "updated_at"]
    list_filter = ["internal", "section__category", "section", "translations__status", "translations__language"]
    list_select_related = ["section"]
    search_fields = ["translations__title"]
    filter_horizontal = ["tags"]
    autocomplete_fields = ["related"]
    fields = ["section", "internal", "position", "tags", "related"]
    inlines = [ArticleTranslationInline]
    actions = ["publish_translations", "unpublish_translations"]
    change_list_template = "knowledge_base/admin/article_change_list.html"

    def get_queryset(self, request):
        default_title = ArticleTranslation.objects.filter(article=OuterRef("pk")).order_by(
            # The default language's title, else the first one written.
            _language_first(conf.default_language()),
            "pk",
        )
        return (
            super()
            .get_queryset(request)
            .annotate(admin_title=Subquery(default_title.values("title")[:1]))
            .prefetch_related("translations")
        )

    @admin.display(description="title", ordering="admin_title")
    def title(self, obj: Article) -> str:
        return getattr(obj, "admin_title", None) or str(obj)

    @admin.display(description="languages")
    def languages(self, obj: Article) -> str:
        return format_html_join(
            " ",
            '<span title="{}">{}{}</span>',
            ((t.get_status_display(), t.language, "" if t.is_published else "*") for t in obj.translations.all()),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ArticleTranslation:
            return super().save_formset(request, form, formset, change)
        # Through the service: Markdown rendered and sanitised, a version kept, the search vector built.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            instance = inline_form.instance
            if inline_form in formset.deleted_forms:
                if instance.pk:
                    formset.deleted_objects.append(instance)
                    instance.delete()
                continue
            if not inline_form.has_changed():
                continue
            data = inline_form.cleaned_data
            saved = services.save_translation(
                article=form.instance,
                language=data.get("language") or instance.language,
                title=data["title"],
                summary=data.get("summary", ""),
                body=data.get("body_source", ""),
                status=data.get("status"),
                by=request.user,
            )
            if instance.pk:
                formset.changed_objects.append((saved, inline_form.changed_data))
            else:
                formset.new_objects.append(saved)

    @admin.action(description="Publish every translation of the selected articles")
    def publish_translations(self, request, queryset):
        n = 0
        for translation in ArticleTranslation.objects.filter(article__in=queryset).exclude(status=Status.PUBLISHED):
            services.publish(translation=translation, by=request.user)
            n += 1
        self.message_user(request, f"Published {n} translation(s).", messages.SUCCESS)

    @admin.action(description="Unpublish the selected articles (back to draft)")
    def unpublish_translations(self, request, queryset):
        n = 0
        for translation in ArticleTranslation.objects.filter(article__in=queryset, status=Status.PUBLISHED):
            services.unpublish(translation=translation, by=request.user)
            n += 1
        self.message_user(request, f"Unpublished {n} translation(s).", messages.SUCCESS)

    def get_urls(self):
        reports = path("reports/", self.admin_site.admin_view(self.reports_view), name="knowledge_base_article_reports")
        return [reports, *super().get_urls()]

    def reports_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = max(1, min(int(request.GET.get("days", 30)), 365))
        except ValueError:
            days = 30
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Knowledge base reports",
            "days": days,
            "least_helpful": selectors.least_helpful(days=days),
            "zero_results": selectors.search_terms(days=days, zero_results_only=True),
            "top_searches": selectors.search_terms(days=days, limit=25),
        }
        return TemplateResponse(request, "knowledge_base/admin/reports.html", context)


class TranslationChangeForm(forms.ModelForm):
    class Meta:
        model = ArticleTranslation
        fields = ["title", "summary", "body_source", "status"]
        widgets = {
            "title": forms.TextInput(attrs=WIDE),
            "summary": forms.TextInput(attrs=WIDE),
            "body_source": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField kb-markdown"}),
        }
        help_texts = {"body_source": MARKDOWN_HELP}


@admin.register(ArticleTranslation)
class ArticleTranslationAdmin(admin.ModelAdmin):
    form = TranslationChangeForm
    list_display = ["title", "language", "status", "article_link", "internal", "updated_at", "author"]
    list_filter = ["status", "language", "article__internal", "article__section__category"]
    list_select_related = ["article", "author"]
    search_fields = ["title"]
    readonly_fields = ["article_link", "language", "public_link", "history", "preview"]
    fields = [
        "article_link",
        "language",
        "title",
        "summary",
        "body_source",
        "status",
        "public_link",
        "history",
        "preview",
    ]
    actions = ["publish", "submit_for_review", "unpublish"]

    def has_add_permission(self, request) -> bool:
        return False  # translations are added on their article's page

    @admin.display(description="article")
    def article_link(self, obj: ArticleTranslation) -> str:
        return format_html(
            '<a href="{}">Article {}</a>',
            reverse("admin:knowledge_base_article_change", args=[obj.article_id]),
            obj.article_id,
        )

    @admin.display(description="internal", boolean=True)
    def internal(self, obj: ArticleTranslation) -> bool:
        return obj.article.internal

    @admin.display(description="help centre")
    def public_link(self, obj: ArticleTranslation) -> str:
        if not obj.is_published:
            return "Not published"
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', obj.get_absolute_url())

    @admin.display(description="versions")
    def history(self, obj: ArticleTranslation) -> str:
        return format_html(
            '<a href="{}">Version history ({})</a>',
            reverse("admin:knowledge_base_articletranslation_versions", args=[obj.pk]),
            obj.versions.count(),
        )

    @admin.display(description="preview (as saved)")
    def preview(self, obj: ArticleTranslation) -> str:
        # body_html was sanitised on save (markup.render_markdown).
        return mark_safe(f'<div class="kb-preview">{obj.body_html}</div>')  # noqa: S308

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.save_translation(
            article=obj.article,
            language=obj.language,
            title=data["title"],
            summary=data.get("summary", ""),
            body=data.get("body_source", ""),
            status=data.get("status"),
            by=request.user,
        )
        obj.pk = saved.pk

    @admin.action(description="Publish")
    def publish(self, request, queryset):
        for translation in queryset:
            services.publish(translation=translation, by=request.user)
        self.message_user(request, f"Published {len(queryset)} translation(s).", messages.SUCCESS)

    @admin.action(description="Submit for review")
    def submit_for_review(self, request, queryset):
        for translation in queryset:
            services.submit_for_review(translation=translation, by=request.user)
        self.message_user(request, f"{len(queryset)} translation(s) in review.", messages.SUCCESS)

    @admin.action(description="Unpublish (back to draft)")
    def unpublish(self, request, queryset):
        for translation in queryset:
            services.unpublish(translation=translation, by=request.user)
        self.message_user(request, f"Unpublished {len(queryset)} translation(s).", messages.SUCCESS)

    def get_urls(self):
        versions = path(
            "<int:pk>/versions/",
            self.admin_site.admin_view(self.versions_view),
            name="knowledge_base_articletranslation_versions",
        )
        return [versions, *super().get_urls()]

    def versions_view(self, request: HttpRequest, pk: int):
        """Every saved version, newest first; POST `version` restores one (needs change permission)."""
        translation = get_object_or_404(ArticleTranslation.objects.select_related("article"), pk=pk)
        if not self.has_view_permission(request, translation):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, translation):
                raise PermissionDenied
            version = get_object_or_404(ArticleVersion, translation=translation, pk=request.POST.get("version"))
            services.restore_version(version=version, by=request.user)
            self.message_user(request, f"Version {version.number} restored as the current text.", messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": translation,
            "title": f"Versions of “{translation.title}” [{translation.language}]",
            "versions": translation.versions.select_related("author"),
            "current": translation.versions.order_by("-number").values_list("number", flat=True).first(),
            "can_restore": self.has_change_permission(request, translation),
        }
        return TemplateResponse(request, "knowledge_base/admin/versions.html", context)


class ZeroResultsFilter(admin.SimpleListFilter):
    title = "results"
    parameter_name = "found"

    def lookups(self, request, model_admin):
        return [("no", "Found nothing"), ("yes", "Found something")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(results=0)
        if self.value() == "yes":
            return queryset.filter(results__gt=0)
        return queryset


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SearchLog)
class SearchLogAdmin(_ReadOnlyAdmin):
    list_display = ["query", "language", "results", "source", "created_at"]
    list_filter = [ZeroResultsFilter, "source", "language"]
    search_fields = ["query"]
    date_hierarchy = "created_at"


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(_ReadOnlyAdmin):
    list_display = ["translation", "helpful", "comment", "created_at"]
    list_filter = ["helpful", "translation__language"]
    list_select_related = ["translation"]
    search_fields = ["comment", "translation__title"]
    date_hierarchy = "created_at"


def _language_first(language: str):
    return Case(When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField())
