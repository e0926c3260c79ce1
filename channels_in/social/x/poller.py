"""X transport: poll an account's mentions, DMs and keyword searches, store them through ingest_many().

X bills by plan, so a poll is cheap by construction: due accounts only (`next_poll_at`, never
below X_MIN_POLL_INTERVAL), at most MAX_PAGES requests per stream, and nothing at all before
`backoff_until`, which a 429 (or a last request with no quota left) sets from `x-rate-limit-reset`.

Restart-safe: X lists newest first, so the pages of a stream are fetched first and stored oldest
first, and `since_id` moves on only after a page is stored; a crash re-fetches, and ingest drops
what it already has. A backlog longer than MAX_PAGES is read over several polls: the pagination
token to go on with and the newest id of that walk are kept until the walk reaches `since_id`.
"""

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import requests
import tweepy
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from channels_in.social.x.api import client_for, describe
from channels_in.social.x.models import XAccount, XSearch
from tickets.inbound import InboundMessage, RemoteMedia
from tickets.models import Channel
from tickets.services import IngestError, ingest_many

logger = logging.getLogger(__name__)

# A poller holds an account this long before another may take it over (if it died).
LEASE = timedelta(minutes=10)
# Posts or DM events per request (X's maximum), and requests per stream in one poll.
PAGE_SIZE = 100
MAX_PAGES = 3
# X's rate-limit windows are 15 minutes: the wait when a 429 does not say when it ends.
DEFAULT_BACKOFF = timedelta(minutes=15)

_TWEET_PARAMS = {
    "expansions": ["author_id", "referenced_tweets.id", "attachments.media_keys"],
    "tweet_fields": [
        "created_at",
        "conversation_id",
        "in_reply_to_user_id",
        "referenced_tweets",
        "author_id",
        "attachments",
        "note_tweet",
    ],
    "user_fields": ["username", "name"],
    "media_fields": ["url", "type"],
}
_DM_PARAMS = {
    "dm_event_fields": ["id", "text", "event_type", "created_at", "dm_conversation_id", "sender_id"],
    "event_types": "MessageCreate",
    "expansions": ["sender_id"],
    "user_fields": ["username", "name"],
}


@dataclasses.dataclass
class PollResult:
    requests: int = 0
    fetched: int = 0
    ingested: int = 0
    duplicates: int = 0
    failed: int = 0
    # True when the account was not due, held by another poller, inactive or without credentials.
    skipped: bool = False
    rate_limited_until: datetime | None = None
    errors: list[str] = dataclasses.field(default_factory=list)


def due(now: datetime) -> Q:
    """Accounts whose next poll has come and that X is not holding back."""
    return (Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)) & (
        Q(backoff_until__isnull=True) | Q(backoff_until__lte=now)
    )


