"""What the import's classify worker prepares for the evidence, ahead of the write.

Classifying the outcome domains of a record's measures is the largest pure part of rebuilding its
evidence; the sync's worker process (trials.importing.pipeline) does it while an earlier page is
written, and the evidence rebuild takes the labels from here instead of classifying again. Pure and
free of Django: the worker runs it without setting Django up.
"""

from __future__ import annotations

from typing import Any

from evidence.classify import DomainLabel, classify_outcome_domain
from evidence.importing.parse import parse_evidence

# (measure title, description) → its automatic domain label
Domains = dict[tuple[str, str], DomainLabel]


def outcome_domains(record: dict[str, Any]) -> Domains:
    """The automatic domain of every registered outcome and posted result measure of a record."""
    evidence = parse_evidence(record)
    texts = [(o.measure, o.description) for o in evidence.registered_outcomes]
    texts += [(r.title, r.description) for r in evidence.outcome_results]
    return {text: classify_outcome_domain(*text) for text in texts}
