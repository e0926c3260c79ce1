"""The public help centre: server-rendered pages for customers and search engines.

Each page reads through `selectors` / `search` in a fixed number of queries. The language comes from
`?lang=`, then Accept-Language, then the default (`negotiation`); articles missing in it are shown in
the default language with a notice. Internal articles are 404 for everyone but staff.
"""

import re

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation as i18n
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from helpdesk.roles import is_staff_member
from knowledge_base import conf, selectors, services
from knowledge_base.forms import FeedbackForm
from knowledge_base.models import ArticleTranslation, Status
from knowledge_base.negotiation import VisitorLanguage, visitor_language
from knowledge_base.search import normalise_query, search, suggest

SEARCH_RESULTS = 20
# Crawlers and link previews do not count as readers.
_ROBOT = re.compile(r"bot|crawl|spider|slurp|preview|monitor", re.IGNORECASE)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    lang = visitor_language(request)
    staff = is_staff_member(request.user)
    categories = selectors.help_centre_home(language=lang.code, include_internal=staff)
    return _render(
        request,
        "knowledge_base/home.html",
        lang,
        {"categories": categories, "canonical": _canonical(request, reverse("kb:home"), lang.code)},
    )


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    lang = visitor_language(request)
    card = selectors.category_page(slug=slug, language=lang.code, include_internal=is_staff_member(request.user))
    return _render(
        request,
        "knowledge_base/category.html",
        lang,
        {"card": card, "canonical": _canonical(request, card.category.get_absolute_url(), lang.code)},
    )


@require_GET
def section(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    lang = visitor_language(request)
    card = selectors.section_page(pk=pk, language=lang.code, include_internal=is_staff_member(request.user))
    if slug != card.section.slug:
        return redirect(card.section.get_absolute_url() + lang.query, permanent=True)
    return _render(
        request,
        "knowledge_base/section.html",
        lang,
        {
            "card": card,
            "category_text": card.section.category.localized(lang.code),
            "canonical": _canonical(request, card.section.get_absolute_url(), lang.code),
        },
    )


@require_GET
def article(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    lang = visitor_language(request)
    staff = is_staff_member(request.user)
    page = selectors.article_page(pk=pk, language=lang.code, include_internal=staff)
    shown = page.translation
    if slug != shown.slug:
        path = reverse("kb:article", kwargs={"pk": pk, "slug": shown.slug})
        return redirect(path + lang.query, permanent=True)
    voted = request.GET.get("voted", "")
    if not staff and not voted and not _ROBOT.search(request.headers.get("User-Agent", "")):
        services.record_view(translation=shown)
    section = shown.article.section
    return _render(
        request,
        "knowledge_base/article.html",
        lang,
        {
            "page": page,
            "article": shown,
            "content_language": shown.language,
            "shown_language_name": language_name(shown.language),
            "section_text": section.localized(shown.language),
            "category_text": section.category.localized(shown.language),
            "form": FeedbackForm(initial={"language": shown.language}),
            "voted": voted if voted in ("yes", "no", "again") else "",
            "canonical": request.build_absolute_uri(shown.get_absolute_url()),
            "alternates": [(t.language, request.build_absolute_uri(t.get_absolute_url())) for t in page.translations],
        },
    )


@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Did this help?" from the article page; CSRF-protected, limited per client IP (services)."""
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        raise Http404("No such article.")
    translation = (
        ArticleTranslation.objects.select_related("article")
        .filter(article_id=pk, language=form.cleaned_data["language"], status=Status.PUBLISHED)
        .first()
    )
    if translation is None or translation.article.internal:
        raise Http404("No such article.")
    url = translation.get_absolute_url()
    back = f"{url}{'&' if '?' in url else '?'}voted="
    try:
        feedback = services.record_feedback(
            translation=translation,
            helpful=form.cleaned_data["helpful"] == "yes",
            comment=form.cleaned_data["comment"],
            client=request.META.get("REMOTE_ADDR", ""),
        )
    except services.FeedbackRateLimitError as exc:
        lang = VisitorLanguage(translation.language, explicit=False)
        context = {"reason": str(exc), "back": f"{url}#feedback"}
        return _render(request, "knowledge_base/feedback_refused.html", lang, context, 429)
    except services.FeedbackError:
        return redirect(f"{back}again#feedback")
    # The thanks replace the form on the article page (no session or message cookie needed).
    return redirect(f"{back}{'yes' if feedback.helpful else 'no'}#feedback")


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    lang = visitor_language(request)
    query = normalise_query(request.GET.get("q", ""))
    hits = []
    if query:
        hits = search(query, language=lang.code, include_internal=is_staff_member(request.user), limit=SEARCH_RESULTS)
        services.log_search(query=query, language=lang.code, results=len(hits))
    return _render(request, "knowledge_base/search.html", lang, {"query": query, "hits": hits})


@require_GET
def suggest_json(request: HttpRequest) -> JsonResponse:
    """Articles for what a customer is typing (`?q=&lang=`), for the contact form and the widget's script."""
    lang = visitor_language(request)
    found = suggest(request.GET.get("q", ""), language=lang.code, limit=3)
    response = JsonResponse(
        {"results": [{"title": s.title, "url": s.url, "summary": s.summary, "language": s.language} for s in found]}
    )
    patch_vary_headers(response, ["Accept-Language"])
    return response


def _render(request, template: str, lang: VisitorLanguage, context: dict, status: int = 200) -> HttpResponse:
    with i18n.override(lang.code):
        response = render(
            request,
            template,
            {
                "lang": lang,
                "language_name": language_name(lang.code),
                "site_name": conf.site_name(),
                "default_language": conf.default_language(),
                "language_links": [
                    (code, language_name(code), _with_language(request, code)) for code in _offered_languages()
                ],
                "is_staff": is_staff_member(request.user),
                **context,
            },
            status=status,
        )
    # The same URL answers in the language the browser asks for.
    patch_vary_headers(response, ["Accept-Language"])
    return response


def _offered_languages() -> list[str]:
    # On every page, rarely changing: cached briefly rather than asked each time.
    return cache.get_or_set("kb:offered-languages", selectors.offered_languages, timeout=300)


def _with_language(request, code: str) -> str:
    """This page's URL in another language: the same query string with `lang` replaced."""
    params = request.GET.copy()
    params["lang"] = code
    return f"?{params.urlencode()}"


def _canonical(request, path: str, language: str) -> str:
    suffix = "" if language == conf.default_language() else f"?lang={language}"
    return request.build_absolute_uri(path + suffix)


def language_name(code: str) -> str:
    """The language's own name ("Deutsch", "dansk"), or its code when Django does not know it."""
    try:
        return i18n.get_language_info(code)["name_local"]
    except KeyError:
        return code
