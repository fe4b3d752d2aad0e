"""Registry record → Trial columns and child rows, for the upsert (pure: builds, never saves)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from trials.classify import ACCEPT, Classification
from trials.models import (
    Arm,
    AutoLabel,
    Intervention,
    Location,
    Reference,
    Trial,
)
from trials.registries.ctgov.parse import ParsedStudy

PHASE_RANKS = {"NA": 0, "EARLY_PHASE1": 1, "PHASE1": 2, "PHASE2": 3, "PHASE3": 4, "PHASE4": 5}


def _date_fields(study: ParsedStudy) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in (
        "start_date",
        "primary_completion_date",
        "completion_date",
        "first_posted",
        "last_update_posted",
        "results_first_posted",
    ):
        partial = getattr(study, name)
        values[name] = partial.value if partial else None
        values[f"{name}_precision"] = partial.precision if partial else ""
        if name in ("start_date", "primary_completion_date", "completion_date"):
            values[f"{name}_type"] = partial.type if partial else ""
    return values


def registry_fields(study: ParsedStudy) -> dict[str, Any]:
    """The Trial columns that come from the registry record (never the curated ones)."""
    return {
        "brief_title": study.brief_title,
        "official_title": study.official_title,
        "acronym": study.acronym,
        "organization": study.organization,
        "overall_status": study.overall_status,
        "last_known_status": study.last_known_status,
        "why_stopped": study.why_stopped,
        **_date_fields(study),
        "phases": list(study.phases),
        "phase_rank": max((PHASE_RANKS.get(p, 0) for p in study.phases), default=0),
        "study_type": study.study_type,
        "allocation": study.allocation,
        "intervention_model": study.intervention_model,
        "masking": study.masking,
        "primary_purpose": study.primary_purpose,
        "enrollment": study.enrollment_count,
        "enrollment_type": study.enrollment_type,
        "has_results": study.has_results,
        "lead_sponsor": study.lead_sponsor.name,
        "lead_sponsor_class": study.lead_sponsor.sponsor_class,
        "collaborators": [{"name": c.name, "class": c.sponsor_class} for c in study.collaborators],
        "conditions": list(study.conditions),
        "keywords": list(study.keywords),
        "brief_summary": study.brief_summary,
        "detailed_description": study.detailed_description,
        "sex": study.sex,
        "minimum_age": study.minimum_age,
        "maximum_age": study.maximum_age,
        "healthy_volunteers": study.healthy_volunteers,
        "eligibility_criteria": study.eligibility_criteria,
        "officials": [
            {"name": o.name, "affiliation": o.affiliation, "role": o.role} for o in study.officials
        ],
        "countries": study.countries,
        "search_text": _search_text(study),
        "text_hash": _text_hash(study),
        "version_date": study.version_date,
    }


def _search_text(study: ParsedStudy) -> str:
    parts = [
        *study.conditions,
        *study.keywords,
        study.lead_sponsor.name,
        *(c.name for c in study.collaborators),
        *(f"{i.name} {' '.join(i.other_names)} {i.description}" for i in study.interventions),
        *(f"{a.label} {a.description}" for a in study.arms),
    ]
    return "\n".join(p for p in parts if p)


def _text_hash(study: ParsedStudy) -> str:
    """A hash of the free text the classifier reads: when it changes, a review is due again."""
    text = {
        "titles": [study.brief_title, study.official_title, study.acronym],
        "keywords": list(study.keywords),
        "summary": study.brief_summary,
        "description": study.detailed_description,
        "arms": [[a.label, a.type, a.description, list(a.intervention_names)] for a in study.arms],
        "interventions": [
            [i.type, i.name, i.description, list(i.other_names), list(i.arm_labels)]
            for i in study.interventions
        ],
    }
    canonical = json.dumps(text, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def auto_fields(classification: Classification) -> dict[str, Any]:
    return {
        "auto_is_cell_therapy": classification.is_cell_therapy,
        "auto_donor": classification.donor,
    }


def child_rows(trial: Trial, study: ParsedStudy, classification: Classification):
    """The child rows of one saved trial, as column dicts for trials.importing.bulk.insert_rows."""
    t = trial.pk
    return {
        Arm: [
            {
                "trial_id": t,
                "position": i,
                "label": a.label,
                "type": a.type,
                "description": a.description,
                "intervention_names": list(a.intervention_names),
            }
            for i, a in enumerate(study.arms)
        ],
        Intervention: [
            {
                "trial_id": t,
                "position": i,
                "type": iv.type,
                "name": iv.name,
                "description": iv.description,
                "other_names": list(iv.other_names),
                "arm_labels": list(iv.arm_labels),
            }
            for i, iv in enumerate(study.interventions)
        ],
        Location: [
            {
                "trial_id": t,
                "position": i,
                "facility": loc.facility,
                "city": loc.city,
                "state": loc.state,
                "country": loc.country,
                "status": loc.status,
            }
            for i, loc in enumerate(study.locations)
        ],
        Reference: [
            {"trial_id": t, "position": i, "pmid": r.pmid, "type": r.type, "citation": r.citation}
            for i, r in enumerate(study.references)
        ],
        AutoLabel: [
            {
                "trial_id": t,
                "field": label.field,
                "value": label.value,
                "arm": label.arm,
                "phrase": label.phrase,
                "source": label.source,
                "confidence": label.confidence,
                "accepted": label.confidence >= ACCEPT,
            }
            for label in classification.labels
        ],
    }
