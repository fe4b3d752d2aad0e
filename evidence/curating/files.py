"""Outcome domains and adverse-event categories in curation files (trials.curating.files).

Registered from EvidenceConfig.ready() as two file-field handlers:

- `outcome_domain:<kind>:<measure>` with the trial's `nct_id`: the domain of its outcomes of
  that kind (primary, secondary, other, post-hoc) and measure text (case and punctuation
  ignored), as `curate_outcome_domain` sets it;
- `event_category:<term>` with `nct_id` empty: the category of the term in every trial, as
  `curate_event_category` sets it.

`value` is a slug of trials.labels.OUTCOME_DOMAINS / EVENT_CATEGORIES, or `auto` to hand the
value back to the classifier.

- `measure_family:<kind>:<measure>` with the trial's `nct_id`: the measure family
  (evidence/data/measure_families.csv) of its posted measures of that kind and text, which
  decides how their effects are read and pooled, as `curate_measure_family` sets it (`auto`: back
  to the CSV's matcher);
- `design:<control_type|randomized|masking>` with the trial's `nct_id`: the design shown beside
  its effects (control_type: placebo, sham, no treatment, historical, none; randomized: true,
  false; masking: NONE … QUADRUPLE), as `curate_design` sets it (`auto`: the registry's);
- `published_result:<key>:<cleared|preferred>` with the trial's `nct_id`, value `true` or
  `false`: clear a flagged published result for pooling, or prefer it over the registry's
  numbers (`<key>`: the first 12 or more characters of the row's key, shown in the admin), as
  `evidence.curating.published.clear_published_result` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Q

from evidence.curating import published, services
from evidence.models import (
    DesignCuration,
    EventCategoryCuration,
    MeasureFamilyCuration,
    OutcomeDomainCuration,
    PublishedResult,
)
from trials.curating.fields import AUTO, CurationError
from trials.extensions import FileFieldHandler
from trials.models import Trial

OUTCOME_DOMAIN = "outcome_domain"
EVENT_CATEGORY = "event_category"
MEASURE_FAMILY = "measure_family"
DESIGN = "design"
PUBLISHED = "published_result"
KEY_LENGTH = 12  # of PublishedResult.key: enough to name one row of an extraction


def _slug(text: str) -> str | None:
    text = text.strip()
    return None if text.lower() == AUTO else text


def _split_outcome(target: str, prefix: str = OUTCOME_DOMAIN) -> tuple[str, str]:
    kind, sep, measure = target.partition(":")
    if not sep or not measure.strip():
        raise CurationError(f"write the field as {prefix}:<primary|secondary|other>:<measure>")
    return kind.strip(), measure.strip()


def check_outcome_domain(*, trial: Trial, target: str, text: str) -> tuple[Any, str | None]:
    kind, measure = _split_outcome(target)
    domain = _slug(text)
    kind, key = services.check_outcome_domain(
        trial=trial, outcome_type=kind, measure=measure, domain=domain
    )
    return (kind, key), domain


def apply_outcome_domain(
    *, trial: Trial, target: str, value: str | None, note: str, curator_name: str, at: datetime
) -> bool:
    kind, measure = _split_outcome(target)
    curation = services.curate_outcome_domain(
        trial=trial,
        outcome_type=kind,
        measure=measure,
        domain=value,
        note=note,
        curator_name=curator_name,
        at=at,
    )
    return curation is not None


def export_outcome_domains() -> Iterator[list[str]]:
    curations = (
        OutcomeDomainCuration.objects.current()
        .exclude(domain="")
        .select_related("trial", "curator")
        .order_by("trial__nct_id", "outcome_kind", "measure_key")
    )
    for c in curations:
        field = f"{OUTCOME_DOMAIN}:{c.outcome_kind}:{c.measure}"
        yield [c.trial.nct_id, field, c.domain, c.note, c.who]


def check_event_category(*, trial: None, target: str, text: str) -> tuple[Any, str | None]:
    category = _slug(text)
    return services.check_event_category(term=target, category=category), category


def apply_event_category(
    *, trial: None, target: str, value: str | None, note: str, curator_name: str, at: datetime
) -> bool:
    curation = services.curate_event_category(
        term=target, category=value, note=note, curator_name=curator_name, at=at
    )
    return curation is not None


def export_event_categories() -> Iterator[list[str]]:
    curations = (
        EventCategoryCuration.objects.current()
        .exclude(category="")
        .select_related("curator")
        .order_by("term_key")
    )
    for c in curations:
        yield ["", f"{EVENT_CATEGORY}:{c.term}", c.category, c.note, c.who]


def check_measure_family(*, trial: Trial, target: str, text: str) -> tuple[Any, str | None]:
    kind, measure = _split_outcome(target, MEASURE_FAMILY)
    family = _slug(text)
    kind, key = services.check_measure_family(
        trial=trial, outcome_type=kind, measure=measure, family=family
    )
    return (MEASURE_FAMILY, kind, key), family


def apply_measure_family(
    *, trial: Trial, target: str, value: str | None, note: str, curator_name: str, at: datetime
) -> bool:
    kind, measure = _split_outcome(target, MEASURE_FAMILY)
    curation = services.curate_measure_family(
        trial=trial,
        outcome_type=kind,
        measure=measure,
        family=value,
        note=note,
        curator_name=curator_name,
        at=at,
    )
    return curation is not None


def export_measure_families() -> Iterator[list[str]]:
    curations = (
        MeasureFamilyCuration.objects.current()
        .exclude(family="")
        .select_related("trial", "curator")
        .order_by("trial__nct_id", "outcome_kind", "measure_key")
    )
    for c in curations:
        field = f"{MEASURE_FAMILY}:{c.outcome_kind}:{c.measure}"
        yield [c.trial.nct_id, field, c.family, c.note, c.who]


def check_design(*, trial: Trial, target: str, text: str) -> tuple[Any, str | None]:
    value = _slug(text)
    return (DESIGN, services.check_design(field=target, value=value)), value


def apply_design(
    *, trial: Trial, target: str, value: str | None, note: str, curator_name: str, at: datetime
) -> bool:
    curation = services.curate_design(
        trial=trial, field=target, value=value, note=note, curator_name=curator_name, at=at
    )
    return curation is not None


def export_designs() -> Iterator[list[str]]:
    curations = (
        DesignCuration.objects.current()
        .exclude(value="")
        .select_related("trial", "curator")
        .order_by("trial__nct_id", "field")
    )
    for c in curations:
        yield [c.trial.nct_id, f"{DESIGN}:{c.field}", c.value, c.note, c.who]


def _published_target(target: str) -> tuple[PublishedResult, str]:
    key, sep, what = target.rpartition(":")
    if not sep or what not in ("cleared", "preferred") or len(key.strip()) < KEY_LENGTH:
        raise CurationError(
            f"write the field as {PUBLISHED}:<the row's key, {KEY_LENGTH}+ characters>:"
            "<cleared|preferred>"
        )
    rows = list(PublishedResult.objects.filter(key__startswith=key.strip().lower())[:2])
    if len(rows) != 1:
        raise CurationError(f"no single published result has the key {key.strip()!r}")
    return rows[0], what


def _boolean(text: str) -> bool:
    text = text.strip().lower()
    if text not in ("true", "false"):
        raise CurationError(f"the value is true or false, not {text!r}")
    return text == "true"


def check_published(*, trial: Trial, target: str, text: str) -> tuple[Any, bool]:
    row, what = _published_target(target)
    if row.trial_id != trial.pk:
        raise CurationError(f"that published result is not one of {trial.nct_id}'s")
    return (PUBLISHED, row.pk, what), _boolean(text)


def apply_published(
    *, trial: Trial, target: str, value: bool, note: str, curator_name: str, at: datetime
) -> bool:
    row, what = _published_target(target)
    return published.clear_published_result(
        result=row, **{what: value}, note=note, curator_name=curator_name, at=at
    )


def export_published() -> Iterator[list[str]]:
    rows = PublishedResult.objects.filter(Q(cleared=True) | Q(preferred=True)).select_related(
        "trial"
    )
    for r in rows.order_by("trial__nct_id", "row_number"):
        for what in ("cleared", "preferred"):
            if getattr(r, what):
                field = f"{PUBLISHED}:{r.key[:KEY_LENGTH]}:{what}"
                yield [r.trial.nct_id, field, "true", r.curator_note, r.curator_name]


HANDLERS = [
    FileFieldHandler(
        prefix=OUTCOME_DOMAIN,
        needs_trial=True,
        check=check_outcome_domain,
        apply=apply_outcome_domain,
        export=export_outcome_domains,
    ),
    FileFieldHandler(
        prefix=EVENT_CATEGORY,
        needs_trial=False,
        check=check_event_category,
        apply=apply_event_category,
        export=export_event_categories,
    ),
    FileFieldHandler(
        prefix=MEASURE_FAMILY,
        needs_trial=True,
        check=check_measure_family,
        apply=apply_measure_family,
        export=export_measure_families,
    ),
    FileFieldHandler(
        prefix=DESIGN,
        needs_trial=True,
        check=check_design,
        apply=apply_design,
        export=export_designs,
    ),
    FileFieldHandler(
        prefix=PUBLISHED,
        needs_trial=True,
        check=check_published,
        apply=apply_published,
        export=export_published,
    ),
]
