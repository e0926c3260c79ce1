"""HTML from outside (mail, forms, providers) is sanitised before it is stored or shown."""

import nh3

_ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img"} | {"span", "div", "p", "br", "table", "thead", "tbody", "tr", "td", "th"}


def clean_html(html: str) -> str:
    """Keep formatting, drop scripts, event handlers, styles and remote loads (no <img>)."""
    if not html:
        return ""
    return nh3.clean(
        html, tags=_ALLOWED_TAGS, link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto"}
    )
