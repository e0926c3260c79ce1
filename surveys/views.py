"""Public survey pages: no login, the token in the link is the credential.

A link in the message (`.../good/`, `.../bad/`) only preselects the answer; the answer is
recorded by the form's POST. Mail scanners and link previews open every link in a message, so a
GET that recorded "bad" would answer for customers who never clicked.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from surveys import services
from surveys.forms import AnswerForm
from surveys.models import CsatScale, CsatSurvey, NpsResponse

_CSAT_CHOICES = {
    CsatScale.GOOD_BAD: [(services.GOOD, "Good, I'm satisfied"), (services.BAD, "Bad, I'm not satisfied")],
    CsatScale.ONE_TO_FIVE: [(n, str(n)) for n in range(1, 6)],
}
_PRESELECT = {"good": services.GOOD, "bad": services.BAD}


@require_http_methods(["GET", "POST"])
def csat(request: HttpRequest, token: str, choice: str = "") -> HttpResponse:
    survey = get_object_or_404(CsatSurvey, token=token)
    form = _answer(
        request,
        survey,
        _CSAT_CHOICES[survey.scale],
        _PRESELECT.get(choice, survey.score),
        lambda score, comment: services.answer_csat(survey=survey, score=score, comment=comment),
    )
    if form is None:
        return redirect("surveys:csat_thanks", token=token)
    return render(request, "surveys/csat.html", _context(survey, form))


def csat_thanks(request: HttpRequest, token: str) -> HttpResponse:
    survey = get_object_or_404(CsatSurvey, token=token)
    return render(request, "surveys/thanks.html", _context(survey) | {"again": "surveys:csat"})


@require_http_methods(["GET", "POST"])
def nps(request: HttpRequest, token: str) -> HttpResponse:
    response = get_object_or_404(NpsResponse.objects.select_related("campaign"), token=token)
    choices = [(n, str(n)) for n in services.NPS_SCORES]
    form = _answer(
        request,
        response,
        choices,
        response.score,
        lambda score, comment: services.answer_nps(response=response, score=score, comment=comment),
    )
    if form is None:
        return redirect("surveys:nps_thanks", token=token)
    return render(request, "surveys/nps.html", _context(response, form))


def nps_thanks(request: HttpRequest, token: str) -> HttpResponse:
    response = get_object_or_404(NpsResponse, token=token)
    return render(request, "surveys/thanks.html", _context(response) | {"again": "surveys:nps"})


def _answer(
    request: HttpRequest,
    answer: CsatSurvey | NpsResponse,
    choices: list[tuple[int, str]],
    initial_score: int | None,
    record: Callable[[int, str], object],
) -> AnswerForm | None:
    """The form to show, or None once a POST recorded the answer (a closed survey ignores POSTs)."""
    if request.method == "POST" and services.answer_is_open(answer.answered_at):
        form = AnswerForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                record(form.cleaned_data["score"], form.cleaned_data["comment"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return None
        return form
    return AnswerForm(initial={"score": initial_score, "comment": answer.comment}, choices=choices)


def _context(answer: CsatSurvey | NpsResponse, form: AnswerForm | None = None) -> dict:
    return {"answer": answer, "form": form, "editable": services.answer_is_open(answer.answered_at)}
