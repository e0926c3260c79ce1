"""The public contact form -> InboundMessage."""

import uuid

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from tickets.inbound import InboundAttachment, InboundMessage
from tickets.models import Channel

MAX_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Attach at most {MAX_FILES} files.")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    subject = forms.CharField(max_length=200)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    attachments = MultipleFileField(
        required=False,
        help_text=f"Up to {MAX_FILES} files, each at most {filesizeformat(settings.MAX_ATTACHMENT_BYTES)}.",
    )
    # Generated when the form is shown: a double submit (reload, double click) gives one ticket.
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    # Honeypot: people leave it empty, form-filling bots do not.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


def to_inbound(form: ContactForm) -> InboundMessage:
    data = form.cleaned_data
    limit = settings.MAX_ATTACHMENT_BYTES
    # A file over the limit is not read: ingest records it as refused and keeps the message.
    attachments = tuple(
        InboundAttachment(
            f.name, f.content_type or "application/octet-stream", f.read() if f.size <= limit else b"", f.size
        )
        for f in data["attachments"]
    )
    return InboundMessage(
        channel=Channel.WEBFORM,
        external_id=f"webform-{data['submission_id']}",
        sender_address=data["email"],
        sender_name=data["name"],
        subject=data["subject"],
        text=data["message"],
        attachments=attachments,
    )
