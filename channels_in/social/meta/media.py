"""Download a file a customer sent on Messenger or Instagram from Meta's CDN (signed URL, no auth)."""

import requests
from django.conf import settings

from channels_in.base import SendError
from tickets.inbound import RemoteMedia

TIMEOUT = (5, 30)  # connect, read (seconds)


def fetch(media: RemoteMedia) -> tuple[bytes, str]:
    """The file's bytes and content type; SendError(permanent=True) when the CDN refuses it.

    A 4xx is permanent (the signed URL expired or was revoked: asking again cannot help); 5xx and
    network errors are retried. Reads at most one byte over MAX_ATTACHMENT_BYTES, so a huge file
    costs no memory and is still recorded as refused by `attach`.
    """
    limit = settings.MAX_ATTACHMENT_BYTES + 1
    try:
        with requests.get(media.url, timeout=TIMEOUT, stream=True) as response:
            if response.status_code >= 400:
                raise SendError(
                    f"Meta's CDN answered {response.status_code} for {media.url}",
                    permanent=response.status_code < 500,
                )
            content = bytearray()
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) >= limit:
                    break
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    except requests.RequestException as exc:
        raise SendError(f"Could not download {media.url}: {exc}", permanent=False) from exc
    return bytes(content[:limit]), content_type or media.content_type or "application/octet-stream"
