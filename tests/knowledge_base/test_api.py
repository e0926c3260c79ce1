"""GET /api/v1/kb/search/: the agents' reply box searches every published article, internal ones too."""

import pytest
from django.core.management import call_command

from knowledge_base.models import SearchLog, SearchSource

pytestmark = pytest.mark.django_db
URL = "/api/v1/kb/search/"


@pytest.fixture
def articles(make_article):
    make_article("Reset your password", "Click **Forgot password** on the sign-in page.")
    make_article("Password resets for VIP customers", "Call them back within an hour.", internal=True)


def test_agent_gets_titles_links_snippets_and_text_including_internal(api, agent_alice, articles):
    response = api.as_user(agent_alice).get(URL, {"q": "password"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert {r["title"] for r in results} == {"Reset your password", "Password resets for VIP customers"}
    public = next(r for r in results if not r["internal"])
    assert public["url"].startswith("http://testserver/help/articles/")
    assert "<mark>" in public["snippet"]
    assert public["body_text"] == "Click Forgot password on the sign-in page."
    assert "<strong>Forgot password</strong>" in public["body_html"]
    assert (public["language"], public["fallback"]) == ("en", False)
    assert SearchLog.objects.get().source == SearchSource.AGENT


def test_light_agent_may_search(api, light_agent, articles):
    assert api.as_user(light_agent).get(URL, {"q": "password"}).status_code == 200


def test_customer_is_refused(api, customer_dana, articles):
    assert api.as_user(customer_dana.user).get(URL, {"q": "password"}).status_code == 403


def test_anonymous_is_refused(api, articles):
    assert api.get(URL, {"q": "password"}).status_code == 401


def test_session_signed_in_customer_is_refused(client, customer_dana, articles):
    client.force_login(customer_dana.user)
    assert client.get(URL, {"q": "password"}).status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "a\x00b"},
        {"q": "x" * 201},
        {"q": "a", "lang": "xx"},
        {"q": "a", "limit": 0},
        {"q": "a", "nope": 1},
    ],
)
def test_bad_parameters_are_400_with_a_reason(api, agent_alice, params):
    response = api.as_user(agent_alice).get(URL, params)
    assert response.status_code == 400
    assert response.json()


def test_language_fallback_is_reported(api, agent_alice, articles):
    results = api.as_user(agent_alice).get(URL, {"q": "password", "lang": "de"}).json()["results"]
    assert results and all(r["fallback"] and r["language"] == "en" for r in results)


def test_schema_documents_the_endpoint_without_warnings(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "lang", "limit"}
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--api-version",
        "v1",
        "--file",
        "/dev/null",
    )
