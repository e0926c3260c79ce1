"""HTTP side of the chat: the widget's session and upload calls (docs/chat-protocol.md), the visitor's
file downloads, and the agents' accept / transfer / end actions (JSON, for the chat workspace)."""

import json
from functools import wraps

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from channels_in.chat import events, services
from channels_in.chat.models import ChatSession, ChatSite
from helpdesk.decorators import staff_required
from helpdesk.models import User
from tickets.inbound import InboundAttachment
from tickets.models import Attachment, Team, Visibility
from tickets.services import IngestError

# New visitors per client address, and uploads per visitor, in RATE_WINDOW seconds.
NEW_VISITORS_PER_WINDOW = 60
UPLOADS_PER_WINDOW = 20
RATE_WINDOW = 600
_MULTIPART_OVERHEAD = 64 * 1024


def _error(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


def widget_api(view):
    """The widget's calls: the site by its key, CORS for its allowed origins only (preflight included).

    CSRF-exempt on purpose: CSRF protects requests a browser authenticates with cookies. These carry
    none; they are authenticated by the visitor token (in the body or X-Chat-Token), which lives in
    the host page's storage where another site cannot read it, so a forged request has nothing to
    ride on, and the widget, on another origin, could not obtain a CSRF token anyway.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request, site_key: str):
        site = ChatSite.objects.filter(key=site_key, active=True).first()
        origin = request.headers.get("Origin", "")
        allowed = site is not None and site.allows_origin(origin)
        if site is None:
            response = _error(404, "There is no chat on this site.")
        elif origin and not allowed:
            response = _error(403, "The chat is not enabled for this page's origin.")
        elif request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Content-Type, X-Chat-Token"
            response["Access-Control-Max-Age"] = "86400"
        elif request.method != "POST":
            response = _error(405, "Use POST.")
        else:
            response = view(request, site)
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
        patch_vary_headers(response, ["Origin"])
        return response

    return wrapper


def _over_limit(key: str, limit: int) -> bool:
    cache.add(key, 0, timeout=RATE_WINDOW)
    return cache.incr(key) > limit


@widget_api
def session(request, site: ChatSite):
    """The visitor's token (the stored one if still valid) and the widget's configuration."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "The body is not JSON.")
    token = body.get("token") if isinstance(body, dict) else None
    if token is not None and not isinstance(token, str):
        return _error(400, "`token` is a string.")
    # Only new visitors count (a returning one reloads pages freely); REMOTE_ADDR is the client as
    # the proxy reports it.
    new_visitor = not (token and services.visitor_from_token(site, token))
    address = request.META.get("REMOTE_ADDR", "")
    if new_visitor and _over_limit(f"chat:new-visitor:{address}", NEW_VISITORS_PER_WINDOW):
        return _error(429, "Too many new chats from your network; please try again later.")
    token, visitor, config = services.open_session(site=site, token=token)
    return JsonResponse({"token": token, "visitor": visitor, "config": config})


@widget_api
def upload(request, site: ChatSite):
    """A file from the visitor, stored as their message (idempotent on `id`) on the chat's ticket."""
    visitor = services.visitor_from_token(site, request.headers.get("X-Chat-Token", ""))
    if visitor is None:
        return _error(403, "A valid chat token (X-Chat-Token) is required.")
    limit = settings.MAX_ATTACHMENT_BYTES
    too_large = _error(413, f"Files are at most {filesizeformat(limit)}.")
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + _MULTIPART_OVERHEAD:
        return too_large  # refused before the body is read
    if _over_limit(f"chat:upload:{visitor}", UPLOADS_PER_WINDOW):
        return _error(429, "Too many files; please try again later.")
    upload = request.FILES.get("file")
    if upload is None:
        return _error(400, "Send the file in the `file` field.")
    if upload.size > limit:
        return too_large
    attachment = InboundAttachment(
        filename=upload.name, content_type=upload.content_type or "application/octet-stream", content=upload.read()
    )
    try:
        posted = services.post_visitor_message(
            site=site, visitor=visitor, client_id=request.POST.get("id", ""), text="", attachments=(attachment,)
        )
    except ValidationError as exc:
        return _error(400, " ".join(exc.messages))
    except IngestError:
        return _error(422, "We could not process this file; it was kept for our team.")
    return JsonResponse({"seq": posted.message.pk})


@require_GET
def file(request, site_key: str, token: str):
    """A file of the chat, for the visitor: the signed link in the message frame is the permission."""
    try:
        data = signing.loads(token, salt=events.FILE_SALT)
    except signing.BadSignature as exc:
        raise Http404("No such file.") from exc
    item = (
        Attachment.objects.exclude(file="")
        .filter(
            pk=data["a"],
            message__visibility=Visibility.PUBLIC,
            message__ticket__chat_sessions__visitor=data["v"],
            message__ticket__chat_sessions__site__key=site_key,
        )
        .first()
    )
    if item is None:
        raise Http404("No such file.")
    # Always a download: an HTML or SVG file must never run as a page of the helpdesk's origin.
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.filename)


@staff_required
@require_POST
def accept(request, pk: int):
    session = get_object_or_404(ChatSession, pk=pk)
    return _act(lambda: services.accept(session=session, agent=request.user))


@staff_required
@require_POST
def transfer(request, pk: int):
    """To another agent (`agent`: user id) and/or team (`team`: team id)."""
    session = get_object_or_404(ChatSession, pk=pk)
    to_agent = to_team = None
    if request.POST.get("agent"):
        to_agent = User.objects.filter(pk=_int(request.POST["agent"]), is_active=True).first()
        if to_agent is None:
            return _error(400, "No such agent.")
    if request.POST.get("team"):
        to_team = Team.objects.filter(pk=_int(request.POST["team"])).first()
        if to_team is None:
            return _error(400, "No such team.")
    return _act(lambda: services.transfer(session=session, by=request.user, to_agent=to_agent, to_team=to_team))


@staff_required
@require_POST
def end(request, pk: int):
    session = get_object_or_404(ChatSession, pk=pk)
    return _act(lambda: services.end(session=session, by=request.user))


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _act(action) -> JsonResponse:
    try:
        session = action()
    except PermissionDenied as exc:
        return _error(403, str(exc))
    except ValidationError as exc:
        return _error(400, " ".join(exc.messages))
    return JsonResponse(
        {
            "chat": session.pk,
            "ticket": session.ticket_id,
            "state": session.state,
            "agent": session.agent.display_name if session.agent else None,
            "team": session.team.name,
        }
    )
