from django.db import models
from django.utils import timezone

from tickets.models.choices import Status


class Condition(models.TextChoices):
    """What a routing rule can look at; tickets/rules/conditions.py reads each one."""

    CHANNEL = "channel", "Channel"
    CHANNEL_ADDRESS = "channel_address", "Arrived on (mailbox or number)"
    SUBJECT = "subject", "Subject"
    BODY = "body", "Message text"
    SUBJECT_OR_BODY = "text", "Subject or message text"
    LANGUAGE = "language", "Detected language"
    CUSTOMER_LANGUAGE = "customer_language", "Customer's language"
    CUSTOMER_TIME_ZONE = "customer_time_zone", "Customer's time zone"
    CUSTOMER_ADDRESS = "customer_address", "Customer's address (e-mail, phone, handle)"
    ORGANIZATION = "organization", "Organization name"
    ORGANIZATION_TIER = "organization_tier", "Organization tier"
    TAGS = "tags", "Tags"
    PRIORITY = "priority", "Priority (1 low - 4 urgent)"
    TEAM = "team", "Team"
    BUSINESS_HOURS = "business_hours", "Business hours (calendar name)"


class Operator(models.TextChoices):
    IS = "is", "is"
    IS_NOT = "is_not", "is not"
    CONTAINS = "contains", "contains"
    NOT_CONTAINS = "not_contains", "does not contain"
    ANY_WORD = "any_word", "contains any of the words (comma-separated)"
    MATCHES = "matches", "matches regular expression"
    STARTS_WITH = "starts_with", "starts with"
    ENDS_WITH = "ends_with", "ends with"
    IN = "in", "is one of (comma-separated)"
    AT_LEAST = "at_least", "is at least"
    AT_MOST = "at_most", "is at most"
    INSIDE = "inside", "inside business hours of"
    OUTSIDE = "outside", "outside business hours of"


class ActionKind(models.TextChoices):
    """What rules and automations can do to a ticket; tickets/rules/actions.py applies each one."""

    SET_TEAM = "set_team", "Set team (name)"
    SET_ASSIGNEE = "set_assignee", "Set assignee (username)"
    SET_PRIORITY = "set_priority", "Set priority (1 low - 4 urgent)"
    SET_STATUS = "set_status", "Set status"
    ADD_TAGS = "add_tags", "Add tags (comma-separated)"
    REMOVE_TAGS = "remove_tags", "Remove tags (comma-separated)"
    SET_LANGUAGE = "set_language", "Set language (code)"
    ADD_FOLLOWERS = "add_followers", "Add followers (usernames, comma-separated)"
    REPLY_MACRO = "reply_macro", "Send the customer a reply (macro name)"
    NOTIFY_TEAM = "notify_team", "Notify the team (text)"
    NOTIFY_ASSIGNEE = "notify_assignee", "Notify the assignee (text)"


class RoutingRule(models.Model):
    """One "if these conditions, do these actions" rule, run in `position` order.

    Conditions and actions are rows (RuleCondition, RuleAction) so the admin edits them as a
    form, never as JSON; the engine (tickets/rules/engine.py) compiles them once per change.
    """

    class Match(models.TextChoices):
        ALL = "all", "All conditions"
        ANY = "any", "Any condition"

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0, help_text="Lower positions run first.")
    active = models.BooleanField(default=True)
    match = models.CharField(max_length=3, choices=Match.choices, default=Match.ALL)
    on_create = models.BooleanField(default=True, help_text="Run when a ticket is created.")
    on_customer_reply = models.BooleanField(default=False, help_text="Run when the customer writes again.")
    stop = models.BooleanField(default=False, help_text="When this rule fires, later rules do not run.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class RuleRow(models.Model):
    """A row of a rule; saving or deleting one marks the rule changed, so compiled copies of the
    rules (tickets/rules/engine.py) are rebuilt."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        RoutingRule.objects.filter(pk=self.rule_id).update(updated_at=timezone.now())

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        RoutingRule.objects.filter(pk=self.rule_id).update(updated_at=timezone.now())
        return result


class RuleCondition(RuleRow):
    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="conditions")
    field = models.CharField(max_length=32, choices=Condition.choices)
    operator = models.CharField(max_length=16, choices=Operator.choices, default=Operator.IS)
    value = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(field__in=Condition.values), name="rulecondition_field_valid"),
            models.CheckConstraint(
                condition=models.Q(operator__in=Operator.values), name="rulecondition_operator_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.get_operator_display()} {self.value or 'empty'}"


class Action(models.Model):
    kind = models.CharField(max_length=32, choices=ActionKind.choices)
    value = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class RuleAction(RuleRow, Action):
    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="actions")

    class Meta(Action.Meta):
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=ActionKind.values), name="ruleaction_kind_valid")
        ]


class Automation(models.Model):
    """A time-based rule: tickets in `status` for `after_minutes` since `anchor` get the actions.

    Each (automation, ticket, anchor time) runs once (AutomationRun), so a sweep run twice, or on
    two workers, does nothing the second time, and a ticket that comes back to the same state
    later is handled again.
    """

    class Anchor(models.TextChoices):
        STATUS_CHANGED = "status_changed_at", "status last changed"
        CREATED = "created_at", "ticket created"
        CUSTOMER_MESSAGE = "last_customer_message_at", "customer last wrote"
        AGENT_REPLY = "last_agent_reply_at", "agent last replied"
        SOLVED = "solved_at", "ticket solved"

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    anchor = models.CharField(max_length=32, choices=Anchor.choices, default=Anchor.STATUS_CHANGED)
    after_minutes = models.PositiveIntegerField(help_text="How long after the anchor time the actions run.")
    unassigned_only = models.BooleanField(default=False, help_text="Only tickets nobody is assigned to.")
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.CASCADE, help_text="Only this team's tickets."
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class AutomationAction(Action):
    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="actions")

    class Meta(Action.Meta):
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=ActionKind.values), name="automationaction_kind_valid")
        ]


class AutomationRun(models.Model):
    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    anchor_at = models.DateTimeField()
    ran_at = models.DateTimeField()

    class Meta:
        ordering = ["-ran_at"]
        constraints = [models.UniqueConstraint(fields=["automation", "ticket", "anchor_at"], name="automationrun_once")]

    def __str__(self) -> str:
        return f"{self.automation} on #{self.ticket_id}"
