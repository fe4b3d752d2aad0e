"""Measure families and their direction of benefit (evidence/data/measure_families.csv), and
which group an effect favours. Pure: texts and numbers in, words out.

The family of a posted measure is read from its title, then its description, by the CSV's rows
in order (first match wins; patterns are case-insensitive regular expressions matched on whole
words, after punctuation is turned into spaces, as in ae_categories.csv). A curator moves one
trial's measure to another family with a curation-file row `measure_family:<kind>:<measure>`
(evidence.curating.files); the direction of a family is corrected in the CSV itself.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

FAMILIES_PATH = Path(__file__).resolve().parent.parent / "data" / "measure_families.csv"
HIGHER, LOWER = "higher", "lower"
CELL, CONTROL, NEITHER, UNKNOWN, NOT_COMPARED = (
    "cell therapy",
    "control",
    "neither",
    "direction unknown",
    "not compared",
)
_COLUMNS = ["family", "label", "better", "pattern", "note"]


@dataclass(frozen=True)
class Family:
    slug: str
    label: str
    better: str  # higher | lower: which values of the measure (or fewer/more events) are better
    pattern: str
    note: str
    regex: re.Pattern[str]


UNCLASSIFIED = Family("", "Unclassified", "", "", "", re.compile(r"(?!)"))


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text or "").split())


def load_families(path: Path = FAMILIES_PATH) -> tuple[Family, ...]:
    """Read and check the CSV; raise ValueError naming the line of a bad row."""
    families = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != _COLUMNS:
            raise ValueError(f"{path.name}: columns must be {','.join(_COLUMNS)}")
        for row in reader:
            slug = (row["family"] or "").strip()
            if not slug or slug.startswith("#"):
                continue
            where = f"{path.name} line {reader.line_num}"
            better = (row["better"] or "").strip()
            if better not in (HIGHER, LOWER):
                raise ValueError(f"{where}: better must be higher or lower, not {better!r}")
            if any(f.slug == slug for f in families):
                raise ValueError(f"{where}: family {slug!r} is listed twice")
            pattern = (row["pattern"] or "").strip()
            try:
                regex = re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"{where}: bad pattern {pattern!r}: {exc}") from exc
            label = (row["label"] or "").strip() or slug
            families.append(Family(slug, label, better, pattern, row["note"] or "", regex))
    return tuple(families)


@functools.cache
def default_families() -> tuple[Family, ...]:
    return load_families()


def families_by_slug() -> dict[str, Family]:
    return {f.slug: f for f in default_families()}


def measure_family(title: str, description: str = "") -> Family:
    """The family of a measure: the first row matching its title, else its description."""
    for text in (_normalise(title), _normalise(description)):
        for family in default_families():
            if family.regex.search(text):
                return family
    return UNCLASSIFIED


def favours(effect_measure: str, ci_low: float | None, ci_high: float | None, better: str) -> str:
    """Which group the effect favours: "neither" when its 95% CI includes no effect.

    No effect is 0 for MD and RD, 1 for RR; `better` says whether higher values (more events,
    for RR and RD) are good. A single arm's change is compared with nothing.
    """
    if effect_measure == "change":
        return NOT_COMPARED
    if ci_low is None or ci_high is None:
        return NEITHER
    null = 1.0 if effect_measure == "RR" else 0.0
    if ci_low <= null <= ci_high:
        return NEITHER
    if better not in (HIGHER, LOWER):
        return UNKNOWN
    cell_higher = ci_low > null
    return CELL if cell_higher == (better == HIGHER) else CONTROL
