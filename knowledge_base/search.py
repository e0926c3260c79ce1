"""Knowledge-base search: what the help centre, the agents' reply box and deflection ask.

On PostgreSQL each translation carries a `search_vector` built in its language's text search
configuration (title weight A, body weight B; see `search_config`), with a GIN index. A query is
parsed in the same configuration, so "Passwörter" finds "Passwort" in German and "resetting" finds
"reset" in English. When full-text search finds nothing, the titles are searched by trigram word
similarity (pg_trgm), which forgives typos ("pasword", "recieve invoce"). On SQLite (the embedded
default) every word must occur in the title or body (icontains), ranked in Python.

Visitors search their language and the default one (an article not yet translated is still found);
an article found in both is shown once, in the visitor's language.

- `search(query, language=..., include_internal=..., limit=...)`: ranked `Hit`s with highlighted
  title and snippet; two queries on PostgreSQL (rank, then headlines of the top hits only), three
  more when the typo fallback runs.
- `suggest(text, language=..., limit=3)`: deflection while a customer types (see its docstring).

Speed: ranking reads each candidate's vector, so the candidates are capped (see `_rank_fulltext`).
`bench/kb_search.py --articles 100000` measured search() at median 17 ms, p95 21 ms and suggest()
at median 14 ms, p95 21 ms (200 and 100 queries, two-core machine).

Neither logs: callers that answer a person's explicit search call `services.log_search()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, Q, QuerySet, TextField, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from knowledge_base import conf
from knowledge_base.models import Article, ArticleTranslation, Status, shorten

# ISO 639-1 -> the PostgreSQL text search configuration that stems that language (all ship with
# PostgreSQL 15+); any other language is indexed with 'simple' (lower-cased words, no stemming).
PG_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
MAX_QUERY_CHARS = 200
# How many matching translations per language are ranked at most (see _rank_fulltext).
TITLE_CANDIDATES = 100
BODY_CANDIDATES = 200
TRIGRAM_CANDIDATES = 100
# ts_rank normalisation 1: divide by 1 + log(length), so a long article does not win on length alone.
RANK_NORMALIZATION = 1
# A hit in the default language ranks a little below an equal one in the visitor's language.
FALLBACK_WEIGHT = 0.8
# Trigram fallback: how close a title must come to the query (pg_trgm's default 0.6 misses
# transpositions such as "recieve"; below 0.45 unrelated titles creep in).
TRIGRAM_THRESHOLD = 0.45
# Markers ts_headline puts around matches; the text is HTML-escaped, then they become <mark>.
_START, _STOP = "\u27e6", "\u27e7"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Hit:
    article_id: int
    translation_id: int
    language: str
    title: str
    title_html: SafeString  # the title, escaped, matched words in <mark>
    snippet: SafeString  # a passage of the body, escaped, matched words in <mark>
    body_text: str
    body_html: str
    url: str
    internal: bool
    fallback: bool  # in the default language: the article has no match in the visitor's language
    score: float
    approximate: bool = False  # found by title similarity (typo tolerance), not by its words


@dataclass(frozen=True)
class Suggestion:
    article_id: int
    translation_id: int
    language: str
    title: str
    summary: str
    url: str


def search_config(language: str) -> str:
    return PG_CONFIGS.get(conf.normalise_language(language), "simple")


def normalise_query(query: str) -> str:
    """One line of at most MAX_QUERY_CHARS, without control characters (PostgreSQL refuses NUL)."""
    return " ".join(_CONTROL.sub(" ", query or "").split())[:MAX_QUERY_CHARS].strip()


def search_languages(language: str) -> list[str]:
    """The visitor's language, then the default one."""
    return list(dict.fromkeys([conf.normalise_language(language), conf.default_language()]))


def visible_translations(*, languages: list[str], include_internal: bool) -> QuerySet[ArticleTranslation]:
    """Published translations in these languages; internal articles only when asked (staff)."""
    qs = ArticleTranslation.objects.filter(status=Status.PUBLISHED, language__in=languages)
    if not include_internal:
        # NOT IN (a small hashed subquery) instead of a join: internal articles are few.
        qs = qs.exclude(article_id__in=Article.objects.filter(internal=True).values("pk"))
    return qs


