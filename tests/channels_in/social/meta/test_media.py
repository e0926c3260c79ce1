"""Downloading a customer's file from Meta's CDN: what is retried and what is given up."""

import pytest
import requests

from channels_in.base import SendError
from channels_in.social.meta.media import fetch
from tickets.inbound import RemoteMedia

URL = "https://scontent.xx.fbcdn.net/v/t1.15752-9/467389112_n.jpg?oh=03_Q7cD1QHx&oe=676A1B2C"


def test_the_file_and_its_content_type_are_returned(graph):
    graph.get(URL, body=b"\xff\xd8\xff", content_type="image/jpeg; charset=binary")

    assert fetch(RemoteMedia(URL)) == (b"\xff\xd8\xff", "image/jpeg")


@pytest.mark.parametrize(
    ("response", "permanent"),
    [
        ({"status": 403}, True),
        ({"status": 404}, True),
        ({"status": 502}, False),
        ({"body": requests.ReadTimeout()}, False),
    ],
    ids=["expired-link", "gone", "cdn-down", "timeout"],
)
def test_client_errors_are_permanent_and_the_rest_retried(graph, response, permanent):
    graph.get(URL, **response)

    with pytest.raises(SendError) as failed:
        fetch(RemoteMedia(URL))

    assert failed.value.permanent is permanent


def test_a_file_over_the_limit_is_read_only_up_to_it(graph, settings):
    settings.MAX_ATTACHMENT_BYTES = 1000
    graph.get(URL, body=b"x" * 5000, content_type="video/mp4")

    content, _ = fetch(RemoteMedia(URL))

    assert len(content) == 1001  # one byte over: `attach` records it as refused
