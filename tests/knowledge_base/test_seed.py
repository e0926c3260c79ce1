import pytest
from django.core.management import call_command

from knowledge_base.models import Article, ArticleTranslation, Category, Status
from knowledge_base.search import search

pytestmark = pytest.mark.django_db


def test_seed_kb_is_idempotent_and_searchable():
    call_command("seed_kb", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Category.objects.count(), Article.objects.count(), ArticleTranslation.objects.count())
    call_command("seed_kb", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Category.objects.count(), Article.objects.count(), ArticleTranslation.objects.count()) == counts
    assert counts[1] >= 15
    languages = set(ArticleTranslation.objects.filter(status=Status.PUBLISHED).values_list("language", flat=True))
    assert {"en", "de", "da"} <= languages
    assert Article.objects.filter(internal=True).exists()
    assert search("Passwort", language="de")[0].language == "de"
