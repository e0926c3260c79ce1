"""Agent forms of the ticket sidebar's phone panel."""

from django import forms
from django.core.exceptions import ValidationError

from channels_in.phone.services import OUTCOMES
from customers.models import IdentityKind
from customers.services import normalise_address


class _NumberField(forms.CharField):
    """A phone number, cleaned to E.164 the way customer identities are."""

    def __init__(self, **kwargs):
        super().__init__(max_length=32, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return normalise_address(IdentityKind.PHONE, value)
        except ValidationError as exc:
            raise ValidationError(f"{value} is not a phone number; write it with its country code.") from exc


class CallbackForm(forms.Form):
    number = _NumberField(label="Number")
    due_at = forms.DateTimeField(
        label="Call by", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class LogCallForm(forms.Form):
    number = _NumberField(label="Number called")
    status = forms.ChoiceField(label="Outcome", choices=OUTCOMES)
    minutes = forms.IntegerField(label="Minutes", min_value=0, max_value=600, required=False)
    notes = forms.CharField(label="Notes", max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
