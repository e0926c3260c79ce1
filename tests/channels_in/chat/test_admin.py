"""Admins configure chat sites and get the snippet to paste into their pages."""

import pytest

from channels_in.chat.models import ChatSite

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def admin_client(client, admin_ada):
    admin_ada.is_staff = admin_ada.is_superuser = True
    admin_ada.save()
    client.force_login(admin_ada)
    return client


def form(team, **overrides) -> dict:
    return {
        "name": "Shop",
        "team": team.pk,
        "allowed_origins": "https://WWW.Example.com/\nhttps://shop.example.com:8443",
        "title": "Help",
        "greeting": "Hello!",
        "colour": "#112233",
        "position": "left",
        "language": "de",
        "prechat": "optional",
        "active": "on",
    } | overrides


def test_the_change_page_shows_the_embed_snippet(admin_client, site):
    page = admin_client.get(f"/admin/channels_chat/chatsite/{site.pk}/change/").content.decode()

    assert (
        f"&lt;script src=&quot;https://help.example.com/static/widget/widget.js&quot; data-site=&quot;{site.key}&quot; "
        "data-helpdesk=&quot;https://help.example.com&quot; async&gt;&lt;/script&gt;"
    ) in page


def test_origins_are_entered_one_per_line_and_normalised(admin_client, team_support):
    response = admin_client.post("/admin/channels_chat/chatsite/add/", form(team_support))

    assert response.status_code == 302
    site = ChatSite.objects.get()
    assert site.allowed_origins == ["https://shop.example.com:8443", "https://www.example.com"]
    assert len(site.key) >= 20


@pytest.mark.parametrize("origins", ["*", "https://example.com/path", "ftp://example.com"])
def test_any_origin_or_a_non_origin_is_refused_in_production(admin_client, team_support, origins):
    response = admin_client.post("/admin/channels_chat/chatsite/add/", form(team_support, allowed_origins=origins))

    assert response.status_code == 200 and not ChatSite.objects.exists()
    assert "allowed_origins" in response.context["adminform"].form.errors


def test_any_origin_is_allowed_while_debugging(site, settings):
    site.allowed_origins = ["*"]
    settings.DEBUG = True
    assert site.allows_origin("https://anything.example")
    settings.DEBUG = False
    assert not site.allows_origin("https://anything.example")
