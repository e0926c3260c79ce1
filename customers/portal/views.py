"""The customer portal's pages. Thin: forms in, services and selectors for everything else.

Every customer page goes through `customer_required`, which hands the view the signed-in customer;
every ticket, file and action is then looked up through customers.portal.selectors with that
customer, so another customer's number gives 404.
"""

import logging
import zoneinfo
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.models import Customer, ErasureState, RequestField
from customers.portal import selectors, services
from customers.portal.forms import AddressForm, PasswordSignInForm, ProfileForm, ReplyForm, RequestForm
from customers.privacy import export_customer
from helpdesk.roles import is_staff_member
from surveys.forms import AnswerForm
from surveys.models import CsatScale, CsatSurvey
from surveys.services import BAD, GOOD, answer_csat, answer_is_open
from tickets.services import IngestError, IngestResult

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
# The address a customer signed in with: their replies come from it.
_SESSION_ADDRESS = "portal_address"
_CSAT_CHOICES = {
    CsatScale.GOOD_BAD: [(GOOD, "Good, I'm satisfied"), (BAD, "Bad, I'm not satisfied")],
    CsatScale.ONE_TO_FIVE: [(n, str(n)) for n in range(1, 6)],
}


def customer_required(view: Callable) -> Callable:
    """Portal pages: anonymous visitors go to the portal's sign-in, staff to the agent UI."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if is_staff_member(request.user):
            return redirect("tickets:queue")
        customer = selectors.portal_customer(request.user)
        if customer is None:  # the customer was erased or unlinked from this login
            logout(request)
            return redirect("portal:login")
        with timezone.override(_zone(customer.time_zone)):  # dates in the customer's own time
            return view(request, customer, *args, **kwargs)

    return wrapper


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR is the proxy's view of the client (the proxy sets it), as for the contact form.
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def login_request(request: HttpRequest) -> HttpResponse:
    """Ask for an address and mail a sign-in link; the answer is the same whether we know the address."""
    if request.user.is_authenticated:
        return redirect("tickets:queue" if is_staff_member(request.user) else "portal:requests")
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        if not services.within_rate_limit(purpose="link", address=address, ip=_client_ip(request)):
            form.add_error(None, "Too many sign-in requests; please wait a while and try again.")
            return render(request, "portal/login.html", {"form": form}, status=429)
        from customers.tasks import send_login_link_task  # tasks import the services

        send_login_link_task.delay(address)
        return redirect("portal:login-sent")
    return render(request, "portal/login.html", {"form": form}, status=400 if form.errors else 200)


def login_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/login_sent.html", {"minutes": int(services.LINK_MAX_AGE.total_seconds() // 60)})


@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the mail. Opening it only shows a button: mail scanners open every link, and a
    GET that signed in would use the link up before the customer clicks."""
    if request.method == "POST":
        signed_in = services.sign_in_with_token(token)
        if signed_in is not None:
            user, identity = signed_in
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[_SESSION_ADDRESS] = identity.address
            return redirect("portal:requests")
    elif (identity := services.identity_for_token(token)) is not None:
        return render(request, "portal/login_confirm.html", {"address": identity.address})
    return render(request, "portal/login_expired.html", {"form": AddressForm()}, status=400)


@require_http_methods(["GET", "POST"])
def password_login(request: HttpRequest) -> HttpResponse:
    """Sign in with an address and the password the customer set on their profile."""
    form = PasswordSignInForm(request.POST or None)
    target = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        if not services.within_rate_limit(purpose="password", address=address, ip=_client_ip(request)):
            form.add_error(None, "Too many attempts; please wait a while or ask for a sign-in link.")
            return render(request, "portal/password_login.html", {"form": form, "next": target}, status=429)
        candidate = services.password_user(address=address)
        user = candidate and authenticate(request, username=candidate.username, password=form.cleaned_data["password"])
        if user:
            login(request, user)
            request.session[_SESSION_ADDRESS] = address.lower()
            safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
            return redirect(target if target and safe else "portal:requests")
        form.add_error(None, "That address and password do not match; you can ask for a sign-in link instead.")
    status = 400 if form.errors else 200
    return render(request, "portal/password_login.html", {"form": form, "next": target}, status=status)


@customer_required
@require_GET
def request_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    shared = selectors.shares_organization_tickets(customer)
    organization = shared and request.GET.get("scope") == "organization"
    page = Paginator(selectors.request_list(customer, organization=organization), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"customer": customer, "page": page, "shared": shared, "organization": organization}
    return render(request, "portal/requests.html", context)


