"""Which language a customer wrote in (ISO 639-1), to route and answer in it.

Lingua's detector holds its n-gram models in memory (Rust), so it is built once per process and
per set of languages (`HELPDESK_LANGUAGES`), on first use. Only the languages we support: fewer
models in memory, and fewer wrong guesses among look-alikes (Danish, Bokmål, Nynorsk).

Low-accuracy mode (trigrams only), because memory demands it: with the 12 default languages a
process grows by about 32 MB, against about 350 MB in full-accuracy mode, and every web process
that ingests (the web form does, inline) and every worker would carry it. From about 120 letters
on Lingua uses only trigrams in either mode, so the answers are the same; on 72 short support
sentences (20-40 characters) low accuracy got 71 right, full accuracy 72.
"""

import re
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

DEFAULT_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "da", "sv", "nb", "fi", "pl", "pt"]
# Fewer letters than this ("Thanks!", "ok", an order number) say nothing reliable about a language.
MIN_LETTERS = 10
# The opening of a message tells its language; the rest (pasted logs, long quotes) only costs time.
MAX_CHARS = 2000
# How far the best language's score must be ahead of the next for an answer; below it we say "".
# 0.25 still takes "Hej, jeg kan ikke logge ind" as Danish and refuses "ok thanks a lot".
MIN_RELATIVE_DISTANCE = 0.25

_QUOTED = re.compile(r"^[ \t]*>.*$", re.MULTILINE)
_SIGNATURE = re.compile(r"^-- ?$.*", re.MULTILINE | re.DOTALL)  # RFC 3676 "-- " and all after it
_NOISE = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

_detectors: dict[tuple[str, ...], LanguageDetector] = {}
_lock = threading.Lock()


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language, or "" when it is too short or not clear."""
    cleaned = _clean(text)
    if not cleaned:
        return ""
    return _code(_detector().detect_language_of(cleaned))


def detect_languages(texts: list[str]) -> list[str]:
    """`detect_language` of each text, on all idle cores (for backfills of many tickets)."""
    cleaned = [_clean(text) for text in texts]
    return [
        _code(language) if text else ""
        for text, language in zip(cleaned, _detector().detect_languages_in_parallel_of(cleaned), strict=True)
    ]


def _clean(text: str) -> str:
    """The customer's own words: no quoted reply, signature, links or addresses; "" if too few."""
    text = _NOISE.sub(" ", _SIGNATURE.sub("", _QUOTED.sub("", text)))[:MAX_CHARS]
    return text if sum(map(str.isalpha, text)) >= MIN_LETTERS else ""


def _code(language: Language | None) -> str:
    return language.iso_code_639_1.name.lower() if language is not None else ""


def _detector() -> LanguageDetector:
    languages = tuple(sorted(getattr(settings, "HELPDESK_LANGUAGES", DEFAULT_LANGUAGES)))
    detector = _detectors.get(languages)
    if detector is None:
        with _lock:  # two threads must not both load the models
            detector = _detectors.get(languages)
            if detector is None:
                detector = _detectors[languages] = _build(languages)
    return detector


def _build(languages: tuple[str, ...]) -> LanguageDetector:
    try:
        codes = [IsoCode639_1.from_str(code) for code in languages]
    except ValueError as exc:
        raise ImproperlyConfigured(f"HELPDESK_LANGUAGES: {exc} (expected ISO 639-1 codes such as 'en')") from exc
    if len(codes) < 2:
        raise ImproperlyConfigured("HELPDESK_LANGUAGES needs at least two languages to tell apart.")
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        .with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()  # a known cost at first use, not one per language later
        .build()
    )