def search(query: str, *, language: str, include_internal: bool = False, limit: int = 10) -> list[Hit]:
    """The best `limit` published articles for a query, best first, in the visitor's language where possible."""
    text = normalise_query(query)
    if not text or limit < 1:
        return []
    languages = search_languages(language)
    visible = visible_translations(languages=languages, include_internal=include_internal)
    if connection.vendor != "postgresql":
        return _search_simple(text, visible=visible, language=languages[0], limit=limit)
    queries = {lang: SearchQuery(text, config=search_config(lang), search_type="websearch") for lang in languages}
    ranked = _rank_fulltext(visible, queries, text=text, preferred=languages[0], limit=limit)
    if ranked:
        return _hits_with_headlines(ranked, queries, preferred=languages[0])
    return _search_trigram(text, visible=visible, languages=languages, limit=limit)


def suggest(text: str, *, language: str, limit: int = 3) -> list[Suggestion]:
    """Public articles that may answer what a customer is typing (chat widget, contact form, portal).

    Meant to be called as they type (debounce ~300 ms): `text` is a subject or the first sentences;
    the last word may be unfinished (it matches as a prefix unless `text` ends in a space). Articles
    with every word come first, then those with most of them; two or three indexed queries, no
    snippets, no logging (median 14 ms, p95 21 ms with 100,000 articles). Internal articles never
    appear. Returns at most `limit`; cheap enough to call per keystroke pause, not per keystroke.
    """
    words = _WORD.findall(normalise_query(text).lower())[:12]
    if not words or limit < 1:
        return []
    languages = search_languages(language)
    visible = visible_translations(languages=languages, include_internal=False)
    if connection.vendor != "postgresql":
        hits = _search_simple(" ".join(words), visible=visible, language=languages[0], limit=limit, require_all=False)
        return [_suggestion(hit) for hit in hits]
    terms = list(words)
    if not text.endswith((" ", "\n")) and len(terms[-1]) >= 3:
        terms[-1] += ":*"  # still being typed
    chosen: dict[int, tuple] = {}
    for operator in (" & ", " | "):
        raw = operator.join(terms)
        queries = {lang: SearchQuery(raw, config=search_config(lang), search_type="raw") for lang in languages}
        ranked = _rank_fulltext(
            visible, queries, text=" ".join(words), preferred=languages[0], limit=limit, exclude=list(chosen)
        )
        for row in ranked:
            chosen.setdefault(row[1], row)
        if len(chosen) >= limit or len(terms) == 1:
            break
    rows = ArticleTranslation.objects.filter(pk__in=[row[0] for row in chosen.values()]).only(
        "pk", "article_id", "language", "title", "slug", "summary", "body_text"
    )
    by_pk = {t.pk: t for t in rows}
    return [
        Suggestion(t.article_id, t.pk, t.language, t.title, t.description, t.get_absolute_url())
        for t in (by_pk[row[0]] for row in list(chosen.values())[:limit])
    ]


def _rank_fulltext(visible, queries: dict, *, text: str, preferred: str, limit: int, exclude=()) -> list[tuple]:
    """(translation pk, article pk, language, score) of the best matches, one per article.

    Ranking reads every candidate's vector, so the candidates are capped per language: up to
    TITLE_CANDIDATES translations with the words in their title (own GIN index) and up to
    BODY_CANDIDATES others, each list read from its index and cut there, before anything is ranked.
    Below the caps (any query that is not among the commonest words) the ranking is exact; above
    them, the titles that have the words still compete, which is where the best answers are.

    ts_rank weighs where the words are (title A, body B) and how often; it is multiplied by
    1 + the title's trigram similarity to the whole query, so among titles that all contain the
    words the one closest to the query wins ("reset password": "Reset your password" before "The
    password reset e-mail does not arrive").
    """
    base = visible.exclude(article_id__in=exclude) if exclude else visible
    parts = []
    for lang, q in queries.items():
        scoped = base.filter(language=lang).order_by().values_list("pk", flat=True)
        parts.append(scoped.filter(title_vector=q)[:TITLE_CANDIDATES])
        parts.append(scoped.filter(search_vector=q)[:BODY_CANDIDATES])
    candidates = parts[0].union(*parts[1:])
    score = Case(
        *(
            When(
                language=lang,
                then=SearchRank(F("search_vector"), q, normalization=Value(RANK_NORMALIZATION))
                * Value(1.0 if lang == preferred else FALLBACK_WEIGHT),
            )
            for lang, q in queries.items()
        ),
        output_field=FloatField(),
    ) * (Value(1.0) + TrigramSimilarity("title", text))
    rows = (
        ArticleTranslation.objects.filter(pk__in=candidates)
        .annotate(score=score)
        .order_by("-score", "pk")
        .values_list("pk", "article_id", "language", "score")
    )
    # Room for an article found in both languages, which counts once.
    return _one_per_article(list(rows[: limit * len(queries)]), preferred=preferred)[:limit]


