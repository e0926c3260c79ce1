"""The readable text of a mail: what the customer wrote, apart from quoted history and signature.

`split_reply` cuts a plain-text body in two at a line boundary, so nothing is lost: the timeline
shows the first half and keeps the second one click away. `html_to_text` renders an HTML-only
body with its <blockquote>s as "> " lines, so the same splitter finds the history there too.
"""

import re
from collections.abc import Callable
from html.parser import HTMLParser

# Whatever a client puts in front of "wrote:" (Gmail, Apple Mail, Thunderbird, Outlook mobile).
_WROTE = r"(wrote|writes|schrieb|a\s+écrit|escribió|escribio|schreef|ha\s+scritto|escreveu|skrev|napisał)"
# "On <date>, Name wrote:": the opener and a digit (date, time) tell it from a sentence of prose.
_ATTRIBUTION = re.compile(rf"^\W*(on|am|le|el|op|il|em|den)\s(?=.*\d).*\b{_WROTE}\b.*:$", re.IGNORECASE)
# Without an opening "On <date>" the line only counts when quoted lines follow it.
_BARE_ATTRIBUTION = re.compile(rf"^.*\b{_WROTE}\s*:$", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|"
    r"oorspronkelijk bericht|messaggio originale|mensagem original)\s*-{2,}$",
    re.IGNORECASE,
)
# Everything below a forward marker is the forwarded mail: the customer's request, not history.
_FORWARDED = re.compile(
    r"^(-{2,}\s*(forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|"
    r"doorgestuurd bericht)\s*-*|begin forwarded message:|anfang der weitergeleiteten nachricht:)$",
    re.IGNORECASE,
)
# Outlook's reply header block: "From:" (in any language) then Sent/To/Subject lines.
_FROM_FIELD = re.compile(r"^\*?(from|von|de|van|da|fra|från)\s?\*?\s?:\*?\s*\S", re.IGNORECASE)
_OTHER_FIELD = re.compile(
    r"^\*?(sent|date|to|cc|subject|gesendet|datum|an|betreff|envoyé|à|objet|enviado( el)?|fecha|para|"
    r"asunto|verzonden|aan|onderwerp|inviato|data|a|oggetto)\s?\*?\s?:",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^(_{10,}|-{10,})$")
# "-- " is the signature delimiter (RFC 3676); many clients drop its trailing space.
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(
    r"^(sent (from|with|via) |get outlook for |von meinem .* gesendet|gesendet von |envoyé (de|depuis) |"
    r"enviado (desde|de) |verzonden (vanaf|met) |verstuurd (vanaf|met) )",
    re.IGNORECASE,
)
# Header blocks and wrapped attributions are recognised within this many lines.
_LOOKAHEAD = 6
# History and signatures are looked for in this many lines at the top (and quotes at the bottom),
# which keeps a huge body cheap; a reply longer than this is kept whole.
_MAX_LINES = 10_000
_MAX_MOBILE_SIGNATURE = 80
# Attribution lines are short; a long line ending in ":" is prose and is not matched against the regexes.
_MAX_ATTRIBUTION = 400


def split_reply(text: str) -> tuple[str, str]:
    """(what the sender wrote, quoted history + signature); the whole text if nothing would be left."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _history_start(lines[:_MAX_LINES])
    cut = _trailing_quotes_start(lines, len(lines) if cut == _MAX_LINES else cut)
    cut = _signature_start(lines, cut)
    new, old = "\n".join(lines[:cut]).strip(), "\n".join(lines[cut:]).strip()
    if not new:
        return old, ""
    return new, old


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _history_start(lines: list[str]) -> int:
    """The first line of top-posted history: an Outlook block, or an attribution above a quote."""
    answered: list[bool] | None = None
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line or line[0] == ">":
            continue
        if _FORWARDED.match(line):
            break
        if _ORIGINAL_MESSAGE.match(line):
            return i
        if _FROM_FIELD.match(line) and _is_header_block(lines, i):
            above = _previous_nonblank(lines, i)
            return above if above is not None and _SEPARATOR.match(lines[above].strip()) else i
        start = _attribution_start(lines, i)
        if start is not None:
            answered = answered or _answered_below(lines)
            if not answered[i]:
                return start
    return len(lines)


def _is_header_block(lines: list[str], i: int) -> bool:
    following = lines[i + 1 : i + 1 + _LOOKAHEAD]
    return sum(1 for line in following if _OTHER_FIELD.match(line.strip())) >= 2


def _previous_nonblank(lines: list[str], i: int) -> int | None:
    """The closest non-blank line above line i, if it is near (a few blank lines apart)."""
    return next((j for j in range(i - 1, max(i - 1 - _LOOKAHEAD, -1), -1) if lines[j].strip()), None)


def _attribution_start(lines: list[str], i: int) -> int | None:
    """Where an attribution ending on line i starts (clients wrap long ones), or None."""
    line = lines[i].strip()
    if not line.endswith(":") or len(line) > _MAX_ATTRIBUTION:
        return None
    for start in range(i, max(i - 3, -1), -1):
        if start < i and (not lines[start].strip() or _is_quote(lines[start])):
            break
        joined = " ".join(part.strip() for part in lines[start : i + 1])
        if len(joined) > _MAX_ATTRIBUTION:
            break
        if _ATTRIBUTION.match(joined):
            return start
    if _BARE_ATTRIBUTION.match(line) and _next_is_quote(lines, i):
        return i
    return None


def _next_is_quote(lines: list[str], i: int) -> bool:
    following = next((lines[j] for j in range(i + 1, len(lines)) if lines[j].strip()), "")
    return _is_quote(following)


def _answered_below(lines: list[str]) -> list[bool]:
    """For each line: does new text (not a signature) follow the first quoted line below it?
    Then the quote is answered inline: a conversation, not history. One pass from the end, so
    that a text full of attributions stays linear."""
    answered = [False] * len(lines)
    next_text: bool | None = None  # the first unquoted line below: None (none), True (text), False (signature)
    quote_answered = False  # whether text follows the first quoted line below
    for i in range(len(lines) - 1, -1, -1):
        answered[i] = quote_answered
        line = lines[i]
        stripped = line.strip()
        if _is_quote(line):
            quote_answered = bool(next_text)
        elif stripped:
            next_text = not (_SIGNATURE.match(line) or _MOBILE_SIGNATURE.match(stripped))
    return answered


def _trailing_quotes_start(lines: list[str], cut: int) -> int:
    """Move the cut up over quoted lines at the end (bottom of the reply) and their attribution."""
    i, quoted = cut, False
    while i > max(0, cut - _MAX_LINES) and (not lines[i - 1].strip() or _is_quote(lines[i - 1])):
        quoted = quoted or _is_quote(lines[i - 1])
        i -= 1
    if not quoted:
        return cut
    start = _attribution_start(lines, i - 1) if i > 0 else None
    return start if start is not None else i


def _signature_start(lines: list[str], cut: int) -> int:
    """The "-- " delimiter, or a last "Sent from my iPhone" line, above the cut."""
    for i in range(min(cut, _MAX_LINES)):
        if _SIGNATURE.match(lines[i]):
            return i
    last = _previous_nonblank(lines, cut)
    if last is not None and len(lines[last]) <= _MAX_MOBILE_SIGNATURE and _MOBILE_SIGNATURE.match(lines[last].strip()):
        return last
    return cut


# Tags followed by an empty line, as a browser leaves space after a paragraph.
_PARAGRAPH_TAGS = frozenset({"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "table", "ul"})
# Tags that end a line of text; everything else is inline.
_BLOCK_TAGS = _PARAGRAPH_TAGS | {"address", "article", "aside", "br", "dd", "div", "dl", "dt", "footer", "header"}
_BLOCK_TAGS |= {"hr", "li", "pre", "section", "tbody", "tfoot", "thead", "tr"}
_INVISIBLE_TAGS = frozenset({"head", "script", "style", "template", "title"})
_SPACES = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")
# Fed in slices so that a huge body gives the caller's time limit a chance to stop it.
_HTML_CHUNK = 128 * 1024


class _TextRenderer(HTMLParser):
    """Collects the visible text, one output line per block, quoted lines prefixed with "> "."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._quote_depth = 0
        self._hidden = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden += 1
        elif tag == "br":
            self._end_line(keep_empty=True)
        elif tag in _BLOCK_TAGS:
            self._end_line()
            if tag == "blockquote":
                self._quote_depth += 1
            elif tag == "pre":
                self._pre += 1
            elif tag == "li":
                self._line.append("- ")
        elif tag in ("td", "th"):
            self._line.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS and tag != "br":
            self._end_line()
            if tag == "blockquote":
                self._quote_depth = max(0, self._quote_depth - 1)
            elif tag == "pre":
                self._pre = max(0, self._pre - 1)
            if tag in _PARAGRAPH_TAGS:
                self._end_line(keep_empty=True)

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if not self._pre:
            self._line.append(_SPACES.sub(" ", data))
            return
        first, *rest = data.replace("\r\n", "\n").split("\n")
        self._line.append(first)
        for line in rest:
            self._end_line(keep_empty=True)
            self._line.append(line)

    def close(self) -> None:
        super().close()
        self._end_line()

    def _end_line(self, keep_empty: bool = False) -> None:
        line = "".join(self._line)
        line = line.rstrip() if self._pre else line.strip()
        self._line = []
        if line or keep_empty:
            self.lines.append(f"{'> ' * self._quote_depth}{line}".rstrip())


def html_to_text(html: str, on_chunk: Callable[[], None] | None = None) -> str:
    """Readable text of an HTML body: tags stripped, line breaks kept, blockquotes as "> " lines.

    `on_chunk` is called between slices of a large body (the parser's time limit raises there).
    """
    renderer = _TextRenderer()
    for start in range(0, len(html), _HTML_CHUNK):
        renderer.feed(html[start : start + _HTML_CHUNK])
        if on_chunk:
            on_chunk()
    renderer.close()
    return _BLANK_RUNS.sub("\n\n", "\n".join(renderer.lines)).strip()
