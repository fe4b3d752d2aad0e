"""Where the text stands: the fields of a record worth reading, each with what its phrases are
worth, leaving out placebo, sham and control interventions and arms entirely."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from trials.classify import vocab
from trials.classify.scores import WEIGHTS
from trials.registries.ctgov import enums
from trials.registries.ctgov.parse import ArmGroup, Intervention, ParsedStudy

_NO_TREATMENT = re.compile(r"^\s*no\b", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
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
    if arm.type in enums.CONTROL_ARM_TYPES:
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
) -> Iterator[Segment]:
    fields = [("name", intervention.name), ("description", intervention.description)]
    fields += [("other_names", name) for name in intervention.other_names]
    for field, text in fields:
        yield Segment(
            source=f"intervention[{j}].{field}",
            text=text,
            kind="protocol",
            weight=WEIGHTS[f"intervention.{field}"],
            cellular=cellular,
            cell_fields=cellular,
            arm=arm,
        )


def _arm_segments(i: int, arm: ArmGroup, *, cellular: bool, own: bool) -> Iterator[Segment]:
    for field, text in (("label", arm.label), ("description", arm.description)):
        yield Segment(
            source=f"arm[{i}].{field}",
            text=text,
            kind="protocol",
            weight=WEIGHTS[f"arm.{field}"],
            cellular=cellular,
            arm=arm.label if own else "",
        )


def segments_of(study: ParsedStudy) -> list[Segment]:
    """Every text worth reading, in a fixed order: trial-level first, then each cell arm's own.

    Placebo / sham / control interventions and arms are left out entirely, so nothing said about
    them (their routes above all) can become a label.
    """
    roles = [_intervention_role(intervention) for intervention in study.interventions]
    segments: list[Segment] = []
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
        segments.append(Segment(name, getattr(study, name), "title", WEIGHTS[name]))
    for keyword in study.keywords:
        segments.append(Segment("keywords", keyword, "keywords", WEIGHTS["keywords"]))
    segments.append(
        Segment("brief_summary", study.brief_summary, "summary", WEIGHTS["brief_summary"])
    )
    segments.append(
        Segment(
            "detailed_description",
            study.detailed_description,
            "detailed",
            WEIGHTS["detailed_description"],
        )
    )
    segments.append(
        Segment(
            "intervention_model_description",
            study.intervention_model_description,
            "protocol",
            WEIGHTS["intervention_model_description"],
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
