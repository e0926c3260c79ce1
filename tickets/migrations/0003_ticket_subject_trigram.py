"""Trigram index for the queue's text search (`q`: subject icontains), PostgreSQL only.

Django compiles icontains to UPPER(subject) LIKE UPPER('%...%'), so the index is on UPPER(subject).
It is not in Ticket.Meta.indexes because SQLite (the embedded default) has no GIN.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS ticket_subject_trgm ON tickets_ticket USING gin (upper(subject) gin_trgm_ops)"
DROP = "DROP INDEX IF EXISTS ticket_subject_trgm"


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_ticket_priority_sort")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP)),
    ]
