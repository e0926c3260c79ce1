from django.db import models


class Macro(models.Model):
    """A canned reply. Placeholders: {{ customer.name }}, {{ customer.first_name }},
    {{ ticket.number }}, {{ ticket.subject }}, {{ agent.name }}."""

    name = models.CharField(max_length=100, unique=True)
    body = models.TextField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
