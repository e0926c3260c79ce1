"""Input a client can get wrong is answered with a 4xx and a reason, never a 500 (PostgreSQL is the strict one)."""

import pytest

pytestmark = pytest.mark.django_db
TOO_BIG = 10**20  # past bigint


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("get", "/api/v1/tickets/{big}/", None, 404),
        ("get", "/api/v1/tickets/{n}/attachments/{big}/", None, 404),
        ("get", "/api/v1/customers/{big}/", None, 404),
        ("post", "/api/v1/tickets/{n}/merge/", {"into": TOO_BIG}, 400),
        ("post", "/api/v1/customers/{c}/merge/", {"into": TOO_BIG}, 400),
        ("patch", "/api/v1/tickets/{n}/", {"assignee": TOO_BIG}, 400),
        ("get", "/api/v1/tickets/?team={big}", None, 400),
        ("get", "/api/v1/tickets/?page={big}", None, 404),
        ("get", "/api/v1/tickets/?q=a%00b", None, 400),
        ("get", "/api/v1/tickets/?tag=a%00b", None, 400),
        ("get", "/api/v1/customers/?q=a%00b", None, 400),
        ("post", "/api/v1/tickets/", {"customer_email": "a@example.org", "text": "a\x00b"}, 400),
        ("post", "/api/v1/tickets/{n}/notes/", {"text": "a\x00b"}, 400),
        ("patch", "/api/v1/tickets/{n}/", {"tags": ["a\x00"]}, 400),
        ("patch", "/api/v1/tickets/{n}/", {"tags": ["!!!"]}, 400),
        ("put", "/api/v1/tickets/{n}/", {"status": "open"}, 405),
        ("delete", "/api/v1/tickets/{n}/", None, 405),
    ],
)
def test_answered_with_a_reason(api, agent_alice, support_ticket, method, url, body, status):
    url = url.format(big=TOO_BIG, n=support_ticket.number, c=support_ticket.customer_id)
    api.as_user(agent_alice)

    response = getattr(api, method)(url, body, format="json") if body else getattr(api, method)(url)

    assert response.status_code == status
    assert response.json()


def test_changing_a_merged_ticket_says_which_one_to_change(api, agent_alice, make_ticket):
    source, target = make_ticket(), make_ticket()
    api.as_user(agent_alice).post(f"/api/v1/tickets/{source.number}/merge/", {"into": target.number}, format="json")

    response = api.patch(f"/api/v1/tickets/{source.number}/", {"status": "open"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": f"Ticket #{source.pk} was merged into #{target.pk}; change that one."}
