"""Rebuild every translation's search vector, e.g. after changing a language's configuration in search.PG_CONFIGS."""

from django.core.management.base import BaseCommand
from django.db import connection

from knowledge_base.models import ArticleTranslation
from knowledge_base.services import update_search_vectors


class Command(BaseCommand):
    help = "Rebuild the knowledge base's full-text search vectors (PostgreSQL)."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Nothing to do: full-text search vectors exist on PostgreSQL only.")
            return
        languages = ArticleTranslation.objects.order_by().values_list("language", flat=True).distinct()
        total = sum(update_search_vectors(ArticleTranslation.objects.all(), language=code) for code in languages)
        self.stdout.write(f"Rebuilt {total} search vectors.")
