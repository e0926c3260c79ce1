"""X's API v2 at the HTTP boundary: serves fixture posts and DM events the way X pages them.

Newest first, `since_id` exclusive, `max_results` per page, and a `meta` with result_count,
newest_id, oldest_id and next_token, so the poller's paging and positions meet real behaviour.
"""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import responses

API = "https://api.twitter.com/2"
FIXTURES = Path(__file__).parent / "fixtures"
OUR_ID = "1500000000000000001"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class FakeX:
    def __init__(self, mock: responses.RequestsMock):
        self.mock = mock
        self.mentions: dict = {"data": [], "includes": {}}
        self.dm_events: dict = {"data": [], "includes": {}}
        self.search: dict = {"data": [], "includes": {}}
        self.posted: list[dict] = []  # JSON bodies of POST /2/tweets and DMs
        mock.add_callback(responses.GET, f"{API}/users/{OUR_ID}/mentions", lambda r: self._page(r, self.mentions))
        mock.add_callback(responses.GET, f"{API}/dm_events", lambda r: self._page(r, self.dm_events))
        mock.add_callback(responses.GET, f"{API}/tweets/search/recent", lambda r: self._page(r, self.search))
        mock.add_callback(responses.POST, f"{API}/tweets", self._create_tweet)
        mock.add_callback(responses.POST, re.compile(rf"{API}/dm_conversations/with/\d+/messages"), self._create_dm)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        """Query parameters of each call made to an API path (e.g. "/users/1/mentions")."""
        return [
            {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}
            for call in self.mock.calls
            if urlsplit(call.request.url).path == f"/2{path}"
        ]

    def _page(self, request, source: dict):
        params = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        since = int(params.get("since_id", 0))
        items = sorted(
            (item for item in source["data"] if int(item["id"]) > since), key=lambda i: int(i["id"]), reverse=True
        )
        size = int(params.get("max_results", 100))
        start = int(params.get("pagination_token") or params.get("next_token") or 0)
        page = items[start : start + size]
        meta: dict = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if start + size < len(items):
            meta["next_token"] = str(start + size)
        body = {"meta": meta}
        if page:
            body |= {"data": page, "includes": source["includes"]}
        return 200, {"x-rate-limit-remaining": "74", "x-rate-limit-reset": "1715600000"}, json.dumps(body)

    def _create_tweet(self, request):
        body = json.loads(request.body)
        self.posted.append(body)
        return 201, {}, json.dumps({"data": {"id": "1790000000000009001", "text": body["text"]}})

    def _create_dm(self, request):
        body = json.loads(request.body)
        self.posted.append({"to": request.url.split("/")[-2], **body})
        data = {"dm_conversation_id": f"{OUR_ID}-{request.url.split('/')[-2]}", "dm_event_id": "1790000000000009501"}
        return 201, {}, json.dumps({"data": data})
