"""The design beside every effect: randomized, masking, control type. Pure: texts in, words out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

PLACEBO, SHAM, NO_TREATMENT, HISTORICAL, NONE = (
    "placebo",
    "sham",
    "no treatment",
    "historical",
    "none",
)
CONTROL_TYPES = (PLACEBO, SHAM, NO_TREATMENT, HISTORICAL, NONE)

_ARM_TYPES = {
    "PLACEBO_COMPARATOR": PLACEBO,
    "SHAM_COMPARATOR": SHAM,
    "NO_INTERVENTION": NO_TREATMENT,
}
# Read in this order: a "placebo (sham surgery)" group is a placebo, as its registrant says first.
_TEXTS = (
    (HISTORICAL, re.compile(r"\bhistorical|\bnatural history|\bexternal control", re.I)),
    (PLACEBO, re.compile(r"\bplacebo", re.I)),
    (SHAM, re.compile(r"\bsham\b", re.I)),
    (
        NO_TREATMENT,
        re.compile(
            r"\bno (?:treatment|intervention)|\buntreated|\busual care|\bstandard (?:of )?care"
            r"|\bbest supportive care|\bcontrols?\b",
            re.I,
        ),
    ),
)


@dataclass(frozen=True)
class ArmText:
    type: str
    label: str
    description: str = ""


def control_type(arms: Iterable[ArmText], control_titles: Iterable[str] = ()) -> str:
    """What the cell-therapy groups were compared with: the arm types first, then the words of
    the control arms and groups; "none" when nothing says there was a control."""
    arms = list(arms)
    for arm in arms:
        if arm.type in _ARM_TYPES:
            return _ARM_TYPES[arm.type]
    texts = [f"{a.label} {a.description}" for a in arms if a.type != "EXPERIMENTAL"]
    texts += list(control_titles)
    for kind, pattern in _TEXTS:
        if any(pattern.search(t) for t in texts):
            return kind
    return NONE


def randomized(allocation: str) -> bool | None:
    """RANDOMIZED → True; NON_RANDOMIZED or NA (one group) → False; not given → None."""
    if allocation == "RANDOMIZED":
        return True
    return False if allocation in {"NON_RANDOMIZED", "NA"} else None


def blinded(masking: str) -> bool:
    """Masking of at least one party (SINGLE, DOUBLE, TRIPLE, QUADRUPLE)."""
    return masking in {"SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"}
