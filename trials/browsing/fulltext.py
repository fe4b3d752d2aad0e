"""Free-text search over trials: PostgreSQL full text, a plain match elsewhere, ranked in tiers.

PostgreSQL keeps tsvector columns on trials_trial, each with a GIN index, kept by a trigger
(migrations 0004, 0007 and 0008; not model fields, because SQLite cannot have them):
`search_vector` (everything searched), `title_vector` (NCT id, titles, acronym) and
`text_vector` (conditions, keywords, sponsors, interventions, arms: `search_text`). SQLite, used
for development and tests, matches the same texts case-insensitively.

Relevance is a tier, the same on both databases: 3 when the query matches in the titles, 2 when
it matches in the `search_text` fields, else 1 (a match in the summary or across fields); the
list orders a tier by latest update. Not `ts_rank`: ranking reads every matching trial's vector,
60–90 ms for 31,000 matches at 50,000 trials, while a tier is one GIN lookup of ids (see
`TIER_COLUMNS`), so the page and its facet counts cost what the match set costs.

The query reaches PostgreSQL inside a scalar subquery. The planner then cannot estimate from the
words how many trials match, assumes few, and always uses the GIN index: with the vectors stored
out of line (migration 0007), a sequential scan, its choice for common words, would read every
vector from the TOAST table (a quarter of a second at 50,000 trials).
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import BooleanField, Case, Expression, Q, QuerySet, Value, When

SEARCH_CONFIG = "english"

# The columns of the better tiers on PostgreSQL, best first; a match elsewhere is the last tier.
TIER_COLUMNS = ("title_vector", "text_vector")
TIER_RANKS = (3, 2)
LAST_TIER_RANK = 1

WEBSEARCH = f"websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"
# The same query with its phrases loosened to "all these words" (`a <-> b` becomes `a & b`), for
# the tiers: a GIN lookup of words is exact, one of a phrase reads every candidate's vector.
# A trial is in the results only if the exact query matches its `search_vector`; the loose query
# only says which tier it goes to.
LOOSE_WEBSEARCH = f"regexp_replace(({WEBSEARCH})::text, '<(-|[0-9]+)>', '&', 'g')::tsquery"

# A `-` that negates nothing: not directly before a word or a quoted phrase. PostgreSQL nests one
# NOT per dash, and 33 nested NOTs overflow its tsquery stack ("tsquery stack too small", a 500).
IDLE_DASH = re.compile(r'-(?!\w|"\w)')


def websearch_text(text: str) -> str:
    """`text` as websearch_to_tsquery reads it, without the dashes that negate nothing, so at most
    one NOT applies to a term (`---stem` searches as `-stem`, `-(-(-(stem` as `stem`)."""
    return IDLE_DASH.sub(" ", text)


class Matches(Expression):
    """`<column> @@ <query>` on the trial table, under whatever alias the query gives that table.

    A raw `"trials_trial"."search_vector"` would break once the query is nested as a subquery
    (the facet counts do that), because Django renames the tables of subqueries (U0, U1…).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, table: str, column: str, text: str, *, loose: bool = False):
        super().__init__()
        self.table, self.column, self.text, self.loose = table, column, text, loose

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.table!r}, {self.column!r}, {self.text!r})"

    def as_sql(self, compiler, connection):
        for alias, join in compiler.query.alias_map.items():
            if join.table_name == self.table and join.join_type is None:
                column = f"{compiler.quote_name_unless_alias(alias)}.{self.column}"
                query = LOOSE_WEBSEARCH if self.loose else WEBSEARCH
                return f"{column} @@ (SELECT {query})", [websearch_text(self.text)]
        raise ValueError(f"{self.table} is not the base table of this query")


def _is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def tiers(queryset: QuerySet, text: str) -> list[QuerySet]:
    """The trials of the better tiers (best first), as querysets of ids, regardless of filters.

    With the trials matching `text` (`search`), they give the relevance order without ranking
    in SQL: each tier is the matches in it and in no better one, the last tier what remains.
    """
    text = text.strip()
    trials = queryset.model.objects.using(queryset.db).order_by()
    if _is_postgresql(queryset):
        table = queryset.model._meta.db_table
        conditions = [Matches(table, column, text, loose=True) for column in TIER_COLUMNS]
    else:
        conditions = [_in_titles(text), Q(search_text__icontains=text)]
    return [trials.filter(condition).values_list("pk", flat=True) for condition in conditions]


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Trials whose titles, summary, sponsors, conditions or interventions match `text`, with a
    `search_rank` alias to order by (the tier: higher is better).

    The pages' search (TrialFilter's `q`), not a QuerySet method: the models sit below every flow
    and import none of the pages' code (tests/test_layout.py).

    `search_rank` says in SQL what `tiers` says as sets of ids (the list uses those): exports and
    the SQL reference of the tests order by it.
    """
    text = text.strip()
    if not text:
        return queryset
    better = tiers(queryset, text)
    rank = Case(
        *(When(pk__in=ids, then=Value(r)) for ids, r in zip(better, TIER_RANKS, strict=True)),
        default=Value(LAST_TIER_RANK),
    )
    if _is_postgresql(queryset):
        match = Matches(queryset.model._meta.db_table, "search_vector", text)
    else:
        match = _in_titles(text) | Q(brief_summary__icontains=text) | Q(search_text__icontains=text)
    return queryset.filter(match).alias(search_rank=rank)


def _in_titles(text: str) -> Q:
    return (
        Q(nct_id__iexact=text)
        | Q(brief_title__icontains=text)
        | Q(official_title__icontains=text)
        | Q(acronym__icontains=text)
    )
