"""Search indexes, PostgreSQL only; RunPython skips them on SQLite (no GIN there), as tickets' 0003 does.

- full text: GIN on (language, search_vector) and (language, title_vector); btree_gin puts the
  language in the same index, so a query in one language never reads another language's matches
  (words such as "app", "login" or "faktura" are shared between languages);
- typos: GIN trigram index on (language, title) for the similarity fallback (pg_trgm);
- all partial (published rows only), as every search filters on it;
- search_vector stored MAIN: kept in the row (compressed if need be) while the bodies go to TOAST,
  so ranking a few hundred candidates reads no TOAST chunks.
"""

from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations

TABLE = "knowledge_base_articletranslation"
PUBLISHED = "WHERE status = 'published'"
CREATE = [
    f"CREATE INDEX IF NOT EXISTS kb_translation_fts ON {TABLE} USING gin (language, search_vector) {PUBLISHED}",
    f"CREATE INDEX IF NOT EXISTS kb_translation_title_fts ON {TABLE} USING gin (language, title_vector) {PUBLISHED}",
    f"CREATE INDEX IF NOT EXISTS kb_translation_title_trgm ON {TABLE} USING gin (language, title gin_trgm_ops) "
    f"{PUBLISHED}",
    f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE MAIN",
]
DROP = [
    "DROP INDEX IF EXISTS kb_translation_fts",
    "DROP INDEX IF EXISTS kb_translation_title_fts",
    "DROP INDEX IF EXISTS kb_translation_title_trgm",
    f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE EXTENDED",
]


def _on_postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0001_initial")]

    operations = [
        TrigramExtension(),
        BtreeGinExtension(),
        migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP)),
    ]
