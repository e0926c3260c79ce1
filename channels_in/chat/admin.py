from django import forms
from django.conf import settings
from django.contrib import admin
from django.template.loader import render_to_string

from channels_in.chat.models import ChatSession, ChatSite


class ChatSiteForm(forms.ModelForm):
    allowed_origins = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='One per line, e.g. https://www.example.com ("*", any site, only while DEBUG is on).',
    )

    class Meta:
        model = ChatSite
        fields = [
            "name",
            "team",
            "allowed_origins",
            "title",
            "greeting",
            "colour",
            "position",
            "language",
            "prechat",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["allowed_origins"] = "\n".join(self.instance.allowed_origins or [])

    def clean_allowed_origins(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["allowed_origins"].splitlines() if line.strip()]


def embed_snippet(site: ChatSite) -> str:
    """The tag the admin pastes into their pages. The script's name is not content-hashed, so a
    snippet pasted once keeps working across deploys."""
    static = settings.STATIC_URL if "://" in settings.STATIC_URL else settings.PUBLIC_URL + settings.STATIC_URL
    return (
        f'<script src="{static}widget/widget.js" data-site="{site.key}" '
        f'data-helpdesk="{settings.PUBLIC_URL}" async></script>'
    )


@admin.register(ChatSite)
class ChatSiteAdmin(admin.ModelAdmin):
    form = ChatSiteForm
    list_display = ["name", "team", "prechat", "active"]
    list_filter = ["active"]
    search_fields = ["name", "key"]
    readonly_fields = ["snippet"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if obj else [f for f in fields if f != "snippet"]

    @admin.display(description="Embed snippet")
    def snippet(self, obj: ChatSite) -> str:
        return render_to_string("chat/embed_snippet.html", {"site": obj, "snippet": embed_snippet(obj)})


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    """A record of who chatted when; the conversation itself is the ticket."""

    list_display = ["pk", "site", "state", "customer", "agent", "ticket", "created_at", "ended_at"]
    list_filter = ["state", "site"]
    list_select_related = ["site", "customer", "agent"]
    readonly_fields = [f.name for f in ChatSession._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
