import uuid
import zoneinfo

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from channels_in.webform.inbound import MAX_FILES, MultipleFileField
from customers.models import RequestField, RequestFieldKind

_FILES_HELP = f"Up to {MAX_FILES} files, each at most {filesizeformat(settings.MAX_ATTACHMENT_BYTES)}."


class AddressForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your e-mail address")


class PasswordSignInForm(forms.Form):
    email = forms.EmailField(max_length=254, label="E-mail address")
    password = forms.CharField(strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class ReplyForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000, label="Your reply")
    attachments = MultipleFileField(required=False, help_text=_FILES_HELP)
    # Generated when the form is shown: a double submit gives one message.
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class RequestForm(forms.Form):
    """A new request; the admin's RequestFields follow the message. Signed-in customers give no name or address."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254, label="E-mail address")
    subject = forms.CharField(max_length=200)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    attachments = MultipleFileField(required=False, help_text=_FILES_HELP)
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    # Honeypot: people leave it empty, form-filling bots do not.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, signed_in: bool, request_fields: list[RequestField], **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:
            del self.fields["name"], self.fields["email"]
        self.request_fields = {f"field_{field.pk}": field for field in request_fields}
        for name, field in self.request_fields.items():
            self.fields[name] = _form_field(field)
        # Custom fields sit between the message and the attachments, in the admin's order.
        order = ["name", "email", "subject", "message", *self.request_fields, "attachments"]
        self.order_fields(order)

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def field_answers(self) -> dict[str, str]:
        """The custom fields' answers by label, as text an agent reads; unanswered optional fields left out."""
        answers = {}
        for name, field in self.request_fields.items():
            value = self.cleaned_data.get(name)
            if field.kind == RequestFieldKind.CHECKBOX:
                answers[field.label] = "Yes" if value else "No"
            elif value:
                answers[field.label] = value
        return answers


def _form_field(field: RequestField) -> forms.Field:
    if field.kind == RequestFieldKind.TEXTAREA:
        return forms.CharField(
            label=field.label, required=field.required, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
        )
    if field.kind == RequestFieldKind.SELECT:
        choices = [("", "—")] + [(choice, choice) for choice in field.choice_list]
        return forms.ChoiceField(label=field.label, required=field.required, choices=choices)
    if field.kind == RequestFieldKind.CHECKBOX:
        return forms.BooleanField(label=field.label, required=field.required)
    return forms.CharField(label=field.label, required=field.required, max_length=500)


class ProfileForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    language = forms.ChoiceField(required=False)
    time_zone = forms.ChoiceField(required=False, label="Time zone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [("", "—")] + [
            (code, names.get(code, code)) for code in settings.HELPDESK_LANGUAGES
        ]
        self.fields["time_zone"].choices = [("", "—")] + [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]
