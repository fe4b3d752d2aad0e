"""Curators' writes to the evidence: an outcome's domain, an adverse-event term's category.

Each is audited like a trial curation (who, when, why) and recorded in the trial's history; the
rebuild an import triggers reads them back and keeps them (`evidence.importing.build`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from evidence.importing.services import refresh_evidence_facets
from evidence.keys import OUTCOME_KINDS, outcome_kind, result_types_of_kind, text_key
from evidence.models import (
    AdverseEvent,
    DesignCuration,
    EventCategoryCuration,
    MeasureFamilyCuration,
    OutcomeDomainCuration,
    OutcomeMeasure,
    RegisteredOutcome,
)
from trials import labels
from trials.curating.fields import CurationError
from trials.models import Trial, TrialChange


def _check_note(note: str) -> str:
    if not note or not note.strip():
        raise CurationError("a curation needs a note saying why")
    return note.strip()


def _outcome_rows(trial: Trial, kind: str, key: str):
    registered = RegisteredOutcome.objects.filter(trial=trial, type=kind, measure_key=key)
    posted = OutcomeMeasure.objects.filter(
        trial=trial, type__in=result_types_of_kind(kind), measure_key=key
    )
    return registered, posted


def check_outcome_domain(
    *, trial: Trial, outcome_type: str, measure: str, domain: str | None
) -> tuple[str, str]:
    """Check a domain curation without writing anything: its (outcome kind, measure key).

    Raises CurationError for an unknown type or domain, or an outcome the trial does not have.
    """
    kind = outcome_kind(outcome_type)
    if kind not in OUTCOME_KINDS:
        raise CurationError(f"unknown outcome type {outcome_type!r}")
    if domain is not None and domain not in labels.OUTCOME_DOMAINS:
        raise CurationError(
            f"unknown outcome domain {domain!r} (one of {', '.join(labels.OUTCOME_DOMAINS)})"
        )
    key = text_key(measure)
    registered, posted = _outcome_rows(trial, kind, key)
    if not registered.exists() and not posted.exists():
        raise CurationError(f"{trial.nct_id} has no {kind} outcome {measure!r}")
    return kind, key


@transaction.atomic
def curate_outcome_domain(
    *,
    trial: Trial,
    outcome_type: str,
    measure: str,
    domain: str | None,
    note: str,
    curator=None,
    curator_name: str = "",
    at: datetime | None = None,
) -> OutcomeDomainCuration | None:
    """Set the domain of a trial's outcomes of this type and measure (None: back to automatic).

    `outcome_type` is a registered type (primary, secondary, other) or a posted one (PRIMARY,
    OTHER_PRE_SPECIFIED, POST_HOC, …); the correction applies to the registered outcome and the
    posted measure of that kind whose text is the same once case and punctuation are ignored,
    now and after every re-import. Returns the new curation, or None when this domain is already
    the one in force.
    """
    note = _check_note(note)
    kind, key = check_outcome_domain(
        trial=trial, outcome_type=outcome_type, measure=measure, domain=domain
    )
    in_force = (
        OutcomeDomainCuration.objects.filter(trial=trial, outcome_kind=kind, measure_key=key)
        .order_by("-pk")
        .first()
    )
    if (in_force.domain if in_force else "") == (domain or ""):
        return None
    at = at or timezone.now()
    curation = OutcomeDomainCuration.objects.create(
        trial=trial,
        outcome_kind=kind,
        measure_key=key,
        measure=measure,
        domain=domain or "",
        note=note,
        curator=curator,
        curator_name=curator_name,
        created_at=at,
    )
    before = after = ""
    for rows in _outcome_rows(trial, kind, key):
        before = before or (rows.values_list("domain", flat=True).first() or "")
        if domain is None:
            rows.update(domain=F("auto_domain"), domain_origin="auto")
        else:
            rows.update(domain=domain, domain_origin="curated")
        after = after or (rows.values_list("domain", flat=True).first() or "")
    refresh_evidence_facets(trial_ids=[trial.pk])
    _record_in_history(
        trials=[trial.pk],
        field="outcome_domain",
        old=f"{measure}: {before or 'none'}",
        new=f"{measure}: {after or 'none'}",
        note=note,
        curator=curator,
        curator_name=curator_name,
        at=at,
    )
    return curation


def _record_in_history(
    *, trials: Iterable[int], field: str, old: str, new: str, note: str, curator, curator_name, at
) -> None:
    """A curator's evidence correction in each affected trial's history (timeline, /changes/)."""
    TrialChange.objects.bulk_create(
        TrialChange(
            trial_id=trial_id,
            at=at,
            kind=TrialChange.Kind.CURATION,
            field=field,
            old_value=old,
            new_value=new,
            curator=curator,
            curator_name=curator_name,
            note=note,
        )
        for trial_id in sorted(trials)
    )


def check_event_category(*, term: str, category: str | None) -> str:
    """Check a category curation without writing anything: the term's key (CurationError)."""
    key = text_key(term)
    if not key:
        raise CurationError("a term is needed")
    if category is not None and category not in labels.EVENT_CATEGORIES:
        raise CurationError(
            f"unknown category {category!r} (one of {', '.join(labels.EVENT_CATEGORIES)})"
        )
    return key


