"""Long work lists paged by their sort key (keyset) with an estimated total.

A numbered page N makes PostgreSQL read and throw away N × 50 rows, and its "共 N 条" counts the whole table on
every request. Here the next page starts after the last row shown (``?after=``) and the previous one ends before
the first (``?before=``), so every page costs what the first does; the total is the planner's estimate when it is
large (shown as "约"), counted exactly only when it is small.
"""

import base64
import json

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections
from django.db.models import Q

PER_PAGE = 50
# Below this many rows (by the estimate) the total is counted exactly: cheap, and "约 12 条" would look odd.
EXACT_BELOW = 2000


def estimated_count(queryset) -> tuple[int, bool]:
    """(rows, estimated): PostgreSQL's estimate for a large result, an exact count otherwise."""
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        try:
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # .none(), e.g. after an invalid filter
            return 0, False
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate >= EXACT_BELOW:
            return estimate, True
    return queryset.count(), False


def _encode(values) -> str:
    """The sort key of a row; datetimes to the microsecond (Django's JSON encoder keeps only milliseconds)."""
    text = json.dumps(values, default=lambda value: value.isoformat())
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor, fields):
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        return [field.to_python(value) for field, value in zip(fields, values, strict=True)]
    except (ValueError, TypeError, ValidationError):  # a cursor edited by hand is the first page
        return None


def _beyond(ordering, values, forward):
    """Rows strictly after ``values`` in ``ordering`` (before them when not ``forward``)."""
    condition = Q()
    for position, (name, descending) in enumerate(ordering):
        lookup = "lt" if descending == forward else "gt"
        equal = {earlier: values[i] for i, (earlier, _) in enumerate(ordering[:position])}
        condition |= Q(**equal, **{f"{name}__{lookup}": values[position]})
    return condition


class KeysetPage:
    """One page of ``queryset`` (ordered by local fields ending with a unique one, e.g. ``-updated_at, -pk``)."""

    def __init__(self, queryset, params, per_page=PER_PAGE):
        model = queryset.model
        names = list(queryset.query.order_by or model._meta.ordering)
        ordering = [(name.lstrip("-"), name.startswith("-")) for name in names]
        ordering = [("pk" if name == "pk" else name, descending) for name, descending in ordering]
        fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name, _ in ordering]
        attributes = [field.attname for field in fields]
        self.count, self.estimated = estimated_count(queryset)
        after = _decode(params.get("after", ""), fields) if params.get("after") else None
        before = _decode(params.get("before", ""), fields) if params.get("before") else None
        if before is not None:
            reverse = [f"{'' if descending else '-'}{name}" for name, descending in ordering]
            rows = list(queryset.filter(_beyond(ordering, before, False)).order_by(*reverse)[: per_page + 1])
            self.has_previous, self.has_next = len(rows) > per_page, True
            rows = rows[:per_page][::-1]
        else:
            if after is not None:
                queryset = queryset.filter(_beyond(ordering, after, True))
            rows = list(queryset[: per_page + 1])
            self.has_previous, self.has_next = after is not None, len(rows) > per_page
            rows = rows[:per_page]
        self.object_list = rows
        key = (
            [[getattr(row, attribute) for attribute in attributes] for row in (rows[0], rows[-1])]
            if rows
            else []
        )
        self.previous_cursor = _encode(key[0]) if key and self.has_previous else ""
        self.next_cursor = _encode(key[1]) if key and self.has_next else ""
