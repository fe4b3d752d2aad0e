"""Free-text search over trials: PostgreSQL full text with ranking, a plain match elsewhere.

PostgreSQL keeps a weighted `search_vector` column on trials_trial (migration 0002; not a model
field, because SQLite cannot have it). SQLite, used for development and tests, matches the same
texts case-insensitively and ranks a match in the titles above one elsewhere.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import Case, Expression, F, IntegerField, Q, QuerySet, Value, When

SEARCH_CONFIG = "english"


class SearchVectorColumn(Expression):
    """The trial table's `search_vector` column, under whatever alias the query gives that table.

    A raw `"trials_trial"."search_vector"` would break once the query is nested as a subquery
    (the facet counts do that), because Django renames the tables of subqueries (U0, U1…).
    """

    output_field = SearchVectorField()

    def __init__(self, table: str):
        super().__init__()
        self.table = table

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.table!r})"

    def as_sql(self, compiler, connection):
        for alias, join in compiler.query.alias_map.items():
            if join.table_name == self.table and join.join_type is None:
                return f"{compiler.quote_name_unless_alias(alias)}.search_vector", []
        raise ValueError(f"{self.table} is not the base table of this query")


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Trials matching `text`, with a `search_rank` alias to order by (higher is better)."""
    text = text.strip()
    if not text:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return (
            queryset.alias(search_document=SearchVectorColumn(queryset.model._meta.db_table))
            .filter(search_document=query)
            .alias(search_rank=SearchRank(F("search_document"), query))
        )
    in_titles = (
        Q(nct_id__iexact=text)
        | Q(brief_title__icontains=text)
        | Q(official_title__icontains=text)
        | Q(acronym__icontains=text)
    )
    elsewhere = Q(brief_summary__icontains=text) | Q(search_text__icontains=text)
    return queryset.filter(in_titles | elsewhere).alias(
        search_rank=Case(
            When(in_titles, then=Value(2)), default=Value(1), output_field=IntegerField()
        )
    )
