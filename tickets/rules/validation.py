"""Whether an action's value means something, checked when an admin saves a rule or automation.

`apply_actions` skips a value that names nothing (a typo in a team name) and only says so in the
rule log; checking on save turns that quiet no-op into a form error while the admin is looking.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from helpdesk.roles import Role
from tickets.models import ActionKind, Macro, Priority, Status, Team
from tickets.rules.actions import split_names, tag_names


def validate_action(kind: str, value: str) -> None:
    """Raise ValidationError unless `value` is something action `kind` can use today."""
    value = value.strip()
    if kind not in ActionKind.values:
        raise ValidationError("%(kind)r is not an action.", code="invalid_kind", params={"kind": kind})
    if kind == ActionKind.SET_PRIORITY:
        if not (value.isdigit() and int(value) in Priority.values):
            raise ValidationError("Priority is a number from 1 (low) to 4 (urgent).", code="invalid_priority")
    elif kind == ActionKind.SET_STATUS:
        if value not in Status.values:
            raise ValidationError(
                "Status is one of: %(statuses)s.", code="invalid_status", params={"statuses": ", ".join(Status.values)}
            )
    elif kind == ActionKind.SET_TEAM:
        if not Team.objects.filter(name=value).exists():
            raise ValidationError("No team is called %(name)r.", code="unknown_team", params={"name": value})
    elif kind == ActionKind.REPLY_MACRO:
        if not Macro.objects.filter(name=value, active=True).exists():
            raise ValidationError("No active macro is called %(name)r.", code="unknown_macro", params={"name": value})
    elif kind in (ActionKind.SET_ASSIGNEE, ActionKind.ADD_FOLLOWERS):
        _validate_agents(kind, split_names(value))
    elif kind in (ActionKind.ADD_TAGS, ActionKind.REMOVE_TAGS):
        if not tag_names(value):
            raise ValidationError("Give at least one tag name.", code="no_tags")
    elif kind == ActionKind.SET_LANGUAGE:
        if not value or len(value) > 16:
            raise ValidationError("Give a language code, such as en or pt-BR.", code="invalid_language")
    elif not value:  # the notices: the text is what the agents see
        raise ValidationError("Write the notice the agents will see.", code="no_text")


def _validate_agents(kind: str, names: list[str]) -> None:
    if kind == ActionKind.SET_ASSIGNEE and len(names) != 1:
        raise ValidationError("Give one username.", code="one_assignee")
    if not names:
        raise ValidationError("Give at least one username.", code="no_agents")
    found = set(
        get_user_model()
        .objects.filter(username__in=names, is_active=True, role__in=[Role.ADMIN, Role.AGENT])
        .values_list("username", flat=True)
    )
    missing = [name for name in names if name not in found]
    if missing:
        raise ValidationError(
            "Not an active agent: %(names)s.", code="unknown_agent", params={"names": ", ".join(missing)}
        )
