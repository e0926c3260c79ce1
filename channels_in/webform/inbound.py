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


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    subject = forms.CharField(max_length=200)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    attachments = forms.FileField(
        widget=MultipleFileInput(attrs={"multiple": True}),
        required=False,
        help_text=f"Up to {MAX_FILES} files, each at most {filesizeformat(settings.MAX_ATTACHMENT_BYTES)}.",
    )
    # Generated when the form is shown: a double submit (reload, double click) gives one ticket.
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    # Honeypot: people leave it empty, form-filling bots do not.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, files_list=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.files_list = files_list or []

    def clean(self):
        cleaned = super().clean()
        if len(self.files_list) > MAX_FILES:
            raise forms.ValidationError(f"Attach at most {MAX_FILES} files.")
        return cleaned

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
        for f in form.files_list
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
