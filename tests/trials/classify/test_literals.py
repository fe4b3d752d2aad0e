"""The literal screen in front of the classifier's regexes must never hide a real match."""

import json
import re

import pytest

from tests.conftest import all_record_paths
from trials.classify import vocab
from trials.classify.literals import (
    exact_fragments,
    may_match,
    passes,
    required_fragments,
    required_screen,
)

ALL_PATTERNS = [
    *vocab.CELL_TYPE_PATTERNS,
    *vocab.GENERIC_CELL_PATTERNS,
    *vocab.ROUTE_PATTERNS,
    *vocab.CELL_SOURCE_PATTERNS,
    *vocab.DONOR_PATTERNS,
    *vocab.PRODUCTS,
]


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        (r"\bintra-?\s?venous(?:ly)?\b", re.IGNORECASE, ("venous",)),
        (r"\bbone[- ]?marrow\b", re.IGNORECASE, ("marrow",)),
        (r"\b(?:cat|dog)s\b", 0, ("cat", "dog")),
        (r"\bNurOwn\b|MSC[-_]NTF", re.IGNORECASE, ("msc", "nurown")),
        (r"(?:foo)?bar", 0, ("bar",)),
        (r"a|bc", 0, ()),  # a fragment of one letter screens out nothing worth the check
        (r"[A-Z]+\d", 0, ()),  # no literal at all: always run the regex
    ],
)
def test_required_fragments(pattern, flags, expected):
    assert required_fragments(re.compile(pattern, flags)) == expected


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        (r"(?<![\w-])IT(?![\w-])", 0, ("IT",)),
        (r"\bh?NSCs?\b|\bh?NPCs?\b", 0, ("NPC", "NSC")),
        (r"\bIT\b", re.IGNORECASE, ()),  # ignores case: only the lower-case screen is sound
        (r"\bMSC(?i:-NTF)\b", 0, ()),  # ignores case in part: likewise
        (r"[A-Z]+\d", 0, ()),
    ],
)
def test_exact_fragments(pattern, flags, expected):
    assert exact_fragments(re.compile(pattern, flags)) == expected


def test_the_screen_keeps_every_clause_of_each_alternative():
    regex = re.compile(r"\b(?:into|to)\s+the\s+spinal\s+fluid\b|\binto\s+the\s+CSF\b", re.I)
    screen = required_screen(regex)
    assert screen == (
        (("fluid",), ("into", "to"), ("spinal",), ("the",)),
        (("csf",), ("into",), ("the",)),
    )
    assert passes(screen, "injected into the csf")
    assert passes(screen, "given to the spinal fluid")
    assert not passes(screen, "into the spinal canal")  # "the" alone no longer lets it through


def test_a_shared_prefix_does_not_join_the_fragments_around_a_branch():
    # "\bfoo|\bbar" parses as \b then (foo|bar): the branch is still expanded, and "ab" + "cd"
    # around it must not become "abcd".
    screen = required_screen(re.compile(r"ab(?:foo|bar)cd"))
    assert screen == ((("ab",), ("cd",), ("foo",)), (("ab",), ("bar",), ("cd",)))


def test_the_exact_screen_is_only_for_regexes_that_never_ignore_case():
    assert required_screen(re.compile(r"\bIT\b"), exact=True) == ((("IT",),),)
    assert required_screen(re.compile(r"\bIT\b", re.I), exact=True) == ()
    assert required_screen(re.compile(r"\bMSC(?i:-NTF)\b"), exact=True) == ()


def test_why_the_lower_case_screen_is_only_for_ascii_text():
    regex = re.compile(r"\binto\b", re.I)
    assert regex.search("\u0131nto")  # the regex engine takes a dotless "ı" for an "i"...
    assert not passes(required_screen(regex), "\u0131nto".lower())  # ...str.lower() does not


def test_no_screen_when_an_alternative_has_nothing_to_look_for():
    assert required_screen(re.compile(r"foo|[A-Z]+\d")) == ()
    assert passes((), "anything")


def test_may_match_without_fragments_always_says_yes():
    assert may_match((), "anything")
    assert not may_match(("marrow",), "adipose tissue")


def _texts(record: dict):
    """Every string in a record, split into lines: the classifier reads sentences of these."""
    stack = [record]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            yield from item.splitlines()


def test_every_pattern_that_matches_real_text_passes_its_screen():
    checked = 0
    for path in all_record_paths():
        for line in _texts(json.loads(path.read_text(encoding="utf-8"))):
            lowered = line.lower()
            for pattern in ALL_PATTERNS:
                if pattern.regex.search(line):
                    checked += 1
                    assert may_match(pattern.hints, lowered), (pattern.regex.pattern, line)
                    case_hints = getattr(pattern, "case_hints", ())
                    assert may_match(case_hints, line), (pattern.regex.pattern, line)
                    if pattern.case:
                        assert passes(pattern.screen, line), (pattern.regex.pattern, line)
                    elif line.isascii():  # the lower-case screen is only used on ASCII text
                        assert passes(pattern.screen, lowered), (pattern.regex.pattern, line)
    assert checked > 1000  # the fixtures do exercise the patterns
