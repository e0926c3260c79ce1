"""Article bodies: Markdown (raw HTML allowed) rendered to HTML, sanitised with nh3, and plain text.

Sanitised like inbound mail (`tickets.sanitize`), with one difference: articles are written by staff
for the public, so their images load normally instead of waiting for a click.
"""

import html
import re

import markdown
import nh3

_TAGS = nh3.ALLOWED_TAGS | {"p", "br", "div", "span", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "img"}
_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "th": {"colspan", "rowspan", "scope", "align"},
    "td": {"colspan", "rowspan", "align"},
    "code": {"class"},  # "language-python" from fenced code blocks
}
_PARAGRAPH_END = re.compile(r"</(?:p|div|h[1-6]|pre|blockquote|table|ul|ol|dl)>", re.IGNORECASE)
_LINE_END = re.compile(r"</(?:li|tr|dd|dt)>|<br\s*/?>", re.IGNORECASE)
_PRE = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def render_markdown(source: str) -> str:
    """Markdown (tables, fenced code, footnotes...) as sanitised HTML: no scripts, handlers or styles."""
    if not source.strip():
        return ""
    rendered = markdown.markdown(source, extensions=["extra", "sane_lists"], output_format="html")
    return clean_article_html(rendered)


def clean_article_html(value: str) -> str:
    return nh3.clean(
        value,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto", "tel"},
    )


def html_to_text(value: str) -> str:
    """Readable plain text of sanitised HTML: paragraphs on their own lines, entities decoded."""
    if not value:
        return ""
    # Line breaks in the HTML source mean nothing outside <pre>; the tags decide where lines end.
    value = _PRE.sub(lambda m: m.group(0).replace("\n", "<br>"), value).replace("\n", " ")
    marked = _LINE_END.sub(lambda m: m.group(0) + "\n", _PARAGRAPH_END.sub(lambda m: m.group(0) + "\n\n", value))
    text = html.unescape(nh3.clean(marked, tags=set()))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    # Paragraphs stay apart by one blank line; list items and table rows by a line break.
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
