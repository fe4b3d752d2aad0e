"""Free-text search over trials, ranked in tiers: the same answers on PostgreSQL and SQLite.

The query is read once (`websearch.parse`: PostgreSQL's websearch syntax, `"phrases"`, `-word`,
`or`, and product synonyms) and then asked of each database's own full-text index:

- PostgreSQL keeps tsvector columns on trials_trial, each with a GIN index, kept by a trigger
  (migrations 0004, 0007 and 0008; not model fields, because SQLite cannot have them):
  `search_vector` (everything searched), `title_vector` (NCT id, titles, acronym) and
  `text_vector` (conditions, keywords, sponsors, interventions, arms: `search_text`). The query
  becomes one tsquery, a `websearch_to_tsquery` per word or phrase joined by `&&`, `||`, `!!`.
- SQLite keeps an FTS5 table, `trials_trial_fts` (columns `title`, `body`, `summary`: the same
  texts as the three vectors), kept by triggers (migration 0010), with the Porter stemmer as
  PostgreSQL's English configuration stems. Each word or phrase is one FTS5 match of the trial
  ids; the query's and / or / not are those of the id sets. PostgreSQL's English stop words are
  left out of the query, as PostgreSQL leaves them out.

Both split words at punctuation the same way: a word written with a hyphen or a slash is asked
as the phrase of its parts ("MSC-NTF" is "msc ntf"), which matches "MSC-NTF" and "MSC NTF".

Relevance is a tier, the same on both databases: 3 when the query matches in the titles, 2 when
it matches in the `search_text` fields, else 1 (a match in the summary or across fields); the
list orders a tier by latest update. Not `ts_rank`: ranking reads every matching trial's vector,
60–90 ms for 31,000 matches at 50,000 trials, while a tier is one GIN lookup of ids (see
`TIER_COLUMNS`), so the page and its facet counts cost what the match set costs. A tier asks the
query loosely (a phrase as all its words): a trial is in the results only if the exact query
matches it; the loose one only says which tier it goes to.

The query reaches PostgreSQL inside a scalar subquery. The planner then cannot estimate from the
words how many trials match, assumes few, and always uses the GIN index: with the vectors stored
out of line (migration 0007), a sequential scan, its choice for common words, would read every
vector from the TOAST table (a quarter of a second at 50,000 trials).
"""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, Case, Expression, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from trials.browsing.websearch import STOP_WORDS, Query, Term, parse, words

SEARCH_CONFIG = "english"

# The columns of the better tiers, best first; a match elsewhere is the last tier. PostgreSQL's
# tsvector columns and the FTS5 table's columns hold the same texts.
TIER_COLUMNS = ("title_vector", "text_vector")
FTS_TIER_COLUMNS = ("title", "body")
TIER_RANKS = (3, 2)
LAST_TIER_RANK = 1

FTS_TABLE = "trials_trial_fts"
WEBSEARCH = f"websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"
# A tsquery with its phrases loosened to "all these words" (`a <-> b` becomes `a & b`), for the
# tiers: a GIN lookup of words is exact, one of a phrase reads every candidate's vector.
LOOSE = "regexp_replace(({})::text, '<(-|[0-9]+)>', '&', 'g')::tsquery"


def tsquery(query: Query) -> tuple[str, list[str]]:
    """The query as one PostgreSQL tsquery expression (SQL and its parameters).

    Built from the parsed terms, each negated at most once, never from the text itself: PostgreSQL
    nests one NOT per `-` of a websearch text, and 33 nested NOTs overflow its tsquery stack
    ("tsquery stack too small", a 500 for `q` of 40 dashes).
    """
    if not query:
        return "''::tsquery", []  # matches nothing, as websearch_to_tsquery of punctuation
    sql, params = [], []
    for group in query:
        parts = []
        for term in group:
            alternatives = [_websearch_text(text) for text in term.alternatives]
            either = " || ".join([WEBSEARCH] * len(alternatives))
            parts.append(f"!!({either})" if term.negated else f"({either})")
            params += alternatives
        sql.append("(" + " && ".join(parts) + ")")
    return " || ".join(sql), params


def _websearch_text(text: str) -> str:
    """A word as itself; anything with punctuation or spaces as the phrase of its words."""
    found = words(text)
    return found[0] if len(found) == 1 else '"' + " ".join(found) + '"'


