"""Link the groups of a results table to the registered arms, and mark cell-therapy and control
groups. Pure: group and arm texts in, one GroupLink per group out.

Results groups (OG/EG/BG/FG) are written by the registrant after the trial and only loosely follow
the arm labels ("No Treatment" for the arm "Control group", "SB623 Implant (2.5 M)" for
"SB623 Implant (2.5M)"), so a group is matched to an arm by, in order of trust: the same words,
one containing the other, the arm's description inside the group's description, then enough
shared words. A group that matches two arms equally well, or that names a sequence of treatments
(crossover "A First/B Second", "Placebo->OL CZP"), stays unlinked.

The rules are explained in `evidence/README.md`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from trials.registries.ctgov.enums import CONTROL_ARM_TYPES

_CONTROL_RE = re.compile(
    r"\b(?:placebo|sham|controls?|no (?:treatment|intervention)|untreated|usual care"
    r"|standard (?:of )?care|best supportive care)\b",
    re.IGNORECASE,
)
# Cells named generically, or the cell products of docs/domain.md#products-people-search-for
# (and SB623, a modified MSC).
_CELL_RE = re.compile(
    r"\bcells?\b|\bstem\b|stromal|mesenchymal|progenitor|mononuclear|astrocyte|"
    r"\b(?:h?u?c?[- ]?mscs?|nscs?|mnc|adrc|svf)\b|msc[- ]ntf|nurown|lenzumestrocel|neuronata|"
    r"hynr[- ]?cs|nsi[- ]?566|cns10|astrorx|q[- ]cells|sb623",
    re.IGNORECASE,
)
_POOLED_RE = re.compile(
    r"^(?:total|overall|pooled|combined|all (?:participants|patients|subjects|groups|arms))\b",
    re.IGNORECASE,
)
_SEQUENCE_RE = re.compile(r"->|→|\bthen\b|\bfollowed by\b|\bfirst\b", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[a-z]+|\d+")
# Words that say nothing about which arm a group is.
_STOPWORDS = frozenset(
    {"a", "an", "and", "the", "of", "in", "on", "with", "for", "to", "by", "who", "received"}
    | {"arm", "arms", "group", "groups", "cohort", "patients", "participants", "subjects"}
    | {"treated", "treatment"}
)

EXACT, CONTAINS, DESCRIPTION, SHARED_WORDS = 1.0, 0.9, 0.8, 0.6
_MIN_SHARED_WORDS = 2
_MIN_OVERLAP = 0.6
_MIN_DESCRIPTION_TOKENS = 4


class GroupLike(Protocol):
    id: str
    title: str
    description: str


class ArmLike(Protocol):
    label: str
    type: str
    description: str
    intervention_names: tuple[str, ...]


@dataclass(frozen=True)
class GroupLink:
    group_id: str
    arm_label: str = ""  # the matched arm's label; "" when none matched or two matched equally
    # True: the group received the cells; False: it did not (control); None: unknown or mixed
    # (a pooled or total group, a crossover sequence, a non-cell active arm).
    is_cell_therapy_group: bool | None = None
    is_control: bool = False
    # "title" | "title-contains" | "description" | "label-words" | "shared-words" | "only-arm"
    # | "only-control-arm" | "" (not linked)
    matched_by: str = ""
    reason: str = ""  # what decided is_control / is_cell_therapy_group, for a curator


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall((text or "").lower())


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return n > 0 and any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _match(group: GroupLike, arm: ArmLike) -> tuple[float, str]:
    title, label = _tokens(group.title), _tokens(arm.label)
    if title and title == label:
        return EXACT, "title"
    if _contains(title, label) or _contains(label, title):
        return CONTAINS, "title-contains"
    arm_description = _tokens(arm.description)
    if len(arm_description) >= _MIN_DESCRIPTION_TOKENS and _contains(
        _tokens(group.description), arm_description
    ):
        return DESCRIPTION, "description"
    title_words = set(title) - _STOPWORDS
    label_words = set(label) - _STOPWORDS
    # Every word of the label in the title, numbers aside ("1 Placebo" in "Received Placebo").
    label_names = {word for word in label_words if not word.isdigit()}
    if label_names and label_names <= title_words:
        return SHARED_WORDS, "label-words"
    shared = title_words & label_words
    if (
        len(shared) >= _MIN_SHARED_WORDS
        and len(shared) / min(len(title_words), len(label_words)) >= _MIN_OVERLAP
    ):
        return SHARED_WORDS, "shared-words"
    return 0.0, ""


def _is_control_arm(arm: ArmLike) -> tuple[bool, str]:
    if arm.type in CONTROL_ARM_TYPES:
        return True, f"arm type {arm.type}"
    match = _CONTROL_RE.search(arm.label)
    return (True, f"arm label says {match.group(0)!r}") if match else (False, "")


def _cell_phrase(*texts: str) -> str:
    for text in texts:
        match = _CELL_RE.search(text or "")
        if match:
            return match.group(0)
    return ""


def is_pooled_group(title: str) -> bool:
    """A "Total" / "Overall" / "All participants" group, which pools the study's other groups."""
    return bool(_POOLED_RE.search(title or ""))


