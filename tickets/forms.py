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
