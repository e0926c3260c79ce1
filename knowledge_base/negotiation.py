"""Which language a help-centre visitor reads: `?lang=`, then Accept-Language, then the default."""

from dataclasses import dataclass

from knowledge_base import conf


@dataclass(frozen=True)
class VisitorLanguage:
    code: str
    explicit: bool  # chosen with ?lang=: links on the page keep it

    @property
    def query(self) -> str:
        """'?lang=de' to append to links when the visitor chose a language, else ''."""
        return f"?lang={self.code}" if self.explicit else ""


def visitor_language(request) -> VisitorLanguage:
    offered = conf.languages()
    chosen = conf.normalise_language(request.GET.get("lang", ""))
    if chosen in offered:
        return VisitorLanguage(chosen, explicit=True)
    for code in accepted_languages(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code in offered:
            return VisitorLanguage(code, explicit=False)
    return VisitorLanguage(conf.default_language(), explicit=False)


def accepted_languages(header: str) -> list[str]:
    """Primary language subtags of an Accept-Language header, most wanted first ("*" and q=0 dropped)."""
    weighted = []
    for position, item in enumerate(header[:500].split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        code = conf.normalise_language(tag)
        if code and code != "*" and quality > 0:
            weighted.append((-quality, position, code))
    return list(dict.fromkeys(code for _, _, code in sorted(weighted)))
