"""The outcomes a trial registered, read straight from its registry record.

A stop-gap for the trial page: the evidence app will hold outcomes (with their domains and posted
results) in its own models and replace this module and its one include,
templates/trials/_registered_outcomes.html. Pure: a registry record in, plain data out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = (
    ("primaryOutcomes", "primary"),
    ("secondaryOutcomes", "secondary"),
    ("otherOutcomes", "other"),
)


@dataclass(frozen=True)
class RegisteredOutcome:
    kind: str  # primary, secondary or other
    measure: str
    description: str
    time_frame: str


def registered_outcomes(raw_record: dict[str, Any] | None) -> list[RegisteredOutcome]:
    """Primary, then secondary, then other outcomes, in the registry's order."""
    module = ((raw_record or {}).get("protocolSection") or {}).get("outcomesModule") or {}
    outcomes = []
    for key, kind in KINDS:
        for item in module.get(key) or []:
            if not isinstance(item, dict) or not str(item.get("measure") or "").strip():
                continue
            outcomes.append(
                RegisteredOutcome(
                    kind=kind,
                    measure=str(item["measure"]).strip(),
                    description=str(item.get("description") or "").strip(),
                    time_frame=str(item.get("timeFrame") or "").strip(),
                )
            )
    return outcomes
