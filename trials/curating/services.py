"""Curators' writes: a curated value for one field of one trial, with who, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from trials.curating import fields as curated_fields
from trials.curating.fields import CurationError
from trials.effective import effective_values, refresh_effective_labels
from trials.models import (
    Curation,
    Trial,
    TrialChange,
)


def validate_curation_value(field_name: str, value: Any) -> Any:
    """Check a curated value against its field (trials.curating.fields) and return it normalised."""
    return curated_fields.get(field_name).clean(value)


@transaction.atomic
def curate(
    *,
    trial: Trial,
    field_name: str,
    value: Any,
    note: str,
    curator=None,
    curator_name: str = "",
    at: datetime | None = None,
) -> Curation | None:
    """Record a curator's value for one curated field (None hands it back to the automatic value).

    Any field of trials.curating.fields: the labels, `excluded`, and those other apps register.
    Records a TrialChange with the effective value before and after, the curator and the note.
    Returns the new Curation, or None when the value in force is already this one, so that
    applying the same correction twice changes nothing.
    """
    if not note or not note.strip():
        raise CurationError("a curation needs a note saying why")
    spec = curated_fields.get(field_name)
    value = spec.clean(value)
    in_force = Curation.objects.filter(trial=trial, field=field_name).order_by("-pk").first()
    if (in_force.value if in_force else None) == value:
        return None
    at = at or timezone.now()
    old = effective_values(trial)[field_name]
    curation = Curation.objects.create(
        trial=trial,
        field=field_name,
        value=value,
        note=note.strip(),
        curator=curator,
        curator_name=curator_name,
        created_at=at,
    )
    new = refresh_effective_labels(trials=[trial])[trial.pk][field_name]
    TrialChange.objects.create(
        trial=trial,
        at=at,
        kind=TrialChange.Kind.CURATION,
        field=field_name,
        old_value=old,
        new_value=new,
        curator=curator,
        curator_name=curator_name,
        note=note.strip(),
    )
    return curation
