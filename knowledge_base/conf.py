"""Knowledge-base settings, each with a default, so the app works before any is set.

KB_DEFAULT_LANGUAGE   the language every article is written in first and the fallback shown when
                      the visitor's language has no translation (default: LANGUAGE_CODE's primary subtag)
KB_LANGUAGES          the languages the help centre offers (default: HELPDESK_LANGUAGES)
KB_SITE_NAME          the help centre's name in page titles and its header
KB_FEEDBACK_MAX_PER_HOUR  "did this help?" votes accepted per client IP per hour
"""

from django.conf import settings


def default_language() -> str:
    code = getattr(settings, "KB_DEFAULT_LANGUAGE", "") or settings.LANGUAGE_CODE
    return normalise_language(code)


def languages() -> list[str]:
    """The default language first, then the others, each once."""
    offered = getattr(settings, "KB_LANGUAGES", None) or getattr(settings, "HELPDESK_LANGUAGES", [])
    ordered = [default_language(), *(normalise_language(code) for code in offered)]
    return list(dict.fromkeys(code for code in ordered if code))


def normalise_language(code: str) -> str:
    """'de-AT', 'de_at', 'DE' -> 'de': the help centre works with primary language subtags."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def site_name() -> str:
    return getattr(settings, "KB_SITE_NAME", "") or "Help Centre"


def feedback_max_per_hour() -> int:
    return int(getattr(settings, "KB_FEEDBACK_MAX_PER_HOUR", 20))
