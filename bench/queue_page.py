"""Latency of the ticket queue page and GET /api/v1/tickets/ with a million tickets on PostgreSQL.

Fills its own database server-side (INSERT ... SELECT generate_series), then times 50 requests per
case through Django's test client (the full request path minus the network) and reports median,
p95 and the queries per request; EXPLAIN shows the plan of each case's page query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/queue_page.py --tickets 1000000
"""

import argparse
import statistics
import time

from _setup import django_on_fresh_database, percentile

FILL_SQL = """
SELECT setseed(0.42);

INSERT INTO customers_customer (name, language, time_zone, notes, created_at, updated_at)
SELECT 'Customer ' || g, '', '', '', now() - (g || ' minutes')::interval, now()
FROM generate_series(1, %(customers)s) g;

INSERT INTO tickets_ticket (subject, status, priority, channel, customer_id, assignee_id, team_id, language,
                            conversation_id, created_at, updated_at, last_message_at)
SELECT 'Ticket ' || g || ' about order ' || floor(random() * 100000),
       (ARRAY['new','open','open','pending','on_hold','solved','solved','solved','closed','closed'])
           [1 + floor(random() * 10)],
       (ARRAY[1, 2, 2, 2, 2, 2, 3, 3, 4, 1])[1 + floor(random() * 10)],
       (ARRAY['email','email','email','webform','chat','sms','whatsapp','phone','x','telegram'])
           [1 + floor(random() * 10)],
       (SELECT min(id) FROM customers_customer) + floor(random() * %(customers)s),
       CASE WHEN random() < 0.3 THEN NULL ELSE (%(agent_ids)s)[1 + floor(random() * %(agents)s)] END,
       CASE WHEN random() < 0.1 THEN NULL ELSE (%(team_ids)s)[1 + floor(random() * 3)] END,
       '', '',
       now() - ((%(tickets)s - g) || ' seconds')::interval,
       now() - ((%(tickets)s - g) || ' seconds')::interval,
       now() - ((%(tickets)s - g) || ' seconds')::interval
FROM generate_series(1, %(tickets)s) g;
"""


def fill(n: int) -> None:
    from django.db import connection

    from helpdesk.models import User
    from helpdesk.roles import Role
    from tickets.models import Team

    teams = [Team.objects.create(name=name) for name in ("Support", "Billing", "Sales")]
    agents = [User.objects.create_user(f"agent{i}", role=Role.AGENT) for i in range(30)]
    for i, agent in enumerate(agents):
        teams[i % 3].members.add(agent)
    params = {
        "tickets": n,
        "customers": max(1, n // 5),
        "agents": len(agents),
        "agent_ids": [a.pk for a in agents],
        "team_ids": [t.pk for t in teams],
    }
    start = time.perf_counter()
    with connection.cursor() as cur:
        for statement in filter(str.strip, FILL_SQL.split(";")):
            cur.execute(statement, params)
        cur.execute("ANALYZE")
    print(f"filled {n} tickets in {time.perf_counter() - start:.0f} s")


CASES = [
    ("default (any open, recent first)", ""),
    ("status=open", "status=open"),
    ("mine", "mine=true"),
    ("team", "team={team}"),
    ("channel=sms", "channel=sms"),
    ("sort=priority", "sort=priority"),
    ("page 20", "page=20"),
]


def measure(client, url: str, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches and connections
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries), url
    return times, len(ctx.captured_queries)


def explain(user, query: str) -> str:
    from django.http import QueryDict
    from django.test import RequestFactory

    from tickets.filters import TicketFilter
    from tickets.selectors import queue_list

    params = QueryDict(query, mutable=True)
    params.pop("page", None)
    if "status" not in params:
        params.setlist("status", ["open_any"])
    request = RequestFactory().get("/")
    request.user = user
    qs = TicketFilter(params, queryset=queue_list(user), request=request).qs[:26]
    plan = qs.explain(analyze=True)
    return " | ".join(line.strip() for line in plan.splitlines()[:4])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    args = parser.parse_args()
    django_on_fresh_database("helpdesk_bench_queue", reuse=args.reuse)

    from django.test import Client
    from rest_framework.authtoken.models import Token

    from helpdesk.models import User
    from tickets.models import Team, Ticket

    if not Ticket.objects.exists():
        fill(args.tickets)
    agent = User.objects.get(username="agent1")
    team = Team.objects.get(name="Support")
    browser = Client()
    browser.force_login(agent)
    api = Client(headers={"Authorization": f"Token {Token.objects.get_or_create(user=agent)[0].key}"})

    print(f"{Ticket.objects.count()} tickets; agent1 sees {team.name}, unteamed and own tickets; {args.runs} runs")
    print(f"{'case':34s} {'page p50':>9s} {'p95':>7s} {'q':>3s}   {'API p50':>8s} {'p95':>7s} {'q':>3s}")
    for name, query in CASES:
        query = query.format(team=team.pk)
        page, page_queries = measure(browser, f"/tickets/?{query}", args.runs)
        rest, rest_queries = measure(api, f"/api/v1/tickets/?{query}", args.runs)
        print(
            f"{name:34s} {statistics.median(page):7.1f}ms {percentile(page, 95):5.1f}ms {page_queries:3d}"
            f"   {statistics.median(rest):6.1f}ms {percentile(rest, 95):5.1f}ms {rest_queries:3d}"
        )
        print(f"    plan: {explain(agent, query)}")


if __name__ == "__main__":
    main()
