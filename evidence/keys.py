"""The stable keys curations are stored under, so that they survive every rebuild of the rows.

Evidence rows are deleted and rebuilt whenever their trial's record changes, so a curation
cannot point at a row. It keys on what a re-import gives back unchanged: the outcome's type and
its measure as text, and the adverse-event term as text, both normalised so that a change of case
or punctuation in the registry does not lose the curator's decision. Pure: no ORM.
"""

import re

# Posted outcome measure types (API v2) → the registered outcome list they correspond to.
RESULT_TYPE_KINDS = {
    "PRIMARY": "primary",
    "SECONDARY": "secondary",
    "OTHER_PRE_SPECIFIED": "other",
    "POST_HOC": "post-hoc",
}
OUTCOME_KINDS = tuple(RESULT_TYPE_KINDS.values())


def text_key(text: str) -> str:
    """'Change in ALSFRS-R (Total)' → 'change in alsfrs r total': no case, punctuation, spacing."""
    return " ".join(re.sub(r"[\W_]+", " ", text or "").split()).casefold()


def outcome_kind(outcome_type: str) -> str:
    """'primary' for a registered primary outcome and for a posted PRIMARY measure alike."""
    kind = RESULT_TYPE_KINDS.get(outcome_type, outcome_type)
    return kind.strip().lower()


def result_types_of_kind(kind: str) -> list[str]:
    """The posted measure types (as the registry writes them) that an outcome kind covers."""
    return [t for t, k in RESULT_TYPE_KINDS.items() if k == kind] or [kind.upper()]
