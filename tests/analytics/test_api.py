"""GET /api/v1/reports/...: staff only, validated filters, JSON or CSV."""

import pytest

pytestmark = pytest.mark.django_db

REPORTS = ["volume", "speed", "quality", "agents", "self-service"]
RANGE = {"start": "2026-11-23", "end": "2026-11-24"}


def url(report: str) -> str:
    return f"/api/v1/reports/{report}/"


@pytest.mark.parametrize("report", REPORTS)
def test_admins_and_agents_read_every_report(api, two_days, admin_ada, agent_carl_other_team, report):
    assert api.as_user(admin_ada).get(url(report), RANGE).status_code == 200
    assert api.as_user(agent_carl_other_team).get(url(report), RANGE).status_code == 200


def test_customers_light_agents_and_strangers_may_not(api, customer_dana, light_agent):
    assert api.get(url("volume")).status_code == 401
    assert api.as_user(customer_dana.user).get(url("volume")).status_code == 403
    response = api.as_user(light_agent).get(url("volume"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Reports are for admins and agents."}


def test_the_json_is_the_reports(api, two_days, agent_alice):
    body = api.as_user(agent_alice).get(url("volume"), RANGE | {"channel": "sms"}).json()

    assert body["totals"] == {"created": 1, "solved": 2, "backlog": 0}
    assert [day["day"] for day in body["daily"]] == ["2026-11-23", "2026-11-24"]


def test_the_range_defaults_to_the_last_30_days(api, agent_alice, clock):
    body = api.as_user(agent_alice).get(url("volume")).json()

    assert (body["start"], body["end"]) == ("2026-10-22", "2026-11-20")
    assert len(body["daily"]) == 30


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"start": "2026-11-24", "end": "2026-11-23"}, {"start": ["The start must not be after the end."]}),
        ({"start": "2025-01-01", "end": "2026-11-23"}, {"start": ["A report covers at most 400 days."]}),
        ({"start": "yesterday"}, {"start": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
        ({"channel": "pigeon"}, {"channel": ['"pigeon" is not a valid choice.']}),
        ({"priority": "4"}, {"priority": ['"4" is not a valid choice.']}),
        ({"team": "999"}, {"team": ['Invalid pk "999" - object does not exist.']}),
        ({"tag": "nope"}, {"tag": ["There is no tag 'nope'."]}),
        ({"stauts": "open"}, {"stauts": ["Unknown field."]}),
    ],
)
def test_invalid_filters_are_400_with_the_reason(api, agent_alice, params, errors):
    response = api.as_user(agent_alice).get(url("volume"), params)

    assert response.status_code == 400
    assert response.json() == errors


def test_an_agent_filter_must_be_an_agent(api, agent_alice, customer_dana):
    response = api.as_user(agent_alice).get(url("agents"), {"agent": customer_dana.user.pk})

    assert response.status_code == 400 and "agent" in response.json()


def test_csv_by_format_parameter_or_accept_header(api, two_days, agent_alice):
    api.as_user(agent_alice)

    by_param = api.get(url("volume"), RANGE | {"format": "csv"})
    by_header = api.get(url("volume"), RANGE, HTTP_ACCEPT="text/csv")

    assert by_param["Content-Type"] == "text/csv; charset=utf-8"
    assert by_param["Content-Disposition"] == 'attachment; filename="volume-daily-2026-11-23-2026-11-24.csv"'
    assert by_param.content == by_header.content
    assert by_param.content.decode().splitlines() == [
        "day,created,solved,reopened,backlog",
        "2026-11-23,3,2,0,1",
        "2026-11-24,1,1,1,2",
    ]


def test_csv_of_another_table_and_of_an_unknown_one(api, two_days, agent_alice):
    api.as_user(agent_alice)

    agents = api.get(url("agents"), RANGE | {"format": "csv"}).content.decode().splitlines()
    summary = api.get(url("quality"), RANGE | {"format": "csv", "table": "summary"}).content.decode().splitlines()
    unknown = api.get(url("speed"), RANGE | {"format": "csv", "table": "nope"})

    assert (
        agents[0]
        == "agent,name,solved,replies,first_response_median_seconds,csat_answered,csat_good,csat_satisfaction,open"
    )
    assert len(agents) == 4
    assert "resolution_first_contact_rate" in summary[0].split(",")
    assert unknown.status_code == 400
    assert unknown.json() == {"table": ["Choose one of: metrics, summary."]}


def test_errors_stay_json_when_csv_was_asked_for(api, agent_alice):
    response = api.as_user(agent_alice).get(url("volume"), {"format": "csv", "channel": "pigeon"})

    assert response.status_code == 400
    assert response.json() == {"channel": ['"pigeon" is not a valid choice.']}


def test_the_openapi_schema_describes_the_reports(api, agent_alice):
    schema = api.as_user(agent_alice).get("/api/schema/", {"format": "json"}).json()

    volume = schema["paths"]["/api/v1/reports/volume/"]["get"]
    assert {p["name"] for p in volume["parameters"]} >= {"start", "end", "channel", "team", "agent", "tag", "format"}
    assert set(volume["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert all(f"/api/v1/reports/{report}/" in schema["paths"] for report in REPORTS)


def test_self_service_waits_for_the_knowledge_base(api, agent_alice):
    body = api.as_user(agent_alice).get(url("self-service"), RANGE).json()

    assert body == RANGE | {
        "available": False,
        "article_views": None,
        "searches_without_result": None,
        "deflected_tickets": None,
    }