@customer_required
@require_GET
def request_detail(request: HttpRequest, customer: Customer, number: int) -> HttpResponse:
    ticket = selectors.request_get(customer, number)
    if ticket.merged_into_id:
        return redirect("portal:ticket", number=ticket.merged_into_id)
    return _detail(request, customer, ticket)


def _detail(request: HttpRequest, customer: Customer, ticket, *, reply_form=None, rate_form=None, status=200):
    can_act = selectors.can_act_on(customer, ticket)
    survey = CsatSurvey.objects.filter(ticket=ticket).first() if can_act else None
    if survey is not None and rate_form is None:
        initial = {"score": survey.score, "comment": survey.comment}
        rate_form = AnswerForm(initial=initial, choices=_CSAT_CHOICES[survey.scale])
    context = {
        "customer": customer,
        "ticket": ticket,
        "timeline": selectors.public_timeline(ticket),
        "can_act": can_act,
        "reply_form": reply_form or ReplyForm(),
        "survey": survey,
        "rate_form": rate_form,
        "rating_open": survey is not None and answer_is_open(survey.answered_at),
    }
    return render(request, "portal/ticket.html", context, status=status)


def _actionable(customer: Customer, number: int):
    """A ticket the customer may reply to, solve and rate; organization tickets they only read give 404 here."""
    ticket = selectors.request_get(customer, number)
    if not selectors.can_act_on(customer, ticket):
        raise Http404("No such request.")
    return ticket


@customer_required
@require_POST
def reply(request: HttpRequest, customer: Customer, number: int) -> HttpResponse:
    ticket = _actionable(customer, number)
    form = ReplyForm(request.POST, request.FILES)
    sender = selectors.reply_address(customer, request.session.get(_SESSION_ADDRESS, ""))
    if sender is None:
        form.add_error(None, "Add an e-mail address to your profile to reply here.")
    if not form.is_valid():
        return _detail(request, customer, ticket, reply_form=form, status=400)
    data = form.cleaned_data
    try:
        result = services.reply_to_request(
            customer=customer,
            ticket=ticket,
            sender=sender,
            text=data["text"],
            files=data["attachments"],
            submission_id=data["submission_id"],
        )
    except IngestError:
        # Kept raw for an admin to retry; nothing the customer wrote is lost.
        messages.warning(request, "We received your reply; it will appear here shortly.")
        return redirect("portal:ticket", number=ticket.pk)
    _warn_refused(request, result)
    if result.ticket.pk != ticket.pk:
        messages.info(request, f"Request #{ticket.pk} was closed, so your reply opened request #{result.ticket.pk}.")
    return redirect(reverse("portal:ticket", args=[result.ticket.pk]) + f"#m{result.message.pk}")


def _warn_refused(request: HttpRequest, result: IngestResult) -> None:
    for attachment in result.message.attachments.all():
        if attachment.refused_reason:
            messages.warning(request, f"{attachment.filename}: {attachment.refused_reason}")


@customer_required
@require_POST
def solve(request: HttpRequest, customer: Customer, number: int) -> HttpResponse:
    ticket = _actionable(customer, number)
    try:
        services.solve_request(ticket=ticket)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, "Thank you: the request is marked solved. Write again here if it comes back.")
    return redirect("portal:ticket", number=ticket.pk)