@transaction.atomic
def curate_event_category(
    *,
    term: str,
    category: str | None,
    note: str,
    curator=None,
    curator_name: str = "",
    at: datetime | None = None,
) -> EventCategoryCuration | None:
    """Set the category of an adverse-event term in every trial (None: back to the CSV mapping).

    The term is matched with case and punctuation ignored, whatever its organ system; the
    correction applies now and to every event imported later. Returns the new curation, or None
    when this category is already the one in force.
    """
    note = _check_note(note)
    key = check_event_category(term=term, category=category)
    in_force = EventCategoryCuration.objects.filter(term_key=key).order_by("-pk").first()
    if (in_force.category if in_force else "") == (category or ""):
        return None
    at = at or timezone.now()
    curation = EventCategoryCuration.objects.create(
        term_key=key,
        term=term,
        category=category or "",
        note=note,
        curator=curator,
        curator_name=curator_name,
        created_at=at,
    )
    events = AdverseEvent.objects.filter(term_key=key)
    trial_ids = set(events.values_list("trial_id", flat=True))
    before = events.values_list("category", flat=True).first() or ""
    if category is None:
        events.update(category=F("auto_category"), category_origin="auto")
    else:
        events.update(category=category, category_origin="curated")
    after = events.values_list("category", flat=True).first() or ""
    refresh_evidence_facets(trial_ids=trial_ids)
    _record_in_history(
        trials=trial_ids,
        field="event_category",
        old=f"{term}: {before or 'none'}",
        new=f"{term}: {after or 'none'}",
        note=note,
        curator=curator,
        curator_name=curator_name,
        at=at,
    )
    return curation


def check_measure_family(
    *, trial: Trial, outcome_type: str, measure: str, family: str | None
) -> tuple[str, str]:
    """Check a family curation without writing: its (outcome kind, measure key), or
    CurationError for an unknown type or family, or a measure the trial did not post."""
    from evidence.synthesis.families import families_by_slug

    kind = outcome_kind(outcome_type)
    if kind not in OUTCOME_KINDS:
        raise CurationError(f"unknown outcome type {outcome_type!r}")
    known = families_by_slug()
    if family is not None and family not in known:
        raise CurationError(f"unknown measure family {family!r} (one of {', '.join(known)})")
    key = text_key(measure)
    posted = OutcomeMeasure.objects.filter(
        trial=trial, type__in=result_types_of_kind(kind), measure_key=key
    )
    if not posted.exists():
        raise CurationError(f"{trial.nct_id} posted no {kind} measure {measure!r}")
    return kind, key


@transaction.atomic
def curate_measure_family(
    *,
    trial: Trial,
    outcome_type: str,
    measure: str,
    family: str | None,
    note: str,
    curator=None,
    curator_name: str = "",
    at: datetime | None = None,
) -> MeasureFamilyCuration | None:
    """Set the measure family of a trial's posted measures of this type and text (None: back to
    the CSV's matcher), kept across re-imports. None when this family is already in force."""
    from evidence.synthesis.families import measure_family

    note = _check_note(note)
    kind, key = check_measure_family(
        trial=trial, outcome_type=outcome_type, measure=measure, family=family
    )
    in_force = (
        MeasureFamilyCuration.objects.filter(trial=trial, outcome_kind=kind, measure_key=key)
        .order_by("-pk")
        .first()
    )
    if (in_force.family if in_force else "") == (family or ""):
        return None
    posted = OutcomeMeasure.objects.filter(
        trial=trial, type__in=result_types_of_kind(kind), measure_key=key
    ).first()
    automatic = measure_family(posted.title, posted.description).slug
    at = at or timezone.now()
    curation = MeasureFamilyCuration.objects.create(
        trial=trial,
        outcome_kind=kind,
        measure_key=key,
        measure=measure,
        family=family or "",
        note=note,
        curator=curator,
        curator_name=curator_name,
        created_at=at,
    )
    before = (in_force.family if in_force and in_force.family else automatic) or "none"
    _record_in_history(
        trials=[trial.pk],
        field="measure_family",
        old=f"{measure}: {before}",
        new=f"{measure}: {family or automatic or 'none'}",
        note=note,
        curator=curator,
        curator_name=curator_name,
        at=at,
    )
    return curation


DESIGN_VALUES = {
    "control_type": ("placebo", "sham", "no treatment", "historical", "none"),
    "randomized": ("true", "false"),
    "masking": ("NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"),
}


def check_design(*, field: str, value: str | None) -> str:
    """Check a design curation without writing: the field, or CurationError."""
    if field not in DESIGN_VALUES:
        raise CurationError(f"unknown design field {field!r} (one of {', '.join(DESIGN_VALUES)})")
    if value is not None and value not in DESIGN_VALUES[field]:
        raise CurationError(
            f"{field} takes {', '.join(DESIGN_VALUES[field])} or auto, not {value!r}"
        )
    return field


@transaction.atomic
def curate_design(
    *,
    trial: Trial,
    field: str,
    value: str | None,
    note: str,
    curator=None,
    curator_name: str = "",
    at: datetime | None = None,
) -> DesignCuration | None:
    """Correct the design shown beside a trial's effects (None: back to the registry's); in the
    trial's history, kept across re-imports. None when this value is already in force."""
    note = _check_note(note)
    check_design(field=field, value=value)
    in_force = DesignCuration.objects.filter(trial=trial, field=field).order_by("-pk").first()
    if (in_force.value if in_force else "") == (value or ""):
        return None
    at = at or timezone.now()
    curation = DesignCuration.objects.create(
        trial=trial,
        field=field,
        value=value or "",
        note=note,
        curator=curator,
        curator_name=curator_name,
        created_at=at,
    )
    _record_in_history(
        trials=[trial.pk],
        field=f"design_{field}",
        old=(in_force.value if in_force and in_force.value else "registry"),
        new=value or "registry",
        note=note,
        curator=curator,
        curator_name=curator_name,
        at=at,
    )
    return curation
