"""Fast bulk writes for large loads (demo data at a million rows, big imports).

`bulk_insert` sends plain rows through the DB-API's executemany (on PostgreSQL through
COPY, several times faster there), skipping the model instances and per-value preparation
that make `bulk_create` spend most of its time in Python. Callers pass values already in
database form (ids for foreign keys, ISO strings for dates, values from `db_value` for
anything else) and validate before calling.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models, transaction

from cems.core.signals import bulk_written


def db_value(model: type[models.Model], field: str, value: Any) -> Any:
    """A Python value as the database stores it in that field (e.g. an aware datetime)."""
    return model._meta.get_field(field).get_db_prep_save(value, connection)  # type: ignore[union-attr]


def bulk_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = 5000,
) -> int:
    """Insert rows (tuples in the order of `fields`), one transaction per batch."""
    meta = model._meta
    quote = connection.ops.quote_name
    names = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete:
            raise ValueError(f"{model.__name__}.{name} is not a column")
        names.append(quote(field.column))
    columns = ", ".join(names)
    placeholders = ", ".join(["%s"] * len(fields))
    # Only quoted names from the model's metadata go into the text; values are parameters.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    use_copy = connection.vendor == "postgresql"
    written = 0
    batch: list[Sequence[Any]] = []

    def flush() -> None:
        nonlocal written, batch
        if batch:
            with transaction.atomic(), connection.cursor() as cursor:
                if use_copy:
                    # The driver's own cursor: its errors are turned into Django's here
                    # (IntegrityError etc.), as Django's cursor does for executemany.
                    with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                        for row in batch:
                            copy.write_row(row)
                else:
                    cursor.executemany(sql, batch)
            written += len(batch)
            batch = []

    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            flush()
    flush()
    if written:
        bulk_written.send(sender=model)
    return written
