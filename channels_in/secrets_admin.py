"""Admin forms for channel credentials: a stored secret is never sent back to the browser."""

from django import forms


class SecretsForm(forms.ModelForm):
    """A ModelForm whose `secret_fields` show as empty password inputs.

    Left empty, a field keeps the stored secret (an admin editing the team of a mailbox does not
    have to know its password); a new object still needs every secret its model requires.
    """

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False)
            field.error_messages["required"] = f"Enter the {str(field.label).lower()}."
            if self.instance.pk and getattr(self.instance, name):
                field.required = False
                field.help_text = f"{field.help_text} Stored; leave empty to keep it.".strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in self.secret_fields:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned
