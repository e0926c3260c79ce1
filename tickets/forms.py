from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from channels_in.webform.inbound import MultipleFileField
from helpdesk.roles import Role
from tickets.models import Priority, Status, Team

MAX_TEXT = 50_000


class ReplyForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=MAX_TEXT, label="Message")
    internal = forms.BooleanField(required=False, label="Internal note (not sent to the customer)")
    status = forms.ChoiceField(
        choices=[("", "Keep status"), *Status.choices], required=False, label="Then set status to"
    )
    attachments = MultipleFileField(
        required=False, help_text="Each at most %s MB." % (settings.MAX_ATTACHMENT_BYTES // 2**20)
    )
    whatsapp_template = forms.CharField(
        max_length=64,
        required=False,
        label="WhatsApp template (Content SID)",
        help_text="Needed when the customer has not written on WhatsApp in the last 24 hours.",
    )


def _agents():
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=[Role.ADMIN, Role.AGENT])
        .order_by("first_name", "username")
    )


class TicketPropertiesForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="— no team —")
    assignee = forms.ModelChoiceField(queryset=_agents(), required=False, empty_label="— unassigned —")
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].label_from_instance = lambda user: user.display_name

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, max_value=2**62, label="Merge this ticket into #")


class OutreachForm(forms.Form):
    """An agent writes to a customer first, on one of the channels the customer can be reached on."""

    channel = forms.ChoiceField(label="Channel")
    subject = forms.CharField(max_length=255, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_TEXT, label="Message")
    whatsapp_template = forms.CharField(
        max_length=64,
        required=False,
        label="WhatsApp template (Content SID)",
        help_text="WhatsApp only: an approved template, needed when the customer has not written in 24 hours.",
    )

    def __init__(self, *args, channels: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = channels


def outreach_channels(customer) -> list[tuple[str, str]]:
    """(channel, label) the helpdesk can send on and the customer has an address for."""
    from channels_in.registry import can_send
    from tickets.inbound import IDENTITY_KIND
    from tickets.models import Channel

    kinds = {identity.kind for identity in customer.identities.all()}
    return [(c.value, c.label) for c in Channel if can_send(c.value) and IDENTITY_KIND.get(c.value) in kinds]
