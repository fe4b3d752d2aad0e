"""From hits to labels: the best phrase decides each value, other kinds of source corroborate,
and a few rules keep doubtful values below ACCEPT (RULES.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from trials.classify.scores import (
    ACCEPT,
    CORROBORATION,
    CORROBORATION_MIN,
    MAX_CONFIDENCE,
    STANDING,
    SUGGEST,
    SUPERSEDED,
    UNKNOWN_CONFIDENCE,
)
from trials.labels import LABEL_FIELDS
from trials.registries.ctgov.parse import ParsedStudy

FIELDS = tuple(LABEL_FIELDS)


@dataclass(frozen=True)
class Label:
    field: str  # one of FIELDS
    value: str  # a docs/domain.md#vocabularies slug; for is_cell_therapy "true"/"false"
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


class Hit(NamedTuple):
    """One phrase read in one place (reading.py): a candidate value, and what it scores there."""

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


def _aggregate(hits: list[Hit]) -> tuple[float, Hit]:
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


def _standing(hits: list[Hit]) -> int:
    """The highest standing of a source that says it plainly (not in passing, not background)."""
    return max((STANDING[h.kind] for h in hits if h.score >= CORROBORATION_MIN), default=-1)


def _group(hits: Iterable[Hit]) -> dict[tuple[str, str, str], list[Hit]]:
    groups: dict[tuple[str, str, str], list[Hit]] = {}
    for h in hits:
        groups.setdefault((h.field, h.value, h.arm), []).append(h)
    return groups


def _label(confidence: float, best: Hit, field: str = "", value: str = "") -> Label:
    return Label(
        field=field or best.field,
        value=value or best.value,
        phrase=best.phrase,
        source=best.source,
        confidence=confidence,
        arm=best.arm,
    )


def _set_labels(hits: list[Hit]) -> list[Label]:
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


def _donor_label(hits: list[Hit]) -> Label:
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


def _cell_therapy_label(hits: list[Hit]) -> Label:
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


def decide(study: ParsedStudy, hits: list[Hit]) -> Classification:
    """The labels of a study from everything read in it, in a fixed order."""
    cell_therapy = _cell_therapy_label(hits)
    if cell_therapy.value == "false":
        # Not a cell therapy: its routes are a drug's and its "cells" someone else's.
        labels = [cell_therapy, Label("donor", "unknown", "", "", UNKNOWN_CONFIDENCE)]
    else:
        labels = [cell_therapy, _donor_label(hits), *_set_labels(hits)]
        if not any(
            label.field == "cell_types" and not label.arm and label.confidence >= ACCEPT
            for label in labels
        ):
            labels.append(_unnamed_cells(cell_therapy))
    return Classification(labels=_order(study, labels))


def _unnamed_cells(cell_therapy: Label) -> Label:
    """A cell therapy always has a cell type: when the record names none that the tables know
    (a new product, "T cell injection", "bone marrow stem cells"), it is other-cell, decided by
    the phrase that made it a cell therapy, at ACCEPT so that a curator sees how little it is."""
    return Label("cell_types", "other-cell", cell_therapy.phrase, cell_therapy.source, ACCEPT)
