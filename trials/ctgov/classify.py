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
from functools import lru_cache, partial

from trials.ctgov import vocab
from trials.ctgov.literals import may_match
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


@dataclass(frozen=True)
class _Hit:
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


@dataclass(frozen=True)
class _Record:
    """What the whole record says about surgery, for reading the loose word "intraspinal"."""

    surgical: bool
    csf: bool


def _sentences(text: str) -> Iterator[str]:
    for line in text.splitlines():
        yield from (part for part in _SENTENCE_BREAK.split(line) if part.strip())


_LETTER = re.compile(r"[^\W\d_]")
_CAPITAL = re.compile(r"[A-ZÀ-ÖØ-Þ]")


def _mostly_capitals(text: str) -> bool:
    # Counted by regex rather than character by character: this runs on every segment.
    letters = len(_LETTER.findall(text))
    return letters > 20 and len(_CAPITAL.findall(text)) > 0.6 * letters


def _matches(patterns: Iterable[vocab.Pattern], sentence: str, capitals: bool):
    lowered = sentence.lower()
    for pattern in patterns:
        if pattern.case and capitals:
            continue
        if not may_match(pattern.hints, lowered):
            continue
        for match in pattern.regex.finditer(sentence):
            before = sentence[max(0, match.start() - _CONTEXT) : match.start()]
            if pattern.not_after and pattern.not_after.search(before):
                continue
            if vocab.NEGATION_BEFORE_RE.search(before):
                continue
            yield pattern, match


@lru_cache(maxsize=4096)
def _spans(regex: re.Pattern[str], sentence: str) -> tuple[tuple[int, int], ...]:
    """Where a regex matches in a sentence. Cached for one study (see classify): every route
    phrase of a sentence asks, and arm-level reading sees the interventions' sentences again."""
    return tuple(m.span() for m in regex.finditer(sentence))


def _nearest_is_cells(sentence: str, match: re.Match[str]) -> bool | None:
    """Whom the route phrase belongs to: True (the cells), False (a drug, placebo...), None."""
    starts = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, match.start())]
    end_break = _CLAUSE_BREAK.search(sentence, match.end())
    clause_start, clause_end = starts[-1], end_break.start() if end_break else len(sentence)

    def distance(regex: re.Pattern[str]) -> float:
        best = float("inf")
        for start, end in _spans(regex, sentence):
            if start < clause_start or end > clause_end:
                continue
            if end <= match.start():
                best = min(best, match.start() - end)
            elif start >= match.end():
                best = min(best, start - match.end())
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


def _hit(
    segment: _Segment, scale: float, field: str, value: str, phrase: str, strength: float, **extra
) -> _Hit:
    return _Hit(
        field, value, phrase, segment.source, segment.kind, scale * strength, segment.arm, **extra
    )


@dataclass(frozen=True)
class _Phrasebook:
    """The phrase patterns worth trying on one segment: those whose literal hints occur in it."""

    cell_types: tuple[vocab.Pattern, ...]
    generic_cells: tuple[vocab.Pattern, ...]
    routes: tuple[vocab.Pattern, ...]
    sources: tuple[vocab.Pattern, ...]
    donors: tuple[vocab.Pattern, ...]
    products: tuple[vocab.Product, ...]


_ALL_HINTS = frozenset(
    hint
    for group in (
        vocab.CELL_TYPE_PATTERNS,
        vocab.GENERIC_CELL_PATTERNS,
        vocab.ROUTE_PATTERNS,
        vocab.CELL_SOURCE_PATTERNS,
        vocab.DONOR_PATTERNS,
        vocab.PRODUCTS,
    )
    for pattern in group
    for hint in pattern.hints
)


def _phrasebook(text: str) -> _Phrasebook:
    # One pass of substring checks per segment instead of ~90 regexes per sentence: most
    # patterns cannot occur in a given text, and skipping them is what keeps the import fast.
    lowered = text.lower()
    present = {hint for hint in _ALL_HINTS if hint in lowered}

    def worth(group):
        return tuple(p for p in group if not p.hints or not present.isdisjoint(p.hints))

    return _Phrasebook(
        cell_types=worth(vocab.CELL_TYPE_PATTERNS),
        generic_cells=worth(vocab.GENERIC_CELL_PATTERNS),
        routes=worth(vocab.ROUTE_PATTERNS),
        sources=worth(vocab.CELL_SOURCE_PATTERNS),
        donors=worth(vocab.DONOR_PATTERNS),
        products=worth(vocab.PRODUCTS),
    )


