from django import forms


class AnswerForm(forms.Form):
    """A score from the survey's scale and an optional comment."""

    score = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Your answer")
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), label="Anything to add?"
    )

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = choices
