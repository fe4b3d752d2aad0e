"""Reading phrases: every segment's sentences against the phrase tables of vocab.py, giving hits
(a value, the phrase that says it, where it stands, how strongly).

This is about half of a nightly import, so it is written for speed, without changing what is
read:
- each text of a study is read once (`Reader`, one per study): per-arm reading sees the arms'
  and interventions' texts again, and titles repeat one another;
- every regex is screened by its literal hints (literals.py) before it runs;
- what only some phrases need (is the sentence background? is the text all capitals? does the
  record show surgery?) is worked out when such a phrase is found, not for every text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import NamedTuple

from trials.classify import vocab
from trials.classify.labels import Hit
from trials.classify.literals import passes
from trials.classify.scores import BACKGROUND, SUPERSEDED, UNANCHORED
from trials.classify.segments import Segment

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'•*-])")
_CLAUSE_BREAK = re.compile(r"\s\+\s|;")
_INTRATHECAL_WORD = re.compile(r"\bintra-?\s?thec?h?al", re.IGNORECASE)
_CONTEXT = 80  # characters before a phrase that can change its meaning ("phase IV", "not")


class _Finding(NamedTuple):
    """A phrase found in a text, before the segment that the text stands in scores it."""

    field: str
    value: str
    phrase: str
    strength: float
    product: bool = False
    supersedes: tuple[str, ...] = ()
    cap: float = 1.0
    unanchored: bool = False  # a route with no agent named near it


class Record:
    """What the whole record says about surgery, for reading the loose word "intraspinal".
    Searched for only when a bare "intraspinal" turns up: most records never need it."""

    def __init__(self, segments: list[Segment]):
        self._segments = segments

    @cached_property
    def _text(self) -> str:
        return "\n".join(segment.text for segment in self._segments if not segment.arm)

    @cached_property
    def surgical(self) -> bool:
        return bool(vocab.SURGICAL_CUE_RE.search(self._text))

    @cached_property
    def csf(self) -> bool:
        return bool(vocab.CSF_CUE_RE.search(self._text))


def _sentences(text: str) -> list[str]:
    return [
        part for line in text.splitlines() for part in _SENTENCE_BREAK.split(line) if part.strip()
    ]


_LETTER = re.compile(r"[^\W\d_]")
_CAPITAL = re.compile(r"[A-ZÀ-ÖØ-Þ]")


def _mostly_capitals(text: str) -> bool:
    capitals = len(_CAPITAL.findall(text))
    if capitals <= 12:
        return False  # more than 20 letters, 60% of them capitals, takes at least 13 capitals
    letters = len(_LETTER.findall(text))
    return letters > 20 and capitals > 0.6 * letters


# The screen. Every phrase pattern has a bit; a sentence's mask has the bits of the patterns whose
# literal hints occur in it (literals.py), so that only those regexes run. The hints are looked
# for once per text, then per sentence only among those the text has.
_GROUPS = (
    vocab.CELL_TYPE_PATTERNS,
    vocab.GENERIC_CELL_PATTERNS,
    vocab.ROUTE_PATTERNS,
    vocab.CELL_SOURCE_PATTERNS,
    vocab.DONOR_PATTERNS,
    vocab.PRODUCTS,
)


class _Group(NamedTuple):
    """One vocabulary's patterns, and where their bits start in a mask."""

    patterns: tuple
    shift: int

    def bits(self) -> Iterator[tuple[int, vocab.Pattern | vocab.Product]]:
        for k, pattern in enumerate(self.patterns):
            yield 1 << (self.shift + k), pattern

    def candidates(self, mask: int) -> list:
        """The patterns whose bit is set, in vocabulary order."""
        own = (mask >> self.shift) & ((1 << len(self.patterns)) - 1)
        found = []
        while own:  # one step per set bit, not per pattern: most sentences set few
            lowest = own & -own
            found.append(self.patterns[lowest.bit_length() - 1])
            own ^= lowest
        return found


