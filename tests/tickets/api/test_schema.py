"""The OpenAPI description is served, valid, and documents every endpoint the API has."""

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/tickets/",
        "/api/v1/tickets/{number}/",
        "/api/v1/tickets/{number}/merge/",
        "/api/v1/tickets/{number}/messages/",
        "/api/v1/tickets/{number}/reply/",
        "/api/v1/tickets/{number}/notes/",
        "/api/v1/tickets/{number}/attachments/{attachment_id}/",
        "/api/v1/teams/",
        "/api/v1/agents/",
        "/api/v1/me/presence/",
        "/api/v1/kb/search/",
        "/api/v1/reports/volume/",
        "/api/v1/reports/speed/",
        "/api/v1/reports/quality/",
        "/api/v1/reports/agents/",
        "/api/v1/reports/self-service/",
        "/api/v1/customers/",
        "/api/v1/customers/{customer_id}/",
        "/api/v1/customers/{customer_id}/merge/",
        "/api/v1/customers/{customer_id}/identities/",
    } == set(schema["paths"])


def test_schema_describes_filters_and_priority_names(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]}

    assert {"status", "channel", "priority", "team", "assignee", "mine", "unassigned", "tag", "q", "sort"} <= set(
        params
    )
    assert {"page", "page_size"} <= set(params)
    assert params["priority"]["schema"]["items"] == {"type": "string", "enum": ["high", "low", "normal", "urgent"]}


def test_schema_generates_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--api-version", "v1", "--file", "/dev/null")


def test_swagger_ui_is_served_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"cdn." not in response.content