def poll_account(account_id: int) -> PollResult:
    """Store every mention, DM and search hit posted since the last poll, each exactly once.

    Run outside a transaction: each page is committed by ingest before its position moves on. The
    account is claimed with one conditional UPDATE of its lease (as e-mail's poller does), which
    also checks it is due. An API error of one stream (no DM access, a bad query) is recorded in
    `last_error` and the other streams go on; a rate limit stops the poll; anything else is
    recorded and raised. The next poll is due `interval` seconds later in every case.
    """
    account = _claim(account_id)
    if account is None:
        return PollResult(skipped=True)
    result = PollResult()
    try:
        if account.can_read:
            _poll(account, result)
        else:
            result.skipped = True
            result.errors.append("No credentials: set a bearer token or the OAuth 1.0a keys and tokens.")
    except Exception as exc:
        result.errors.append(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        now = timezone.now()
        XAccount.objects.filter(pk=account.pk).update(
            polling_until=None,
            last_polled_at=now,
            next_poll_at=now + timedelta(seconds=account.interval),
            backoff_until=result.rate_limited_until,
            last_error="\n".join(result.errors),
        )
        logger.info("X account %s: %s", account, result)
    return result


def _claim(account_id: int) -> XAccount | None:
    now = timezone.now()
    free = Q(polling_until__isnull=True) | Q(polling_until__lt=now)
    if not XAccount.objects.filter(free, due(now), pk=account_id, active=True).update(polling_until=now + LEASE):
        return None
    return XAccount.objects.get(pk=account_id)


@dataclasses.dataclass
class _Stream:
    """One list X pages through (mentions, DMs, a search) and where its stored position lives."""

    name: str
    model: type[models.Model]
    pk: int
    prefix: str  # of the position fields: <prefix>since_id, <prefix>resume_token, <prefix>walk_newest_id
    since_id: str
    token: str
    newest: str
    fetch: Callable[[str], requests.Response]  # pagination token ("" for the newest page) -> response
    parse: Callable[[dict], list[InboundMessage]]

    def save(self, **position: str) -> None:
        self.model.objects.filter(pk=self.pk).update(**{f"{self.prefix}{k}": v for k, v in position.items()})


def _poll(account: XAccount, result: PollResult) -> None:
    for stream in _streams(account):
        XAccount.objects.filter(pk=account.pk).update(polling_until=timezone.now() + LEASE)
        try:
            _walk(stream, result)
        except tweepy.TooManyRequests as exc:
            result.rate_limited_until = _reset_time(exc.reset_time)
        except tweepy.BadRequest as exc:
            if stream.token:  # an expired pagination token: walk again from since_id next time
                stream.save(resume_token="", walk_newest_id="")
            result.errors.append(f"{stream.name}: {describe(exc)}")
        except (tweepy.HTTPException, requests.RequestException) as exc:
            result.errors.append(f"{stream.name}: {describe(exc)}")
        if result.rate_limited_until:
            result.errors.append(f"Rate limited by X until {result.rate_limited_until:%Y-%m-%d %H:%M} UTC.")
            return


def _streams(account: XAccount) -> list[_Stream]:
    client = client_for(account)
    # App-only (bearer) reads when there is a token: its quota is separate from the user's.
    user_auth = not account.secret("bearer_token")
    streams = [
        _Stream(
            name="mentions",
            model=XAccount,
            pk=account.pk,
            prefix="mentions_",
            since_id=account.mentions_since_id,
            token=account.mentions_resume_token,
            newest=account.mentions_walk_newest_id,
            fetch=lambda token: client.get_users_mentions(
                account.user_id,
                since_id=account.mentions_since_id or None,
                pagination_token=token or None,
                max_results=PAGE_SIZE,
                user_auth=user_auth,
                **_TWEET_PARAMS,
            ),
            parse=lambda page: _tweets(page, account=account, team_id=account.team_id, listening=False),
        )
    ]
    if account.read_dms and account.can_write:
        streams.append(
            _Stream(
                name="direct messages",
                model=XAccount,
                pk=account.pk,
                prefix="dm_",
                since_id=account.dm_since_id,
                token=account.dm_resume_token,
                newest=account.dm_walk_newest_id,
                # No since_id here: X lists all DM events newest first; the walk stops at since_id.
                fetch=lambda token: client.get_direct_message_events(
                    pagination_token=token or None, max_results=PAGE_SIZE, **_DM_PARAMS
                ),
                parse=lambda page: _direct_messages(page, account=account),
            )
        )
    for search in XSearch.objects.filter(account=account, active=True).order_by("pk"):
        streams.append(
            _Stream(
                name=f"search {search.query!r}",
                model=XSearch,
                pk=search.pk,
                prefix="",
                since_id=search.since_id,
                token=search.resume_token,
                newest=search.walk_newest_id,
                fetch=lambda token, search=search: client.search_recent_tweets(
                    search.query,
                    since_id=search.since_id or None,
                    next_token=token or None,
                    max_results=PAGE_SIZE,
                    user_auth=user_auth,
                    **_TWEET_PARAMS,
                ),
                parse=lambda page, search=search: _tweets(
                    page, account=account, team_id=search.team_id or account.team_id, listening=True
                ),
            )
        )
    return streams


def _walk(stream: _Stream, result: PollResult) -> None:
    """Fetch up to MAX_PAGES pages newest first, then store them oldest first (also when a request
    failed midway: what was fetched is kept, and the walk goes on from there next time)."""
    pages: list[dict] = []
    token, finished, error, limit_reset = stream.token, False, None, None
    while not finished and len(pages) < MAX_PAGES and limit_reset is None:
        try:
            response = stream.fetch(token)
        except (tweepy.HTTPException, requests.RequestException) as exc:
            error = exc
            break
        result.requests += 1
        if response.headers.get("x-rate-limit-remaining") == "0":
            limit_reset = _reset_time(response.headers.get("x-rate-limit-reset"))
        page = response.json()
        pages.append(page)
        token = page.get("meta", {}).get("next_token", "")
        oldest = min((int(item["id"]) for item in page.get("data", [])), default=None)
        reached = bool(stream.since_id) and oldest is not None and oldest <= int(stream.since_id)
        # The first poll of a stream reads its newest page only: history is not worth the API quota.
        finished = not token or not stream.since_id or reached
    if pages:
        _store(stream, pages, finished=finished, next_token=token, result=result)
    if error is not None:
        raise error
    if limit_reset is not None:
        result.rate_limited_until = limit_reset


def _store(stream: _Stream, pages: list[dict], *, finished: bool, next_token: str, result: PollResult) -> None:
    since = int(stream.since_id or 0)
    walk_newest = stream.newest or _newest(pages[0])
    for position, page in enumerate(reversed(pages), start=1):
        fresh = [item for item in page.get("data", []) if int(item["id"]) > since]
        _ingest(stream.parse({**page, "data": fresh}), result)
        if finished:
            newest = _newest(page)
            if position == len(pages):
                newest = max([newest, walk_newest], key=lambda value: int(value or 0))
            if newest:
                stream.save(since_id=newest, resume_token="", walk_newest_id="")
    if not finished:
        stream.save(resume_token=next_token, walk_newest_id=walk_newest)


def _newest(page: dict) -> str:
    return max((item["id"] for item in page.get("data", [])), key=int, default="")


def _ingest(msgs: list[InboundMessage], result: PollResult) -> None:
    if not msgs:
        return
    results = ingest_many(msgs)
    jobs = []
    for msg, outcome in zip(msgs, results, strict=True):
        if isinstance(outcome, IngestError):
            result.failed += 1
        elif outcome.duplicate:
            result.duplicates += 1
        else:
            result.ingested += 1
            jobs += [(outcome.message.pk, msg.channel, m.url, m.content_type, m.filename) for m in msg.media]
    result.fetched += len(msgs)
    if jobs:
        from channels_in.tasks import fetch_media_task  # the tasks module imports the registry

        transaction.on_commit(lambda: [fetch_media_task.delay(*job) for job in jobs], robust=True)


def _tweets(page: dict, *, account: XAccount, team_id: int | None, listening: bool) -> list[InboundMessage]:
    """Public posts (mentions, search hits), oldest first; our own posts and retweets left out."""
    includes = page.get("includes", {})
    users = {user["id"]: user for user in includes.get("users", [])}
    media = {item["media_key"]: item for item in includes.get("media", [])}
    msgs = []
    for tweet in sorted(page.get("data", []), key=lambda item: int(item["id"])):
        author = tweet.get("author_id", "")
        refs = {ref["type"]: ref["id"] for ref in tweet.get("referenced_tweets", [])}
        if not author or author == account.user_id or "retweeted" in refs:
            continue
        username = users.get(author, {}).get("username", "")
        photos = [media.get(key, {}) for key in tweet.get("attachments", {}).get("media_keys", [])]
        msgs.append(
            InboundMessage(
                channel=Channel.X,
                external_id=tweet["id"],
                sender_address=author,
                sender_name=_display_name(users.get(author, {})),
                # Posts over 280 characters come whole only in note_tweet.
                text=tweet.get("note_tweet", {}).get("text") or tweet.get("text", ""),
                timestamp=_parse_time(tweet.get("created_at")),
                reply_to_ids=(refs["replied_to"],) if "replied_to" in refs else (),
                # Per author: two people in one public thread are two customers, two tickets.
                conversation_id=f"{tweet['conversation_id']}:{author}" if tweet.get("conversation_id") else "",
                channel_address=account.user_id,
                team_id=team_id,
                media=tuple(
                    RemoteMedia(photo["url"], filename=photo["url"].rsplit("/", 1)[-1])
                    for photo in photos
                    if photo.get("type") == "photo" and photo.get("url")
                ),
                meta={
                    "public": True,
                    "url": f"https://x.com/{username or 'i/web'}/status/{tweet['id']}",
                    "username": username,
                    "listening": listening,
                },
            )
        )
    return msgs


def _direct_messages(page: dict, *, account: XAccount) -> list[InboundMessage]:
    """Received DMs, oldest first; the ones we sent come back in the same list and are left out."""
    users = {user["id"]: user for user in page.get("includes", {}).get("users", [])}
    msgs = []
    for event in sorted(page.get("data", []), key=lambda item: int(item["id"])):
        sender = event.get("sender_id", "")
        if event.get("event_type") != "MessageCreate" or not sender or sender == account.user_id:
            continue
        conversation = event.get("dm_conversation_id", "")
        msgs.append(
            InboundMessage(
                channel=Channel.X,
                external_id=f"dm:{event['id']}",
                sender_address=sender,
                sender_name=_display_name(users.get(sender, {})),
                text=event.get("text", ""),
                timestamp=_parse_time(event.get("created_at")),
                conversation_id=f"dm:{conversation}" if conversation else "",
                channel_address=account.user_id,
                team_id=account.team_id,
                meta={"public": False, "username": users.get(sender, {}).get("username", ""), "listening": False},
            )
        )
    return msgs


def _display_name(user: dict) -> str:
    username, name = user.get("username", ""), user.get("name", "")
    if not username:
        return name
    return f"@{username} ({name})" if name else f"@{username}"


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _reset_time(value: int | str | None) -> datetime:
    """When X's rate-limit window ends (x-rate-limit-reset, epoch seconds), at least a minute away."""
    now = timezone.now()
    if not value:
        return now + DEFAULT_BACKOFF
    return max(datetime.fromtimestamp(int(value), tz=UTC), now + timedelta(minutes=1))
