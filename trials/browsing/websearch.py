"""The search box's query syntax, read once for both databases, with product synonyms.

The syntax is PostgreSQL's `websearch_to_tsquery`: words are all required, `"quoted words"` are
a phrase, `-word` or `-"a phrase"` excludes, and the word `or` between two terms takes either
(`a b or c` is `(a and b) or c`). `parse` reads it into OR-groups of AND-ed terms; `fulltext`
renders those as a tsquery on PostgreSQL and as FTS5 matches on SQLite, so both databases answer
a query the same way.

A term that names a product (`product_synonyms.csv`) also matches the product's other names:
`NurOwn` finds "MSC-NTF". Expansion is in the query (one OR per synonym group the query names),
never in the stored texts, so a curator's change to the file applies to every trial at once.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

SYNONYMS_PATH = Path(__file__).resolve().parent / "product_synonyms.csv"

# PostgreSQL's English stop words (share/tsearch_data/english.stop): the 'english' configuration
# drops them from texts and queries, so the SQLite side drops them from queries too.
_ENGLISH_STOP = (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself "
    "she her hers herself it its itself they them their theirs themselves what which who whom "
    "this that these those am is are was were be been being have has had having do does did doing "
    "a an the and but if or because as until while of at by for with about against between into "
    "through during before after above below to from up down in out on off over under again "
    "further then once here there when where why how all any both each few more most other some "
    "such no nor not only own same so than too very s t can will just don should now "
)
STOP_WORDS = frozenset(_ENGLISH_STOP.split())
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


@dataclass(frozen=True)
class Term:
    """One word or quoted phrase of a query, as written, with the product names it stands for."""

    text: str
    phrase: bool = False
    negated: bool = False
    synonyms: tuple[str, ...] = ()  # the other names of the product it names, as written

    @property
    def alternatives(self) -> tuple[str, ...]:
        """What the term matches: its own text, then each synonym (always a phrase)."""
        return (self.text, *self.synonyms)


Query = tuple[tuple[Term, ...], ...]  # OR of AND-groups


def words(text: str) -> list[str]:
    """The lower-case words of a text, as both databases split it (punctuation separates)."""
    return _WORD.findall(text.lower())


def parse(text: str, synonyms: dict[str, tuple[str, ...]] | None = None) -> Query:
    """The query's OR-groups of terms; terms that name a product carry its other names."""
    synonyms = product_synonyms() if synonyms is None else synonyms
    groups: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(text or ""):
        quoted_minus, phrase, minus, word = match.groups()
        if phrase is None and word.lower() == "or":
            if groups[-1]:
                groups.append([])
            continue
        body = phrase if phrase is not None else word
        if not words(body):
            continue  # "-" alone, punctuation: nothing to match (websearch ignores it too)
        key = " ".join(words(body))
        groups[-1].append(
            Term(
                text=body,
                phrase=phrase is not None,
                negated=bool(quoted_minus if phrase is not None else minus),
                synonyms=tuple(n for n in synonyms.get(key, ()) if " ".join(words(n)) != key),
            )
        )
    return tuple(tuple(group) for group in groups if group)


@functools.cache
def product_synonyms(path: Path = SYNONYMS_PATH) -> dict[str, tuple[str, ...]]:
    """Each product name's words ("msc ntf") → every name of its group, as written."""
    by_name: dict[str, tuple[str, ...]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["names", "note"]:
            raise ValueError(f"{path.name}: columns must be names,note")
        for row in reader:
            names = tuple(n.strip() for n in (row["names"] or "").split("|") if n.strip())
            if not names or names[0].startswith("#"):
                continue
            if len(names) < 2 or any(not words(n) for n in names):
                raise ValueError(f"{path.name} line {reader.line_num}: a group needs two names")
            for name in names:
                key = " ".join(words(name))
                if key in by_name:
                    raise ValueError(f"{path.name} line {reader.line_num}: {name!r} is twice")
                by_name[key] = names
    return by_name