def _read(segment: _Segment, record: _Record) -> Iterator[_Hit]:
    book = _phrasebook(segment.text)
    capitals = _mostly_capitals(segment.text)
    culture = bool(vocab.CULTURE_RE.search(segment.text))
    for sentence in _sentences(segment.text):
        background = bool(vocab.BACKGROUND_RE.search(sentence))
        hit = partial(_hit, segment, segment.weight * (BACKGROUND if background else 1.0))
        if segment.cell_fields:
            yield from _read_cells(sentence, hit, book, capitals=capitals, culture=culture)
            yield from _read_routes(sentence, hit, book, segment, record, capitals=capitals)
            yield from _read_products(sentence, hit, book, trial_level=not segment.arm)
        if not segment.arm:  # per arm: cell types and routes only
            yield from _read_origin(sentence, hit, book, capitals=capitals)


def _read_cells(
    sentence: str, hit, book: _Phrasebook, *, capitals: bool, culture: bool
) -> Iterator[_Hit]:
    for pattern, match in _matches(book.cell_types, sentence, capitals):
        before = sentence[max(0, match.start() - _CONTEXT) : match.start()]
        if vocab.DIFFERENTIATION_BEFORE_RE.search(before):
            continue  # "cells that can become astrocytes": not the product
        if pattern.value == "bm-mnc" and culture:
            continue  # mononuclear cells plated to grow MSC: a step, not the product
        yield hit("cell_types", pattern.value, match.group(), pattern.strength)
        yield hit("cells", "true", match.group(), pattern.strength)
    for pattern, match in _matches(book.generic_cells, sentence, capitals):
        yield hit("cells", "true", match.group(), pattern.strength)


def _read_routes(
    sentence: str,
    hit,
    book: _Phrasebook,
    segment: _Segment,
    record: _Record,
    *,
    capitals: bool,
) -> Iterator[_Hit]:
    for pattern, match in _matches(book.routes, sentence, capitals):
        owner = _nearest_is_cells(sentence, match)
        if owner is False:
            continue  # the route of a drug, a placebo or an immunosuppressant
        strength, cap = _route_strength(pattern, sentence, record)
        if owner is None and not segment.cellular and segment.kind != "title":
            strength *= UNANCHORED
        if strength:
            yield hit("routes", pattern.value, match.group(), strength, cap=cap)


def _read_products(sentence: str, hit, book: _Phrasebook, *, trial_level: bool) -> Iterator[_Hit]:
    lowered = sentence.lower()
    for product in book.products:
        if not may_match(product.hints, lowered):
            continue
        for match in product.regex.finditer(sentence):
            phrase = match.group()
            for value in product.cell_types:
                yield hit(
                    "cell_types", value, phrase, 0.95, product=True, supersedes=product.supersedes
                )
                yield hit("cells", "true", phrase, 0.95)
            if not trial_level:
                continue
            for value in product.cell_sources:
                yield hit("cell_sources", value, phrase, 0.95, product=True)
            if product.donor:
                yield hit(
                    "donor",
                    product.donor,
                    phrase,
                    product.donor_strength,
                    product=True,
                    cap=product.donor_cap,
                )


def _read_origin(sentence: str, hit, book: _Phrasebook, *, capitals: bool) -> Iterator[_Hit]:
    """Cell source and donor: trial-level only."""
    for pattern, match in _matches(book.sources, sentence, capitals):
        yield hit("cell_sources", pattern.value, match.group(), pattern.strength)
        if pattern.value in vocab.SOURCE_IMPLIES_DONOR:
            donor, strength = vocab.SOURCE_IMPLIES_DONOR[pattern.value]
            yield hit("donor", donor, match.group(), pattern.strength * strength)
    for pattern, match in _matches(book.donors, sentence, capitals):
        yield hit("donor", pattern.value, match.group(), pattern.strength)


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
    _spans.cache_clear()  # one study's sentences only: no study is read faster for another's
    segments = _segments(study)
    trial_text = "\n".join(segment.text for segment in segments if not segment.arm)
    record = _Record(
        surgical=bool(vocab.SURGICAL_CUE_RE.search(trial_text)),
        csf=bool(vocab.CSF_CUE_RE.search(trial_text)),
    )
    hits = [h for segment in segments for h in _read(segment, record)]
    cell_therapy = _cell_therapy_label(hits)
    if cell_therapy.value == "false":
        # Not a cell therapy: its routes are a drug's and its "cells" someone else's.
        labels = [cell_therapy, Label("donor", "unknown", "", "", UNKNOWN_CONFIDENCE)]
    else:
        labels = [cell_therapy, _donor_label(hits), *_set_labels(hits)]
    return Classification(labels=_order(study, labels))