_CELL_TYPES, _GENERIC_CELLS, _ROUTES, _SOURCES, _DONORS, _PRODUCTS = (
    _Group(group, sum(len(earlier) for earlier in _GROUPS[:k])) for k, group in enumerate(_GROUPS)
)
_ALL = (_CELL_TYPES, _GENERIC_CELLS, _ROUTES, _SOURCES, _DONORS, _PRODUCTS)
_CELL_READING = sum(
    bit for group in (_CELL_TYPES, _GENERIC_CELLS, _ROUTES, _PRODUCTS) for bit, _ in group.bits()
)
_ORIGIN_READING = sum(bit for group in (_SOURCES, _DONORS) for bit, _ in group.bits())


def _hint_table(*, case: bool) -> tuple[tuple[str, int], ...]:
    """(hint, bits of the patterns it lets through). A case-sensitive pattern is screened by its
    own-case hints in the sentence itself (case=True), every other by lower-case hints."""
    table: dict[str, int] = {}
    for group in _ALL:
        for bit, pattern in group.bits():
            own_case = getattr(pattern, "case_hints", ())
            # A pattern with own-case hints is screened by those alone.
            hints = own_case if case else (() if own_case else pattern.hints)
            for hint in hints:
                table[hint] = table.get(hint, 0) | bit
    return tuple(table.items())


_LOWER_HINTS, _CASE_HINTS = _hint_table(case=False), _hint_table(case=True)
_UNSCREENED = sum(
    bit
    for group in _ALL
    for bit, pattern in group.bits()
    if not pattern.hints and not getattr(pattern, "case_hints", ())
)


def _masks(text: str, sentences: list[str], lowered: list[str]) -> list[int]:
    """Per sentence, the bits of the patterns worth running on it."""
    lowered_text = text.lower()
    lower = [(hint, bits) for hint, bits in _LOWER_HINTS if hint in lowered_text]
    case = [(hint, bits) for hint, bits in _CASE_HINTS if hint in text]
    if len(sentences) == 1:  # the text's hints are its one sentence's
        mask = _UNSCREENED
        for _, bits in lower + case:
            mask |= bits
        return [mask]
    masks = []
    for sentence, lowered_sentence in zip(sentences, lowered, strict=True):
        mask = _UNSCREENED
        for hint, bits in lower:
            if hint in lowered_sentence:
                mask |= bits
        for hint, bits in case:
            if hint in sentence:
                mask |= bits
        masks.append(mask)
    return masks


class _Text:
    """One text of a study, split into sentences, with what its readers found in each."""

    def __init__(self, text: str):
        self.text = text
        self.sentences = _sentences(text)
        self.lowered = [sentence.lower() for sentence in self.sentences]
        self.masks = _masks(text, self.sentences, self.lowered)
        self._background: dict[int, bool] = {}
        # By sentence index, for the sentences that have any; filled by Reader when a segment
        # first needs them.
        self.cells: dict[int, list[_Finding]] | None = None  # cell types, cells, routes
        self.product_origin: dict[int, list[_Finding]] | None = None  # products' source, donor
        self.origin: dict[int, list[_Finding]] | None = None  # cell source and donor words

    def passes(self, pattern: vocab.Pattern | vocab.Product, i: int) -> bool:
        """The finer screen of a pattern that passed the mask: can it match sentence i?"""
        sentence = self.sentences[i]
        if pattern.case:
            return passes(pattern.screen, sentence)
        if sentence.isascii():  # see literals.required_screen for why only then
            return passes(pattern.screen, self.lowered[i])
        return True

    @cached_property
    def capitals(self) -> bool:
        return _mostly_capitals(self.text)

    @cached_property
    def culture(self) -> bool:
        return bool(vocab.CULTURE_RE.search(self.text))

    def background(self, i: int) -> bool:
        """A sentence about earlier studies, animals or the literature."""
        if i not in self._background:
            self._background[i] = bool(vocab.BACKGROUND_RE.search(self.sentences[i]))
        return self._background[i]


class _Spans:
    """Where a regex matches in a sentence, found left to right only as far as asked: the nearest
    anchor after a route phrase is the first one after it, so the rest need not be looked for."""

    def __init__(self, regex: re.Pattern[str], sentence: str):
        self._matches = regex.finditer(sentence)
        self._spans: list[tuple[int, int]] = []
        self._done = False

    def through(self, position: int) -> list[tuple[int, int]]:
        """Every span up to the first that starts at or after `position` (or all there are)."""
        while not self._done and (not self._spans or self._spans[-1][0] < position):
            match = next(self._matches, None)
            if match is None:
                self._done = True
            else:
                self._spans.append(match.span())
        return self._spans