class Matches(Expression):
    """`<column> @@ <query>` on the trial table, under whatever alias the query gives that table.

    A raw `"trials_trial"."search_vector"` would break once the query is nested as a subquery
    (the facet counts do that), because Django renames the tables of subqueries (U0, U1…).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, table: str, column: str, query: Query, *, loose: bool = False):
        super().__init__()
        self.table, self.column, self.query, self.loose = table, column, query, loose

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.table!r}, {self.column!r}, {self.query!r})"

    def as_sql(self, compiler, connection):
        for alias, join in compiler.query.alias_map.items():
            if join.table_name == self.table and join.join_type is None:
                column = f"{compiler.quote_name_unless_alias(alias)}.{self.column}"
                sql, params = tsquery(self.query)
                if self.loose:
                    sql = LOOSE.format(sql)
                return f"{column} @@ (SELECT {sql})", params
        raise ValueError(f"{self.table} is not the base table of this query")


def fts_phrase(text: str, *, loose: bool = False) -> str:
    """An FTS5 expression for one word or phrase, or "" when it has nothing but stop words.

    Stop words are dropped where PostgreSQL drops them from a query: alone, and at either end of
    a phrase (inside one, they stay, as the text has them).
    """
    found = words(text)
    while found and found[0] in STOP_WORDS:
        found.pop(0)
    while found and found[-1] in STOP_WORDS:
        found.pop()
    if not found:
        return ""
    if loose:
        return " AND ".join(f'"{w}"' for w in found if w not in STOP_WORDS)
    return '"' + " ".join(found) + '"'


def fts_condition(query: Query, *, column: str = "", loose: bool = False) -> Q:
    """The trials the query matches on SQLite (in one FTS5 column, or in any), as a Q."""
    condition = None
    for group in query:
        every = None
        for term in group:
            matched = _fts_term(term, column=column, loose=loose)
            if matched is not None:
                every = matched if every is None else every & matched
        if every is not None:
            condition = every if condition is None else condition | every
    # Nothing to match (only stop words): no trial, as a condition that compiles anywhere (an
    # empty `pk__in` cannot be compiled inside the tiers' CASE).
    return Q(pk__isnull=True) if condition is None else condition


def _fts_term(term: Term, *, column: str, loose: bool) -> Q | None:
    alternatives = [fts_phrase(text, loose=loose) for text in term.alternatives]
    alternatives = [f"({a})" for a in alternatives if a]
    if not alternatives:
        return None  # only stop words: PostgreSQL ignores the term too
    expression = " OR ".join(alternatives)
    if column:
        expression = f"{column} : ({expression})"
    ids = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])
    return ~Q(pk__in=ids) if term.negated else Q(pk__in=ids)


def _is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def tiers(queryset: QuerySet, text: str) -> list[QuerySet]:
    """The trials of the better tiers (best first), as querysets of ids, regardless of filters.

    With the trials matching `text` (`search`), they give the relevance order without ranking
    in SQL: each tier is the matches in it and in no better one, the last tier what remains.
    """
    query = parse(text)
    trials = queryset.model.objects.using(queryset.db).order_by()
    if _is_postgresql(queryset):
        table = queryset.model._meta.db_table
        conditions = [Matches(table, column, query, loose=True) for column in TIER_COLUMNS]
    else:
        conditions = [fts_condition(query, column=c, loose=True) for c in FTS_TIER_COLUMNS]
    return [trials.filter(condition).values_list("pk", flat=True) for condition in conditions]


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Trials whose titles, summary, sponsors, conditions or interventions match `text`, with a
    `search_rank` alias to order by (the tier: higher is better).

    The pages' search (TrialFilter's `q`), not a QuerySet method: the models sit below every flow
    and import none of the pages' code (tests/test_layout.py).

    `search_rank` says in SQL what `tiers` says as sets of ids (the list uses those): exports and
    the SQL reference of the tests order by it.
    """
    if not text.strip():
        return queryset
    query = parse(text)
    better = tiers(queryset, text)
    rank = Case(
        *(When(pk__in=ids, then=Value(r)) for ids, r in zip(better, TIER_RANKS, strict=True)),
        default=Value(LAST_TIER_RANK),
    )
    if _is_postgresql(queryset):
        match = Matches(queryset.model._meta.db_table, "search_vector", query)
    else:
        match = fts_condition(query)
    return queryset.filter(match).alias(search_rank=rank)
