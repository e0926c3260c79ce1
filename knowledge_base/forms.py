from django import forms
from django.utils.translation import gettext_lazy as _

from knowledge_base.services import MAX_COMMENT_CHARS


class FeedbackForm(forms.Form):
    """ "Did this help?": the button pressed, an optional comment, and which language was read."""

    helpful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")])
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT_CHARS,
        label=_("Anything we should add or fix? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    language = forms.CharField(max_length=12, widget=forms.HiddenInput)
