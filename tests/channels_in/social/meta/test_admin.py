"""The app and page forms in the admin: secrets are never shown back, an empty field keeps them."""

import pytest
from django.db import connection

from channels_in.social.meta.admin import MetaAppForm, MetaPageForm
from channels_in.social.meta.models import MetaApp, MetaPage

pytestmark = pytest.mark.django_db

SECRET = "3f9a1c0b7e2d4a6f8b0c1d2e3f4a5b6c"
TOKEN = "EAAGm0PX4ZCpsBA-long-lived-page-token"


def test_the_app_secret_is_not_rendered_and_an_empty_field_keeps_it():
    app = MetaApp.objects.create(name="Shop app", app_secret=SECRET, verify_token="v1")

    assert SECRET not in str(MetaAppForm(instance=app))
    MetaAppForm(data={"name": "Shop app", "app_secret": "", "verify_token": "v2", "active": "on"}, instance=app).save()

    app.refresh_from_db()
    assert (app.app_secret, app.verify_token) == (SECRET, "v2")


def test_the_page_token_is_not_rendered_and_an_empty_field_keeps_it(team_support):
    page = MetaPage.objects.create(page_id="104912345678901", name="Shop", page_access_token=TOKEN)

    assert TOKEN not in str(MetaPageForm(instance=page))
    data = {"name": "Shop", "page_id": "104912345678901", "page_access_token": "", "team": team_support.pk}
    MetaPageForm(data={**data, "instagram_id": "17841405822304914", "active": "on"}, instance=page).save()

    page.refresh_from_db()
    assert (page.page_access_token, page.team, page.instagram_id) == (TOKEN, team_support, "17841405822304914")


def test_a_new_page_needs_its_token():
    form = MetaPageForm(data={"name": "Shop", "page_id": "1", "page_access_token": "", "active": "on"})

    assert "Enter the page access token." in str(form.errors["page_access_token"])


def test_secrets_are_stored_encrypted():
    MetaApp.objects.create(name="Shop app", app_secret=SECRET, verify_token="v")
    MetaPage.objects.create(page_id="1", name="Shop", page_access_token=TOKEN)

    with connection.cursor() as cursor:
        cursor.execute("SELECT app_secret FROM channels_meta_metaapp")
        stored_secret = cursor.fetchone()[0]
        cursor.execute("SELECT page_access_token FROM channels_meta_metapage")
        stored_token = cursor.fetchone()[0]
    assert SECRET not in stored_secret and TOKEN not in stored_token
