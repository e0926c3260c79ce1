"""HTML from outside (mail, forms, providers) is sanitised before it is stored or shown."""

import re

import nh3

_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"span", "div", "p", "br", "table", "thead", "tbody", "tr", "td", "th", "img"}
_ALLOWED_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "img": {"src", "alt", "width", "height", "title"}}
# nh3 writes attributes as name="value" with the value escaped, so this matches its own output only.
_REMOTE_IMG = re.compile(r'(<img\b[^>]*?)\ssrc="(https?://[^"]*)"')


def clean_html(html: str) -> str:
    """Keep formatting; drop scripts, event handlers and styles; load nothing remote unasked.

    Inline images (`cid:`) stay; a remote image's address moves to `data-remote-src`, so it loads
    (and tells the sender the mail was read) only when an agent asks to show images.
    """
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto", "cid"},
    )
    return _REMOTE_IMG.sub(r'\1 data-remote-src="\2"', cleaned)