def _one_per_article(rows: list[tuple], *, preferred: str) -> list[tuple]:
    best: dict[int, tuple] = {}
    for row in rows:
        kept = best.get(row[1])
        if kept is None or (row[2] == preferred and kept[2] != preferred):
            best[row[1]] = row if kept is None else (*row[:3], max(row[3], kept[3]))
    return sorted(best.values(), key=lambda row: (-row[3], row[0]))


def _hits_with_headlines(ranked: list[tuple], queries: dict, *, preferred: str) -> list[Hit]:
    # ts_headline re-parses the whole body: only for the few rows shown, in a second query.
    def headline(field: str, **options):
        return Case(
            *(
                When(
                    language=lang,
                    then=SearchHeadline(
                        field, q, config=search_config(lang), start_sel=_START, stop_sel=_STOP, **options
                    ),
                )
                for lang, q in queries.items()
            ),
            output_field=TextField(),
        )

    rows = _shown(row[0] for row in ranked).annotate(
        title_marked=headline("title", highlight_all=True),
        snippet_marked=headline("body_text", max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … "),
    )
    by_pk = {t.pk: t for t in rows}
    return [
        _hit(
            by_pk[pk], score=score, preferred=preferred, title=by_pk[pk].title_marked, snippet=by_pk[pk].snippet_marked
        )
        for pk, _article, _lang, score in ranked
        if pk in by_pk
    ]


def _search_trigram(text: str, *, visible, languages: list[str], limit: int) -> list[Hit]:
    """Titles with words that resemble the query's (typos, half words): pg_trgm word similarity, GIN-indexed.

    Each word of the query is compared on its own (stop words left out), so one misspelt word among
    several still finds its title; titles resembling more of the words rank higher. As in full-text
    search, each word brings at most TRIGRAM_CANDIDATES titles per language from the index (a
    correctly spelt common word would otherwise bring thousands), and only those are scored.
    """
    preferred = languages[0]
    config = search_config(preferred)
    words = list(dict.fromkeys(word for word in _WORD.findall(text.lower()) if len(word) >= 3))[:6]
    if not words:
        return []
    table = ArticleTranslation._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # One round trip: the threshold the `%>` operator (index-backed) compares against, for this
        # transaction only; the words the language does not ignore ("the", "der" are dropped); and
        # which of them the index knows, i.e. are spelt right.
        # Each word's check is its own sub-select with constant arguments, so each uses the GIN index.
        exists = (
            f"EXISTS (SELECT 1 FROM {table} WHERE language = %s AND status = 'published' "  # noqa: S608 - our table
            "AND search_vector @@ plainto_tsquery(%s::regconfig, %s))"
        )
        sql = (
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "  # noqa: S608 - placeholders only
            "ARRAY(SELECT w FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) "
            "WHERE to_tsvector(%s::regconfig, w) <> ''::tsvector ORDER BY n), "
            f"ARRAY[{', '.join([exists] * len(words))}]"
        )
        params = [str(TRIGRAM_THRESHOLD), words, config]
        for word in words:
            params += [preferred, config, word]
        cursor.execute(sql, params)
        _, content, spelt_right = cursor.fetchone()
        known = {word for word, found in zip(words, spelt_right, strict=True) if found}
        words = content
        if not words:
            return []
        # A word spelt right (and common, most likely) would bring thousands of titles; the
        # misspelt ones bring the candidates, every word scores them.
        misspelt = [word for word in words if word not in known] or words
        parts = [
            visible.filter(TrigramWordSimilar(F("title"), Value(word)), language=lang)
            .order_by()
            .values_list("pk", flat=True)[:TRIGRAM_CANDIDATES]
            for lang in languages
            for word in misspelt
        ]
        similarity = reduce(lambda a, b: a + b, (TrigramWordSimilarity(word, "title") for word in words)) / Value(
            float(len(words))
        )
        language_weight = Case(
            When(language=preferred, then=Value(1.0)), default=Value(FALLBACK_WEIGHT), output_field=FloatField()
        )
        rows = (
            ArticleTranslation.objects.filter(pk__in=parts[0].union(*parts[1:]))
            .annotate(similarity=similarity * language_weight)
            .order_by("-similarity", "pk")
            .values_list("pk", "article_id", "language", "similarity")
        )
        ranked = _one_per_article(list(rows[: limit * len(languages)]), preferred=preferred)[:limit]
    by_pk = {t.pk: t for t in _shown(pk for pk, *_ in ranked)}
    return [
        _hit(
            by_pk[pk],
            score=score,
            preferred=preferred,
            title=by_pk[pk].title,
            snippet=_snippet(by_pk[pk].body_text, []),
            approximate=True,
        )
        for pk, _article, _lang, score in ranked
        if pk in by_pk
    ]


def _shown(pks) -> QuerySet[ArticleTranslation]:
    """The translations to display, with what a hit needs and nothing more."""
    return (
        ArticleTranslation.objects.filter(pk__in=list(pks))
        .select_related("article")
        .only("pk", "article_id", "language", "title", "slug", "body_text", "body_html", "article__internal")
    )


def _search_simple(text: str, *, visible, language: str, limit: int, require_all: bool = True) -> list[Hit]:
    """SQLite: every word (or, for suggestions, any word) in the title or body; title matches first."""
    words = list(dict.fromkeys(word.lower() for word in text.split()))[:8]
    if not require_all:
        words = [word for word in words if len(word) >= 3] or words
    qs = visible.select_related("article").only(
        "pk", "article_id", "language", "title", "slug", "body_text", "body_html", "article__internal"
    )
    conditions = [Q(title__icontains=word) | Q(body_text__icontains=word) for word in words]
    qs = qs.filter(*conditions) if require_all else qs.filter(reduce(or_, conditions))
    by_pk = {t.pk: t for t in qs[:500]}
    scored = []
    for t in by_pk.values():
        title, body = t.title.lower(), t.body_text.lower()
        found = sum(word in title or word in body for word in words)
        score = found + sum(3.0 * (word in title) + min(body.count(word), 5) * 0.2 for word in words)
        scored.append((t.pk, t.article_id, t.language, score * (1.0 if t.language == language else FALLBACK_WEIGHT)))
    return [
        _hit(
            by_pk[pk],
            score=score,
            preferred=language,
            title=_mark(by_pk[pk].title, words),
            snippet=_snippet(by_pk[pk].body_text, words),
        )
        for pk, _article, _lang, score in _one_per_article(scored, preferred=language)[:limit]
    ]


def _hit(
    t: ArticleTranslation, *, score: float, preferred: str, title: str, snippet: str, approximate: bool = False
) -> Hit:
    return Hit(
        article_id=t.article_id,
        translation_id=t.pk,
        language=t.language,
        title=t.title,
        title_html=_marked_html(title),
        snippet=_marked_html(snippet),
        body_text=t.body_text,
        body_html=t.body_html,
        url=t.get_absolute_url(),
        internal=t.article.internal,
        fallback=t.language != preferred,
        score=float(score),
        approximate=approximate,
    )


def _suggestion(hit: Hit) -> Suggestion:
    return Suggestion(hit.article_id, hit.translation_id, hit.language, hit.title, shorten(hit.body_text, 160), hit.url)


def _marked_html(marked: str) -> SafeString:
    return mark_safe(escape(marked).replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 - escaped first


def _mark(text: str, words: list[str]) -> str:
    """Wraps each occurrence of the words in the (unescaped) markers, case-insensitively."""
    words = [w for w in words if w]
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    return pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", text)


def _snippet(body: str, words: list[str], width: int = 220) -> str:
    """About `width` characters of the body around the first word found, words marked."""
    flat = " ".join(body.split())
    lowered = flat.lower()
    positions = [p for p in (lowered.find(w.lower()) for w in words if w) if p >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    if start:
        start = flat.find(" ", start) + 1 or start
    passage = flat[start : start + width]
    if start + width < len(flat):
        passage = passage.rsplit(" ", 1)[0] + " …"
    return _mark(("… " if start else "") + passage, words)
