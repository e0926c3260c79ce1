"""The routing rule builder: conditions and actions as form rows, and a dry run against a ticket."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from tickets.admin.automations import ActionForm
from tickets.models import RoutingRule, RuleAction, RuleCondition, Ticket
from tickets.rules.conditions import validate_condition
from tickets.services import routing


class RuleConditionForm(forms.ModelForm):
    class Meta:
        model = RuleCondition
        fields = ["field", "operator", "value"]

    def clean(self):
        data = super().clean()
        if {"field", "operator"} <= data.keys():
            validate_condition(data["field"], data["operator"], data.get("value", ""))
        return data


class RuleConditionInline(admin.TabularInline):
    model = RuleCondition
    form = RuleConditionForm
    extra = 1
    verbose_name_plural = "Conditions (empty: always)"


class RuleActionInline(admin.TabularInline):
    model = RuleAction
    form = ActionForm
    extra = 1
    min_num = 1
    verbose_name_plural = "Actions, in order"


class DryRunForm(forms.Form):
    ticket = forms.IntegerField(label="Ticket #", min_value=1)
    trigger = forms.ChoiceField(
        choices=[(routing.CREATED, "ticket created"), (routing.CUSTOMER_REPLY, "customer replied")]
    )


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "active", "match", "on_create", "on_customer_reply", "stop", "summary"]
    list_editable = ["position", "active"]
    list_filter = ["active", "on_create", "on_customer_reply"]
    search_fields = ["name"]
    inlines = [RuleConditionInline, RuleActionInline]
    change_form_template = "admin/tickets/routingrule/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "position", "active"]}),
        ("When", {"fields": ["on_create", "on_customer_reply", "match", "stop"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("conditions", "actions")

    @admin.display(description="does")
    def summary(self, rule: RoutingRule) -> str:
        return "; ".join(str(action) for action in rule.actions.all())

    def get_urls(self):
        dry_run = self.admin_site.admin_view(self.dry_run_view)
        return [path("<int:rule_id>/test/", dry_run, name="tickets_routingrule_test"), *super().get_urls()]

    def dry_run_view(self, request, rule_id: int):
        """Try the saved rule on a ticket: each condition, whether it fires, what it would do."""
        rule = get_object_or_404(RoutingRule, pk=rule_id)
        if not self.has_view_permission(request, rule):
            raise PermissionDenied
        form = DryRunForm(request.GET or None)
        result = ticket = None
        if form.is_valid():
            ticket = Ticket.objects.filter(pk=form.cleaned_data["ticket"]).first()
            if ticket is None:
                form.add_error("ticket", "There is no ticket with this number.")
            else:
                result = routing.explain(rule, ticket, trigger=form.cleaned_data["trigger"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Test rule “{rule.name}”",
            "rule": rule,
            "form": form,
            "ticket": ticket,
            "result": result,
            "change_url": reverse("admin:tickets_routingrule_change", args=[rule.pk]),
        }
        return TemplateResponse(request, "admin/tickets/routingrule/test.html", context)
