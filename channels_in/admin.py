from django import forms
from django.contrib import admin

from channels_in.models import Mailbox


class MailboxForm(forms.ModelForm):
    """The stored password is never sent back to the browser; an empty field keeps it."""

    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Leave empty to keep the current password.",
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "team",
            "active",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "after_processing",
            "move_to_folder",
            "acknowledge",
            "from_name",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_username",
            "smtp_password",
        ]

    smtp_password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Leave empty to keep the current one (or to use the IMAP password).",
    )

    def clean_smtp_password(self) -> str:
        return self.cleaned_data["smtp_password"] or (self.instance.smtp_password if self.instance.pk else "")

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if password:
            return password
        if self.instance.pk:
            return self.instance.password
        raise forms.ValidationError("Enter the mailbox's password.")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "address", "host", "active", "last_polled_at", "last_error"]
    list_filter = ["active"]
    search_fields = ["name", "address", "host", "username"]
    readonly_fields = ["uidvalidity", "last_uid", "last_polled_at", "last_error"]

    def save_model(self, request, obj, form, change):
        # UIDs belong to one folder on one server: another folder is read from its start.
        if change and {"host", "port", "username", "folder"} & set(form.changed_data):
            obj.uidvalidity, obj.last_uid = None, 0
        super().save_model(request, obj, form, change)
