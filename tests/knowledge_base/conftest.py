"""Knowledge-base fixtures: a section to write in and `make_article`, which goes through the services.

The browser fixtures of tests/e2e are reused for the help centre's browser test.
"""

import pytest

from knowledge_base import services
from knowledge_base.models import Category, Section, Status


@pytest.fixture
def section(db):
    category = Category.objects.create(
        name="Account", slug="account", translations={"de": {"name": "Konto", "description": "Alles zum Konto"}}
    )
    return Section.objects.create(
        category=category, name="Signing in", slug="signing-in", translations={"de": {"name": "Anmelden"}}
    )


@pytest.fixture
def make_article(section, admin_ada):
    """make_article(title, body, translations={"de": (title, body)}, internal=..., status=...) -> Article."""

    def make(
        title: str,
        body: str = "",
        *,
        translations: dict | None = None,
        internal: bool = False,
        status: str = Status.PUBLISHED,
        in_section=None,
        summary: str = "",
        tags=(),
    ):
        article = services.create_article(
            section=in_section or section,
            title=title,
            body=body or f"{title}. Some words about it.",
            summary=summary,
            internal=internal,
            status=status,
            tags=tags,
            by=admin_ada,
        )
        for language, (other_title, other_body) in (translations or {}).items():
            services.save_translation(
                article=article, language=language, title=other_title, body=other_body, status=status, by=admin_ada
            )
        return article

    return make


def translation_of(article, language: str = "en"):
    return article.translations.get(language=language)