@dataclass(frozen=True)
class _Verdict:
    """What a group is, and why: the part of a GroupLink that the rules below decide."""

    is_cell_therapy_group: bool | None
    is_control: bool
    reason: str

    @classmethod
    def cells(cls, reason: str) -> _Verdict:
        return cls(True, False, reason)

    @classmethod
    def control(cls, reason: str) -> _Verdict:
        return cls(False, True, reason)

    @classmethod
    def unknown(cls, reason: str = "") -> _Verdict:
        return cls(None, False, reason)


def link_group(group: GroupLike, arms: Sequence[ArmLike]) -> GroupLink:
    """Link one results group to an arm and mark it; see the module docstring for the rules."""
    title, description = group.title or "", group.description or ""
    verdict = _unlinkable(title, description)
    arm, matched_by = None, ""
    if verdict is None:
        arm, matched_by, verdict = _matched_arm(group, arms)
    if verdict is None:
        verdict = _judge(title, description, arm)
    return GroupLink(
        group_id=group.id,
        arm_label=arm.label if arm else "",
        is_cell_therapy_group=verdict.is_cell_therapy_group,
        is_control=verdict.is_control,
        matched_by=matched_by,
        reason=verdict.reason,
    )


def _unlinkable(title: str, description: str) -> _Verdict | None:
    """The verdict on a group no arm can stand for (pooled, or a sequence of treatments)."""
    if is_pooled_group(title):
        # A pooled group is a cell group only when its own text says cells and no control.
        cell = _cell_phrase(title, description)
        if cell and not _CONTROL_RE.search(f"{title} {description}"):
            return _Verdict.cells(f"pooled group; text says {cell!r}")
        return _Verdict.unknown("pooled or total group")
    if _SEQUENCE_RE.search(title):
        return _Verdict.unknown("a sequence of treatments (crossover)")
    return None


def _matched_arm(
    group: GroupLike, arms: Sequence[ArmLike]
) -> tuple[ArmLike | None, str, _Verdict | None]:
    """The arm the group stands for and how it was matched; or, when it matches several arms
    equally, no arm and (when the arms say it) the verdict."""
    scored = [(_match(group, arm), arm) for arm in arms]
    best = max((score for (score, _), _ in scored), default=0.0)
    candidates = [(how, arm) for (score, how), arm in scored if score and score == best]
    if len(candidates) > 1:
        controls = [_is_control_arm(arm)[0] for _, arm in candidates]
        if all(controls):
            return None, "", _Verdict.control("matches only control arms")
        if any(controls):
            return None, "", _Verdict.unknown("matches a control and another arm")
        candidates = []  # several non-control arms: judge the group by its own text
    if candidates:
        return candidates[0][1], candidates[0][0], None
    return (*_only_arm(group, arms), None)


def _only_arm(group: GroupLike, arms: Sequence[ArmLike]) -> tuple[ArmLike | None, str]:
    """The arm a group that matched none must be, when only one can be."""
    if len(arms) == 1:
        return arms[0], "only-arm"  # a single-arm study: every group is that arm
    if _CONTROL_RE.search(group.title or ""):
        control_arms = [a for a in arms if _is_control_arm(a)[0]]
        if len(control_arms) == 1:  # "Sham Surgery" for the one arm "Sham Control"
            return control_arms[0], "only-control-arm"
    return None, ""


def _judge(title: str, description: str, arm: ArmLike | None) -> _Verdict:
    """Cells, control or unknown, from the arm and the group's title, then its description."""
    if arm:
        is_control, why = _is_control_arm(arm)
        if is_control:
            return _Verdict.control(why)
    title_control = _CONTROL_RE.search(title)
    if title_control:
        return _Verdict.control(f"title says {title_control.group(0)!r}")
    arm_texts = (arm.label, arm.description, *arm.intervention_names) if arm else ()
    cell = _cell_phrase(title, *arm_texts)
    if cell:
        return _Verdict.cells(f"names cells: {cell!r}")
    # The description is read last, and only when no arm settled the question: descriptions
    # often mention the comparison or an earlier period ("... on placebo treatment received ...").
    description_control = _CONTROL_RE.search(description)
    description_cell = _cell_phrase(description)
    if description_cell and not description_control:
        return _Verdict.cells(f"description names cells: {description_cell!r}")
    if description_control and not description_cell and arm is None:
        return _Verdict.control(f"description says {description_control.group(0)!r}")
    return _Verdict.unknown()


def link_groups(groups: Sequence[GroupLike], arms: Sequence[ArmLike]) -> list[GroupLink]:
    """One GroupLink per group, in the groups' order."""
    return [link_group(group, arms) for group in groups]
