import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram index is PostgreSQL-only")
def test_queue_text_search_has_a_trigram_index_matching_icontains():
    from tickets.models import Ticket

    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_subject_trgm'")
        (definition,) = cur.fetchone()
    assert "gin (upper((subject)::text) gin_trgm_ops)" in definition
    # The ORM's icontains compiles to the indexed expression.
    sql = str(Ticket.objects.filter(subject__icontains="printer").query)
    assert 'UPPER("tickets_ticket"."subject"::text) LIKE UPPER(' in sql
