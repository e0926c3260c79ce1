"""Writing the same fields of many rows at once, for the hot paths (batch ingest, SLA sweep)."""

from django.db import connection
from django.db.models import Model
from psycopg2.extras import execute_values


def update_rows(rows: list[Model], field_names: list[str]) -> None:
    """UPDATE each row's `field_names` to its in-memory values, in one statement on PostgreSQL.

    Not `bulk_update`: its CASE expressions cost about 1 ms of Python per row here. On PostgreSQL
    an UPDATE ... FROM (VALUES ...) is planned once for all rows (10,000 single-row UPDATEs spent
    2 s in parsing and planning alone). Run it in the transaction that locked the rows.
    """
    if not rows:
        return
    meta = rows[0]._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    params = [[row.pk] + [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = [quote(f.column) for f in fields]
            # VALUES rows are untyped; the casts give each column its table's type.
            casts = [meta.pk.db_type(connection)] + [
                f.rel_db_type(connection) if f.is_relation else f.db_type(connection) for f in fields
            ]
            sql = "UPDATE {t} SET {sets} FROM (VALUES %s) AS v({pk}, {cols}) WHERE {t}.{pk} = v.{pk}".format(  # noqa: S608
                t=table, pk=pk, cols=", ".join(columns), sets=", ".join(f"{c} = v.{c}" for c in columns)
            )
            template = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
            execute_values(cursor.cursor, sql, params, template=template, page_size=1000)
        else:
            sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names from the model, values are parameters)
                table, ", ".join(f"{quote(f.column)} = %s" for f in fields), pk
            )
            cursor.executemany(sql, [p[1:] + p[:1] for p in params])