class Reader:
    """Reads the segments of one study. Made anew for every study, so that what it keeps (each
    text's findings, where the anchor words stand in a sentence) never serves another study."""

    def __init__(self, record: Record):
        self.record = record
        self._texts: dict[str, _Text] = {}
        self._spans: dict[tuple[re.Pattern[str], str], _Spans] = {}

    def read(self, segment: Segment) -> list[Hit]:
        text = self._texts.get(segment.text)
        if text is None:
            text = self._texts[segment.text] = _Text(segment.text)
        trial_level = not segment.arm
        # Per sentence: cell words, routes and products, then the products' and the words'
        # origins. Order matters only among hits for the same value (of equal best phrases the
        # first decides, labels._aggregate), and there it is the record's order, as always.
        parts = []
        if segment.cell_fields:
            if text.cells is None:
                self._read_cells(text)
            parts.append(text.cells)
            if trial_level:
                parts.append(text.product_origin)
        if trial_level:  # per arm: cell types and routes only
            if text.origin is None:
                self._read_origin(text)
            parts.append(text.origin)
        anchored = segment.cellular or segment.kind == "title"
        hits = []
        for i in sorted({i for part in parts for i in part}):
            scale = segment.weight * (BACKGROUND if text.background(i) else 1.0)
            for f in (finding for part in parts for finding in part.get(i, ())):
                strength = f.strength * UNANCHORED if f.unanchored and not anchored else f.strength
                hits.append(
                    Hit(
                        f.field,
                        f.value,
                        f.phrase,
                        segment.source,
                        segment.kind,
                        scale * strength,
                        segment.arm,
                        f.product,
                        f.supersedes,
                        f.cap,
                    )
                )
        return hits

    def _matches(self, group: _Group, text: _Text, i: int) -> list[tuple[vocab.Pattern, re.Match]]:
        sentence = text.sentences[i]
        found = []
        for pattern in group.candidates(text.masks[i]):
            if not text.passes(pattern, i):
                continue
            if pattern.case and text.capitals:
                continue  # "IT", "IV": meaningless in a text written all in capitals
            for match in pattern.regex.finditer(sentence):
                before = sentence[max(0, match.start() - _CONTEXT) : match.start()]
                if pattern.not_after and pattern.not_after.search(before):
                    continue
                if vocab.NEGATION_BEFORE_RE.search(before):
                    continue
                found.append((pattern, match))
        return found

    def _read_cells(self, text: _Text) -> None:
        """Cell types, cells at all, and routes; with the products, which also give origins."""
        text.cells, text.product_origin = {}, {}
        for i, sentence in enumerate(text.sentences):
            if not text.masks[i] & _CELL_READING:
                continue  # none of these patterns can match: most sentences of a long text
            found = self._cell_words(text, i, sentence) + self._routes(text, i, sentence)
            products, origin = self._products(text, i, sentence)
            found += products
            if found:
                text.cells[i] = found
            if origin:
                text.product_origin[i] = origin

    def _cell_words(self, text: _Text, i: int, sentence: str) -> list[_Finding]:
        found = []
        for pattern, match in self._matches(_CELL_TYPES, text, i):
            before = sentence[max(0, match.start() - _CONTEXT) : match.start()]
            if vocab.DIFFERENTIATION_BEFORE_RE.search(before):
                continue  # "cells that can become astrocytes": not the product
            if pattern.value == "bm-mnc" and text.culture:
                continue  # mononuclear cells plated to grow MSC: a step, not the product
            found.append(_Finding("cell_types", pattern.value, match.group(), pattern.strength))
            found.append(_Finding("cells", "true", match.group(), pattern.strength))
        for pattern, match in self._matches(_GENERIC_CELLS, text, i):
            found.append(_Finding("cells", "true", match.group(), pattern.strength))
        return found

    def _routes(self, text: _Text, i: int, sentence: str) -> list[_Finding]:
        found = []
        for pattern, match in self._matches(_ROUTES, text, i):
            owner = self._nearest_is_cells(sentence, match)
            if owner is False:
                continue  # the route of a drug, a placebo or an immunosuppressant
            strength, cap = _route_strength(pattern, sentence, self.record)
            if strength:
                found.append(
                    _Finding(
                        "routes",
                        pattern.value,
                        match.group(),
                        strength,
                        cap=cap,
                        unanchored=owner is None,
                    )
                )
        return found

    def _products(
        self, text: _Text, i: int, sentence: str
    ) -> tuple[list[_Finding], list[_Finding]]:
        """The named products of a sentence: their cell findings, and the origins they give."""
        found, origin = [], []
        for product in _PRODUCTS.candidates(text.masks[i]):
            if not text.passes(product, i):
                continue
            for match in product.regex.finditer(sentence):
                phrase = match.group()
                for value in product.cell_types:
                    found.append(
                        _Finding(
                            "cell_types",
                            value,
                            phrase,
                            0.95,
                            product=True,
                            supersedes=product.supersedes,
                        )
                    )
                    found.append(_Finding("cells", "true", phrase, 0.95))
                for value in product.cell_sources:
                    origin.append(_Finding("cell_sources", value, phrase, 0.95, product=True))
                if product.donor:
                    origin.append(
                        _Finding(
                            "donor",
                            product.donor,
                            phrase,
                            product.donor_strength,
                            product=True,
                            cap=product.donor_cap,
                        )
                    )
        return found, origin

    def _read_origin(self, text: _Text) -> None:
        """Cell source and donor: trial-level only."""
        text.origin = {}
        for i in range(len(text.sentences)):
            if not text.masks[i] & _ORIGIN_READING:
                continue
            found = []
            for pattern, match in self._matches(_SOURCES, text, i):
                phrase = match.group()
                found.append(_Finding("cell_sources", pattern.value, phrase, pattern.strength))
                if pattern.value in vocab.SOURCE_IMPLIES_DONOR:
                    donor, strength = vocab.SOURCE_IMPLIES_DONOR[pattern.value]
                    found.append(_Finding("donor", donor, phrase, pattern.strength * strength))
            for pattern, match in self._matches(_DONORS, text, i):
                found.append(_Finding("donor", pattern.value, match.group(), pattern.strength))
            if found:
                text.origin[i] = found

    def _nearest_is_cells(self, sentence: str, match: re.Match[str]) -> bool | None:
        """Whom a route phrase belongs to: True (the cells), False (a drug, placebo...), None."""
        starts = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, match.start())]
        end_break = _CLAUSE_BREAK.search(sentence, match.end())
        clause_start, clause_end = starts[-1], end_break.start() if end_break else len(sentence)
        left, right = match.start(), match.end()

        def distance(regex: re.Pattern[str]) -> float:
            anchors = self._spans.get((regex, sentence))
            if anchors is None:  # every route phrase of the sentence asks: find them once
                anchors = self._spans[regex, sentence] = _Spans(regex, sentence)
            best = float("inf")
            for start, end in anchors.through(right):
                if start < clause_start or end > clause_end:
                    continue
                if end <= left:
                    best = min(best, left - end)
                elif start >= right:
                    best = min(best, start - right)
            return best

        cells, other = distance(vocab.CELL_ANCHOR_RE), distance(vocab.OTHER_AGENT_RE)
        if cells == other == float("inf"):
            return None
        return cells <= other


def _route_strength(pattern: vocab.Pattern, sentence: str, record: Record) -> tuple[float, float]:
    """(strength, cap) of a route phrase. Only the bare word "intraspinal" depends on context:
    it means the cord itself only when the record shows surgery or sets it apart from
    intrathecal; otherwise it stays a suggestion however often it is repeated
    (docs/domain.md#cell-type-and-route-live-in-free-text)."""
    if not pattern.loose:
        return pattern.strength, 1.0
    if vocab.CSF_CUE_RE.search(sentence):
        # "intraspinal delivery ... to the cerebrospinal fluid": the cue itself says intrathecal.
        return 0.0, 1.0
    if record.surgical:
        return 0.95, 1.0
    if _INTRATHECAL_WORD.search(sentence):
        return 0.85, 1.0  # "1 intraspinal and 2 intrathecal": named apart, not a loose synonym
    return pattern.strength * (0.5 if record.csf else 1.0), SUPERSEDED
