"""GET /api/v1/teams/ and /api/v1/agents/: read-only directories of who works here."""

import pytest

pytestmark = pytest.mark.django_db


def test_teams_list_members(api, agent_alice, agent_bob_same_team, agent_carl_other_team):
    rows = api.as_user(agent_alice).get("/api/v1/teams/").json()["results"]

    assert [t["name"] for t in rows] == ["Billing", "Support"]
    support = rows[1]
    assert {m["id"] for m in support["members"]} == {agent_alice.pk, agent_bob_same_team.pk}


def test_agents_list_staff_with_their_teams_and_no_customers(
    api, admin_ada, agent_alice, light_agent, agent_carl_other_team, customer_dana
):
    rows = api.as_user(agent_alice).get("/api/v1/agents/").json()["results"]

    by_name = {a["username"]: a for a in rows}
    assert set(by_name) == {"ada", "alice", "lena", "carl"}
    assert by_name["lena"]["role"] == "light_agent"
    assert by_name["ada"]["role"] == "admin"
    assert by_name["carl"]["teams"] == [{"id": agent_carl_other_team.teams.get().pk, "name": "Billing"}]


def test_inactive_agents_are_not_listed(api, agent_alice, agent_bob_same_team):
    agent_bob_same_team.is_active = False
    agent_bob_same_team.save()
    rows = api.as_user(agent_alice).get("/api/v1/agents/").json()["results"]
    assert [a["username"] for a in rows] == ["alice"]


@pytest.mark.parametrize("url", ["/api/v1/teams/", "/api/v1/agents/"])
def test_directories_are_read_only(api, admin_ada, url):
    assert api.as_user(admin_ada).post(url, {"name": "x"}).status_code == 405


@pytest.mark.parametrize("url", ["/api/v1/teams/?page_size=1", "/api/v1/agents/?page_size=1"])
def test_directories_are_paginated(api, agent_alice, agent_carl_other_team, url):
    page = api.as_user(agent_alice).get(url).json()
    assert len(page["results"]) == 1
    assert page["next"]