@customer_required
@require_POST
def rate(request: HttpRequest, customer: Customer, number: int) -> HttpResponse:
    """Answer the ticket's satisfaction survey from the portal, through the surveys app's service."""
    ticket = _actionable(customer, number)
    survey = CsatSurvey.objects.filter(ticket=ticket).first()
    if survey is None:
        raise Http404("This request has no survey.")
    form = AnswerForm(request.POST, choices=_CSAT_CHOICES[survey.scale])
    if form.is_valid():
        try:
            answer_csat(survey=survey, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Thank you for your rating.")
            return redirect("portal:ticket", number=ticket.pk)
    return _detail(request, customer, ticket, rate_form=form, status=400)


_INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@customer_required
@require_GET
def attachment(request: HttpRequest, customer: Customer, number: int, attachment_id: int) -> FileResponse:
    """A file of a public message on a ticket the customer may see; never from a public URL."""
    item = selectors.attachment_get(customer, number, attachment_id)
    # Shown in the page only for raster images (an SVG can carry script); everything else downloads.
    inline = request.GET.get("inline") == "1" and item.content_type in _INLINE_IMAGE_TYPES
    return FileResponse(
        item.file.open("rb"), as_attachment=not inline, filename=item.filename, content_type=item.content_type
    )


@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    """A new request, with the admin's custom fields; anyone may send one, signed-in customers skip name and address."""
    if is_staff_member(request.user):
        return redirect("tickets:queue")
    customer = selectors.portal_customer(request.user) if request.user.is_authenticated else None
    fields = list(RequestField.objects.filter(active=True))
    form = RequestForm(
        request.POST or None, request.FILES or None, signed_in=customer is not None, request_fields=fields
    )
    sender = selectors.reply_address(customer, request.session.get(_SESSION_ADDRESS, "")) if customer else None
    if request.method == "POST":
        if not services.within_request_limit(ip=_client_ip(request)):
            form.add_error(None, "Too many requests from your network in the last hour; please try again later.")
            return render(request, "portal/new_request.html", {"form": form, "sender": sender}, status=429)
        if customer is not None and sender is None:
            form.add_error(None, "Add an e-mail address to your profile to send a request.")
        elif form.is_valid():
            return _submit(request, form, customer, sender)
    status = 400 if form.errors else 200
    return render(request, "portal/new_request.html", {"form": form, "sender": sender}, status=status)


def _submit(request: HttpRequest, form: RequestForm, customer: Customer | None, sender: str | None) -> HttpResponse:
    if form.is_spam():
        logger.info("portal: honeypot filled, request dropped")
        return redirect("portal:new-request-thanks")
    data = form.cleaned_data
    try:
        result = services.submit_request(
            sender=sender or data["email"],
            name=customer.name if customer else data["name"],
            subject=data["subject"],
            text=data["message"],
            fields=form.field_answers(),
            files=data["attachments"],
            submission_id=data["submission_id"],
        )
    except IngestError:
        messages.warning(request, "We received your request and will look into it.")
        return redirect("portal:new-request-thanks")
    _warn_refused(request, result)
    if customer is not None and result.ticket.customer_id == customer.pk:
        messages.success(request, f"Thank you: your request is #{result.ticket.pk}.")
        return redirect("portal:ticket", number=result.ticket.pk)
    request.session["portal_new_request"] = result.ticket.pk
    return redirect("portal:new-request-thanks")


def new_request_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/new_request_thanks.html", {"number": request.session.get("portal_new_request")})


@customer_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, customer: Customer) -> HttpResponse:
    initial = {"name": customer.name, "language": customer.language, "time_zone": customer.time_zone}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_profile(customer=customer, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("portal:profile")
    return _profile(request, customer, form=form, status=400 if form.errors else 200)


def _profile(request: HttpRequest, customer: Customer, *, form=None, password_form=None, status=200) -> HttpResponse:
    initial = {"name": customer.name, "language": customer.language, "time_zone": customer.time_zone}
    context = {
        "customer": customer,
        "form": form or ProfileForm(initial=initial),
        "password_form": password_form or SetPasswordForm(request.user),
        "identities": customer.identities.all(),
        "erasure": customer.erasure_requests.first(),
        "pending": ErasureState.PENDING,
    }
    return render(request, "portal/profile.html", context, status=status)


@customer_required
@require_POST
def identity_remove(request: HttpRequest, customer: Customer, identity_id: int) -> HttpResponse:
    try:
        services.remove_identity(customer=customer, identity_id=identity_id)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, "The address was removed from your profile.")
    return redirect("portal:profile")


@customer_required
@require_POST
def set_password(request: HttpRequest, customer: Customer) -> HttpResponse:
    """An optional password, for signing in without waiting for a link."""
    form = SetPasswordForm(request.user, request.POST)
    if not form.is_valid():
        return _profile(request, customer, password_form=form, status=400)
    form.save()
    update_session_auth_hash(request, form.user)  # stay signed in on this device
    messages.success(request, "Your password is set; you can now also sign in with it.")
    return redirect("portal:profile")


@customer_required
@require_GET
def export(request: HttpRequest, customer: Customer) -> StreamingHttpResponse:
    """Download my data: everything we hold about the customer, as JSON."""
    response = StreamingHttpResponse(export_customer(customer), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-data-{customer.pk}.json"'
    return response


@customer_required
@require_POST
def erasure(request: HttpRequest, customer: Customer) -> HttpResponse:
    services.request_erasure(customer=customer)
    messages.success(request, "We received your request to delete your data; an administrator will handle it.")
    return redirect("portal:profile")
