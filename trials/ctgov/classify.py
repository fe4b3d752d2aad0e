"""Free text of a registry record in, labels out: is it a cell therapy, which cells, from where,
whose, and how they reach the patient. Pure: no ORM, no network, no Django.

Every label carries the exact phrase that decided it, where that phrase stands and how sure we
are. Labels at or above ACCEPT are the automatic value; the rest are suggestions for a curator.
The rules, the weights and their reasons are in CLASSIFIER.md; the phrase tables in vocab.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from trials.ctgov import vocab
from trials.ctgov.literals import passes
from trials.ctgov.parse import ArmGroup, Intervention, ParsedStudy
from trials.ctgov.vocab import CELL_SOURCES, CELL_TYPES, DONORS, ROUTES

__all__ = [
    "ACCEPT",
    "CELL_SOURCES",
    "CELL_TYPES",
    "DONORS",
    "FIELDS",
    "ROUTES",
    "Classification",
    "Label",
    "classify",
]

FIELDS = ("is_cell_therapy", "cell_types", "cell_sources", "donor", "routes")
ACCEPT = 0.6  # labels at or above this confidence count as the automatic value; below = "unsure"

# How much a phrase is worth by where it stands: the protocol (interventions, arms) says what is
# done; titles name it; the summary describes it; the detailed description mixes it with the
# literature (which BACKGROUND discounts).
WEIGHTS = {
    "intervention.name": 0.9,
    "intervention.description": 0.9,
    "intervention.other_names": 0.85,
    "arm.label": 0.85,
    "arm.description": 0.9,
    "brief_title": 0.8,
    "official_title": 0.8,
    "keywords": 0.7,
    "brief_summary": 0.7,
    "detailed_description": 0.65,
}
# Standing of each kind of source. A value said only in a lower-standing source does not join a
# field that a higher-standing source has already filled: when the title and the interventions
# say "intravenous", a detailed description that says "intraventricular" (copied from a sister
# trial) is a suggestion, not a second route.
STANDING = {"protocol": 2, "title": 2, "keywords": 1, "summary": 1, "detailed": 0}
BACKGROUND = 0.5  # a sentence about earlier studies, animals or the literature
UNANCHORED = 0.85  # a route in prose with neither the cells nor anything else named near it
CORROBORATION = 0.1  # per further kind of source that says the same
CORROBORATION_MIN = 0.4  # a background mention does not corroborate
MAX_CONFIDENCE = 0.97  # free text is never certain
SUGGEST = 0.2  # weaker candidates are noise, not suggestions
SUPERSEDED = ACCEPT - 0.15  # explained away: by a recognised product, or by a stronger source
UNKNOWN_CONFIDENCE = 0.2  # donor "unknown": nothing said, or said both ways

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'•*-])")
_CLAUSE_BREAK = re.compile(r"\s\+\s|;")
_INTRATHECAL_WORD = re.compile(r"\bintra-?\s?thec?h?al", re.IGNORECASE)
_CONTEXT = 80  # characters before a phrase that can change its meaning ("phase IV", "not")
_NO_TREATMENT = re.compile(r"^\s*no\b", re.IGNORECASE)


@dataclass(frozen=True)
class Label:
    field: str  # one of FIELDS
    value: str  # a DOMAIN.md slug; for is_cell_therapy "true"/"false"
    phrase: str  # the exact substring of the source text that decided it
    source: str  # where the phrase stands: "intervention[0].name", "brief_summary", ...
    confidence: float  # 0..1
    arm: str = ""  # arm label when the label belongs to one arm, "" for trial-level


@dataclass(frozen=True)
class Classification:
    labels: tuple[Label, ...]

    def accepted(self, field: str, arm: str = "") -> list[Label]:
        """Labels of `field` (trial-level when arm == "") at or above ACCEPT, best first."""
        chosen = [
            label
            for label in self.labels
            if label.field == field and label.arm == arm and label.confidence >= ACCEPT
        ]
        return sorted(chosen, key=lambda label: (-label.confidence, label.value))

    def values(self, field: str) -> list[str]:
        """Sorted unique accepted trial-level slugs of a set field (cell_types, sources, routes)."""
        return sorted({label.value for label in self.accepted(field)})

    @property
    def is_cell_therapy(self) -> bool:
        return any(label.value == "true" for label in self.accepted("is_cell_therapy"))

    @property
    def donor(self) -> str:
        accepted = self.accepted("donor")
        return accepted[0].value if accepted else "unknown"


# --- Where the text stands -------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """One field of the record, with what its phrases are worth."""

    source: str
    text: str
    kind: str  # "protocol" | "title" | "keywords" | "summary" | "detailed": corroboration unit
    weight: float
    cellular: bool = False  # the text of the cell product itself: its routes need no anchor
    cell_fields: bool = True  # False for a drug or procedure beside the cells: source/donor only
    arm: str = ""


def _intervention_role(intervention: Intervention) -> str:
    """'control' (placebo, sham, "no treatment"), 'cell' (names cells) or 'other' (a drug...)."""
    text = " ".join((intervention.name, intervention.description, *intervention.other_names))
    names_cells = bool(vocab.CELL_ANCHOR_RE.search(text))
    if vocab.CONTROL_TEXT_RE.search(intervention.name):
        return "control"
    if _NO_TREATMENT.search(intervention.description):
        return "control"  # "No treatment of HYNR-CS inj": names the cells to say they are not given
    if not names_cells and (
        vocab.CONTROL_TEXT_RE.search(intervention.description)
        or re.search(r"\b(?:placebo|sham)\b", text, re.IGNORECASE)
    ):
        return "control"
    return "cell" if names_cells else "other"


def _linked(arm: ArmGroup, interventions: tuple[Intervention, ...]) -> list[int]:
    # An arm lists its interventions as "Type: Name"; an intervention lists its arms by label.
    names = {name.split(": ", 1)[-1].casefold() for name in arm.intervention_names}
    return [
        j
        for j, intervention in enumerate(interventions)
        if intervention.name.casefold() in names or arm.label in intervention.arm_labels
    ]


def _arm_role(arm: ArmGroup, links: list[int], roles: list[str]) -> str:
    if arm.type in vocab.CONTROL_ARM_TYPES:
        return "control"
    if any(roles[j] == "cell" for j in links):
        return "cell"
    if vocab.CONTROL_TEXT_RE.search(arm.label) or vocab.CONTROL_TEXT_RE.search(arm.description):
        return "control"
    if links and all(roles[j] == "control" for j in links):
        return "control"
    return "cell" if vocab.CELL_ANCHOR_RE.search(f"{arm.label} {arm.description}") else "other"


def _intervention_segments(
    j: int, intervention: Intervention, *, cellular: bool, arm: str = ""
) -> Iterator[_Segment]:
    fields = [("name", intervention.name), ("description", intervention.description)]
    fields += [("other_names", name) for name in intervention.other_names]
    for field, text in fields:
        yield _Segment(
            source=f"intervention[{j}].{field}",
            text=text,
            kind="protocol",
            weight=WEIGHTS[f"intervention.{field}"],
            cellular=cellular,
            cell_fields=cellular,
            arm=arm,
        )


def _arm_segments(i: int, arm: ArmGroup, *, cellular: bool, own: bool) -> Iterator[_Segment]:
    for field, text in (("label", arm.label), ("description", arm.description)):
        yield _Segment(
            source=f"arm[{i}].{field}",
            text=text,
            kind="protocol",
            weight=WEIGHTS[f"arm.{field}"],
            cellular=cellular,
            arm=arm.label if own else "",
        )


def _segments(study: ParsedStudy) -> list[_Segment]:
    """Every text worth reading, in a fixed order: trial-level first, then each cell arm's own.

    Placebo / sham / control interventions and arms are left out entirely, so nothing said about
    them (their routes above all) can become a label.
    """
    roles = [_intervention_role(intervention) for intervention in study.interventions]
    segments: list[_Segment] = []
    for j, intervention in enumerate(study.interventions):
        if roles[j] != "control":
            segments += _intervention_segments(j, intervention, cellular=roles[j] == "cell")
    arm_roles = []
    for i, arm in enumerate(study.arms):
        links = _linked(arm, study.interventions)
        arm_roles.append((_arm_role(arm, links, roles), links))
        if arm_roles[-1][0] != "control":
            segments += _arm_segments(i, arm, cellular=arm_roles[-1][0] == "cell", own=False)
    for name in ("brief_title", "official_title"):
        segments.append(_Segment(name, getattr(study, name), "title", WEIGHTS[name]))
    for keyword in study.keywords:
        segments.append(_Segment("keywords", keyword, "keywords", WEIGHTS["keywords"]))
    segments.append(
        _Segment("brief_summary", study.brief_summary, "summary", WEIGHTS["brief_summary"])
    )
    segments.append(
        _Segment(
            "detailed_description",
            study.detailed_description,
            "detailed",
            WEIGHTS["detailed_description"],
        )
    )
    # Per-arm: the arm's own words and those of the cell interventions it receives.
    for i, arm in enumerate(study.arms):
        role, links = arm_roles[i]
        if role != "cell" or not arm.label:
            continue  # an arm without a label cannot be told apart from the trial
        segments += _arm_segments(i, arm, cellular=True, own=True)
        for j in links:
            if roles[j] == "cell":
                segments += _intervention_segments(
                    j, study.interventions[j], cellular=True, arm=arm.label
                )
    return [segment for segment in segments if segment.text]


# --- Reading phrases -------------------------------------------------------------------------
#
# This is about half of a nightly import, so it is written for speed, without changing what is
# read:
# - each text of a study is read once (`_Reader`, one per study): per-arm reading sees the arms'
#   and interventions' texts again, and titles repeat one another;
# - every regex is screened by its literal hints (literals.py) before it runs;
# - what only some phrases need (is the sentence background? is the text all capitals? does the
#   record show surgery?) is worked out when such a phrase is found, not for every text.


class _Hit(NamedTuple):
    field: str  # a FIELDS name, or "cells" for evidence that the trial gives cells at all
    value: str
    phrase: str
    source: str
    kind: str
    score: float
    arm: str
    product: bool = False  # decided by a named product (vocab.PRODUCTS)
    supersedes: tuple[str, ...] = ()
    cap: float = 1.0  # the most this hit alone can make of its label


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


class _Record:
    """What the whole record says about surgery, for reading the loose word "intraspinal".
    Searched for only when a bare "intraspinal" turns up: most records never need it."""

    def __init__(self, segments: list[_Segment]):
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
        # By sentence index, for the sentences that have any; filled by _Reader when a segment
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


class _Reader:
    """Reads the segments of one study. Made anew for every study, so that what it keeps (each
    text's findings, where the anchor words stand in a sentence) never serves another study."""

    def __init__(self, record: _Record):
        self.record = record
        self._texts: dict[str, _Text] = {}
        self._spans: dict[tuple[re.Pattern[str], str], _Spans] = {}

    def read(self, segment: _Segment) -> list[_Hit]:
        text = self._texts.get(segment.text)
        if text is None:
            text = self._texts[segment.text] = _Text(segment.text)
        trial_level = not segment.arm
        parts = []  # per-sentence finding lists, in the order the hits have always come in
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
                    _Hit(
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
            origin = []
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
            if found:
                text.cells[i] = found
            if origin:
                text.product_origin[i] = origin

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


def _route_strength(pattern: vocab.Pattern, sentence: str, record: _Record) -> tuple[float, float]:
    """(strength, cap) of a route phrase. Only the bare word "intraspinal" depends on context:
    it means the cord itself only when the record shows surgery or sets it apart from
    intrathecal; otherwise it stays a suggestion however often it is repeated (DOMAIN.md)."""
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


# --- From hits to labels ---------------------------------------------------------------------


def _aggregate(hits: list[_Hit]) -> tuple[float, _Hit]:
    """The best phrase decides; each other kind of source that agrees adds a little."""
    # On equal scores a product name is the more telling phrase ("MSC-NTF" over "MSC"); max keeps
    # the first of equals, so the rest follows the record's order.
    best = max(hits, key=lambda h: (h.score, h.product))
    by_kind: dict[str, float] = {}
    for h in hits:
        by_kind[h.kind] = max(by_kind.get(h.kind, 0.0), h.score)
    agreeing = sum(
        1 for kind, score in by_kind.items() if kind != best.kind and score >= CORROBORATION_MIN
    )
    confidence = best.score + CORROBORATION * agreeing
    confidence = min(confidence, MAX_CONFIDENCE, max(h.cap for h in hits))
    return round(confidence, 2), best


def _standing(hits: list[_Hit]) -> int:
    """The highest standing of a source that says it plainly (not in passing, not background)."""
    return max((STANDING[h.kind] for h in hits if h.score >= CORROBORATION_MIN), default=-1)


def _group(hits: Iterable[_Hit]) -> dict[tuple[str, str, str], list[_Hit]]:
    groups: dict[tuple[str, str, str], list[_Hit]] = {}
    for h in hits:
        groups.setdefault((h.field, h.value, h.arm), []).append(h)
    return groups


def _label(confidence: float, best: _Hit, field: str = "", value: str = "") -> Label:
    return Label(
        field=field or best.field,
        value=value or best.value,
        phrase=best.phrase,
        source=best.source,
        confidence=confidence,
        arm=best.arm,
    )


def _set_labels(hits: list[_Hit]) -> list[Label]:
    """cell_types, cell_sources and routes, trial-level and per arm."""
    groups = _group(h for h in hits if h.field in ("cell_types", "cell_sources", "routes"))
    decided = {key: _aggregate(group) for key, group in groups.items()}
    # A recognised product explains the generic words of its own description (vocab.Product).
    superseded = {
        (value, best.arm)
        for (field, _, _), (confidence, best) in decided.items()
        if field == "cell_types" and best.product and confidence >= ACCEPT
        for value in best.supersedes
    }
    standing = {key: _standing(group) for key, group in groups.items()}
    filled = {}  # (field, arm) -> the highest standing among its accepted values
    for (field, value, arm), (confidence, _) in decided.items():
        if confidence >= ACCEPT:
            filled[field, arm] = max(filled.get((field, arm), -1), standing[field, value, arm])
    labels = []
    for (field, value, arm), (confidence, best) in decided.items():
        if field == "cell_types" and (value, arm) in superseded and not best.product:
            confidence = min(confidence, SUPERSEDED)
        if standing[field, value, arm] < filled.get((field, arm), -1):
            confidence = min(confidence, SUPERSEDED)
        if confidence >= SUGGEST:
            labels.append(_label(confidence, best))
    if not any(
        label.field == "cell_sources" and not label.arm and label.confidence >= ACCEPT
        for label in labels
    ):
        # Said plainly, so that "we looked and the record does not say" is a value, not a gap.
        labels.append(Label("cell_sources", "unknown", "", "", ACCEPT))
    return labels


def _donor_label(hits: list[_Hit]) -> Label:
    decided = {
        value: _aggregate(group)
        for (_, value, arm), group in _group(h for h in hits if h.field == "donor").items()
        if not arm
    }
    unknown = Label("donor", "unknown", "", "", UNKNOWN_CONFIDENCE)
    if not decided:
        return unknown
    ranked = sorted(decided.items(), key=lambda item: (-item[1][0], item[0]))
    value, (confidence, best) = ranked[0]
    if len(ranked) > 1:
        other = ranked[1][1][0]
        if other >= ACCEPT or other == confidence:
            return unknown  # the record says both: a curator must read it
        if other >= SUGGEST:
            confidence = round(confidence - 0.5 * other, 2)  # a weaker contrary hint costs
    return _label(confidence, best) if confidence >= SUGGEST else unknown


def _cell_therapy_label(hits: list[_Hit]) -> Label:
    # The detailed description alone cannot make a trial a cell therapy: it discusses cells that
    # other trials used (and a drug trial may measure blood cells).
    evidence = [h for h in hits if h.field == "cells" and not h.arm and h.kind != "detailed"]
    if not evidence:
        return Label("is_cell_therapy", "false", "", "", MAX_CONFIDENCE)
    confidence, best = _aggregate(evidence)
    if confidence >= ACCEPT:
        return _label(confidence, best, "is_cell_therapy", "true")
    return Label("is_cell_therapy", "false", "", "", round(1 - confidence, 2))


def _order(study: ParsedStudy, labels: Iterable[Label]) -> tuple[Label, ...]:
    arm_position = {arm.label: i + 1 for i, arm in reversed(list(enumerate(study.arms)))}
    return tuple(
        sorted(
            labels,
            key=lambda label: (
                FIELDS.index(label.field),
                arm_position.get(label.arm, 0) if label.arm else 0,
                -label.confidence,
                label.value,
                label.source,
                label.phrase,
            ),
        )
    )


def classify(study: ParsedStudy) -> Classification:
    """Label a parsed registry record; deterministic, never raises on odd text."""
    segments = _segments(study)
    reader = _Reader(_Record(segments))
    hits = [h for segment in segments for h in reader.read(segment)]
    cell_therapy = _cell_therapy_label(hits)
    if cell_therapy.value == "false":
        # Not a cell therapy: its routes are a drug's and its "cells" someone else's.
        labels = [cell_therapy, Label("donor", "unknown", "", "", UNKNOWN_CONFIDENCE)]
    else:
        labels = [cell_therapy, _donor_label(hits), *_set_labels(hits)]
    return Classification(labels=_order(study, labels))
