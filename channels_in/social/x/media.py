"""Download the photos of X posts (pbs.twimg.com serves them without authentication)."""

from urllib.parse import urlsplit

import requests
from django.conf import settings

from channels_in.base import SendError
from tickets.inbound import RemoteMedia

# Only X's media host: the URL came from a post, and must not make us fetch anything else.
HOSTS = {"pbs.twimg.com"}
TIMEOUT = (5, 30)
# Statuses that will not change on a retry (the post or its photo was deleted, or is withheld).
_GONE = {400, 401, 403, 404, 410}


def fetch(media: RemoteMedia) -> tuple[bytes, str]:
    """The photo and its content type; SendError(permanent=True) for a deleted photo or a foreign URL."""
    url = urlsplit(media.url)
    if url.scheme != "https" or url.hostname not in HOSTS:
        raise SendError(f"{media.url} is not an X media URL.", permanent=True)
    try:
        with requests.get(media.url, timeout=TIMEOUT, stream=True) as response:
            if response.status_code in _GONE:
                raise SendError(f"X answered {response.status_code} for {media.url}.", permanent=True)
            if response.status_code != 200:
                raise SendError(f"X answered {response.status_code} for {media.url}.", permanent=False)
            # One byte over the limit is enough for attach() to refuse the file with its reason.
            content = response.raw.read(settings.MAX_ATTACHMENT_BYTES + 1, decode_content=True)
            content_type = response.headers.get("Content-Type", "") or media.content_type
    except requests.RequestException as exc:
        raise SendError(f"Downloading {media.url} failed: {exc}", permanent=False) from exc
    return content, content_type.split(";")[0].strip()
