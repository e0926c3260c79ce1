from django.contrib import admin

from channels_in.models import Mailbox
from channels_in.secrets_admin import SecretsForm


class MailboxForm(SecretsForm):
    secret_fields = ("password", "smtp_password")

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
        help_texts = {"smtp_password": "Empty: the IMAP password."}


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
