"""Text in whatever charset a mail claims (or does not): decoded, never raising.

Unknown or wrong labels fall back to UTF-8, then to detection by charset-normalizer.
"""

import codecs
import functools

from charset_normalizer import from_bytes

# charset-normalizer only looks at this much of a body whose charset label is missing or wrong.
_DETECT_SAMPLE = 64 * 1024


# Labels whose superset is what senders really use (and which decodes the same bytes the same way).
_SUPERSETS = {"ascii": "utf-8", "iso8859-1": "cp1252", "gb2312": "gb18030", "gbk": "gb18030", "euc_kr": "cp949"}
# Text codecs that are not charsets a mail can be written in.
_NOT_CHARSETS = frozenset({"idna", "punycode", "raw-unicode-escape", "undefined", "unicode-escape"})


@functools.lru_cache(maxsize=256)
def python_codec(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when it is unknown or not a charset."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
        b"".decode(name)  # LookupError for bytes-to-bytes codecs such as "base64" or "zlib"
    except (LookupError, ValueError):
        return None
    return None if name in _NOT_CHARSETS else _SUPERSETS.get(name, name)


def decode_text(data: bytes, label: str | None) -> str:
    """`data` as text in the labelled charset, else UTF-8, else the detected one; never raises."""
    for name in (python_codec(label), "utf-8"):
        if name:
            try:
                return storable(data.decode(name))
            except UnicodeDecodeError:
                pass
    return storable(data.decode(_detect(data[:_DETECT_SAMPLE]), "replace"))


def _detect(sample: bytes) -> str:
    """charset-normalizer's guess; windows-1252 when it reads the bytes as cleanly, since short
    Western texts fit several Latin charsets equally well and that one is by far the commonest."""
    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return "utf-8"
    if any("cp1252" in match.could_be_from_charset and match.chaos <= best.chaos for match in matches):
        return "cp1252"
    return best.encoding


def storable(text: str) -> str:
    """Text a database accepts: no NUL, no lone surrogates (which utf-7 and utf-16 can produce)."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text
