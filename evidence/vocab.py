"""The fixed vocabularies of the evidence layer, as tuples of slugs in display order.

What each slug means: docs/domain.md#vocabularies.

`trials.labels` is the one home of every vocabulary (slug → label); this module keeps
the slug tuples the evidence code reads. "other" is last in both and is what anything
unrecognised gets.
"""

from trials.labels import EVENT_CATEGORIES as EVENT_CATEGORY_LABELS
from trials.labels import OUTCOME_DOMAINS as OUTCOME_DOMAIN_LABELS

OUTCOME_DOMAINS = tuple(OUTCOME_DOMAIN_LABELS)
EVENT_CATEGORIES = tuple(EVENT_CATEGORY_LABELS)

__all__ = ["EVENT_CATEGORIES", "EVENT_CATEGORY_LABELS", "OUTCOME_DOMAINS", "OUTCOME_DOMAIN_LABELS"]
