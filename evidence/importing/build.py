"""One registry record → the evidence rows of its trial, as column dicts. No queries.

The pure layer does the reading (`parse_evidence`), the classifying (`classify_outcome_domain`,
`categorize_event`) and the group linking (`link_groups`); this module turns its dataclasses into
rows of the evidence models and applies the curations in force, so that a rebuilt row carries the
curator's value whenever there is one, with the automatic value, its phrase and confidence kept
beside it. Rows are dicts keyed by column, not model instances, because the service inserts them
with `trials.importing.bulk.insert_rows` (see there why); a child refers to its parent's dict by
`Ref`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models

from evidence.classify import EventCategory, categorize_event, classify_outcome_domain
from evidence.importing.ahead import Domains
from evidence.importing.groups import GroupLink, is_pooled_group, link_groups
from evidence.importing.parse import parse_evidence
from evidence.importing.parsed import AdverseEvents, OutcomeResult, ParsedEvidence, RegistryNumber
from evidence.keys import outcome_kind, text_key
from evidence.models import (
    AdverseEvent,
    AdverseEventCount,
    EventGroup,
    OutcomeAnalysis,
    OutcomeDenom,
    OutcomeGroup,
    OutcomeMeasure,
    OutcomeMeasurement,
    RegisteredOutcome,
    TrialEvidence,
)
from trials.importing.bulk import Ref
from trials.models import Trial

# Parents before children: the order rows are inserted in (and, reversed, deleted in).
INSERT_ORDER: tuple[type[models.Model], ...] = (
    TrialEvidence,
    RegisteredOutcome,
    OutcomeMeasure,
    EventGroup,
    AdverseEvent,
    OutcomeGroup,
    OutcomeAnalysis,
    OutcomeDenom,
    OutcomeMeasurement,
    AdverseEventCount,
)
# The rows other rows refer to: their new ids are read back when inserted.
PARENTS = frozenset({OutcomeMeasure, OutcomeGroup, EventGroup, AdverseEvent})


@dataclass
class Curations:
    """The curations in force that a batch's rows must carry."""

    # (trial id, outcome kind, normalised measure) → domain
    domains: dict[tuple[int, str, str], str] = field(default_factory=dict)
    # normalised term → category
    categories: dict[str, str] = field(default_factory=dict)


class Builder:
    """Builds the rows of a batch of trials; caches the term categories the batch repeats."""

    def __init__(
        self, *, curations: Curations, now: datetime, domains: Mapping[str, Domains] | None = None
    ):
        self.curations = curations
        # content hash → domains classified ahead (evidence.importing.ahead)
        self.domains = domains or {}
        self.now = now
        self.rows: dict[type[models.Model], list[dict[str, Any]]] = defaultdict(list)
        self._categories: dict[tuple[str, str], EventCategory] = {}

    def add(self, trial: Trial, record: dict[str, Any]) -> ParsedEvidence:
        evidence = parse_evidence(record)
        events = evidence.adverse_events
        self.rows[TrialEvidence].append(
            {
                "trial_id": trial.pk,
                "content_hash": trial.content_hash,
                "built_at": self.now,
                "has_results": evidence.has_results,
                "has_adverse_events": events is not None,
                "ae_frequency_threshold": _text(events.frequency_threshold) if events else "",
                "ae_time_frame": events.time_frame if events else "",
                "ae_description": events.description if events else "",
                "all_cause_mortality_comment": events.all_cause_mortality_comment if events else "",
                "warnings": list(evidence.warnings),
            }
        )
        for order, outcome in enumerate(evidence.registered_outcomes):
            self.rows[RegisteredOutcome].append(
                dict(
                    trial_id=trial.pk,
                    order=order,
                    type=outcome.type,
                    position=outcome.position,
                    measure=outcome.measure,
                    description=outcome.description,
                    time_frame=outcome.time_frame,
                    **self._domain(trial, outcome.type, outcome.measure, outcome.description),
                )
            )
        for result in evidence.outcome_results:
            self._add_result(trial, result, evidence)
        if events is not None:
            self._add_events(trial, events, evidence)
        return evidence

    def _domain(self, trial: Trial, outcome_type: str, measure: str, description: str):
        ahead = self.domains.get(trial.content_hash)
        label = ahead.get((measure, description)) if ahead else None
        if label is None:
            label = classify_outcome_domain(measure, description)
        key = text_key(measure)
        curated = self.curations.domains.get((trial.pk, outcome_kind(outcome_type), key))
        return {
            "measure_key": key,
            "domain": curated or label.domain,
            "domain_origin": "curated" if curated else "auto",
            "auto_domain": label.domain,
            "domain_phrase": label.phrase,
            "domain_source": label.source,
            "domain_confidence": label.confidence,
        }

    def _add_result(self, trial: Trial, result: OutcomeResult, evidence: ParsedEvidence) -> None:
        measure = dict(
            trial_id=trial.pk,
            position=result.position,
            type=result.type,
            title=result.title,
            description=result.description,
            population_description=result.population_description,
            reporting_status=result.reporting_status,
            anticipated_posting_date=result.anticipated_posting_date,
            param_type=result.param_type,
            dispersion_type=result.dispersion_type,
            unit_of_measure=result.unit_of_measure,
            calculate_pct=result.calculate_pct,
            time_frame=result.time_frame,
            type_units_analyzed=result.type_units_analyzed,
            denom_units_selected=result.denom_units_selected,
            **self._domain(trial, result.type, result.title, result.description),
        )
        self.rows[OutcomeMeasure].append(measure)
        links = link_groups(result.groups, evidence.arms)
        groups: dict[str, dict[str, Any]] = {}
        for position, (group, link) in enumerate(zip(result.groups, links, strict=True)):
            row = dict(
                trial_id=trial.pk,
                measure_id=Ref(measure),
                position=position,
                registry_id=group.id,
                title=group.title,
                description=group.description,
                **_link_fields(link, group.title),
            )
            self.rows[OutcomeGroup].append(row)
            groups.setdefault(group.id, row)  # an id given twice: values belong to the first

        denom_position = 0
        blocks = [(None, result.denoms)] + [(i, c.denoms) for i, c in enumerate(result.classes)]
        for class_index, denoms in blocks:
            for denom in denoms:
                for count in denom.counts:
                    text, value, _ = _number(count.value)
                    self.rows[OutcomeDenom].append(
                        {
                            "trial_id": trial.pk,
                            "measure_id": Ref(measure),
                            "group_id": _ref(groups.get(count.group_id)),
                            "group_registry_id": count.group_id,
                            "class_index": class_index,
                            "position": denom_position,
                            "units": denom.units,
                            "value_text": text,
                            "value": value,
                        }
                    )
                    denom_position += 1

        position = 0
        for class_index, measure_class in enumerate(result.classes):
            for category_index, category in enumerate(measure_class.categories):
                for m in category.measurements:
                    value_text, value, qualifier = _number(m.value)
                    spread_text, spread, _ = _number(m.spread)
                    lower_text, lower, _ = _number(m.lower_limit)
                    upper_text, upper, _ = _number(m.upper_limit)
                    self.rows[OutcomeMeasurement].append(
                        {
                            "trial_id": trial.pk,
                            "measure_id": Ref(measure),
                            "group_id": _ref(groups.get(m.group_id)),
                            "group_registry_id": m.group_id,
                            "position": position,
                            "class_index": class_index,
                            "class_title": measure_class.title,
                            "category_index": category_index,
                            "category_title": category.title,
                            "value_text": value_text,
                            "value": value,
                            "value_qualifier": qualifier,
                            "spread_text": spread_text,
                            "spread": spread,
                            "lower_limit_text": lower_text,
                            "lower_limit": lower,
                            "upper_limit_text": upper_text,
                            "upper_limit": upper,
                            "comment": m.comment,
                        }
                    )
                    position += 1

        for position, a in enumerate(result.analyses):
            param_text, param_value, _ = _number(a.param_value)
            dispersion_text, dispersion_value, _ = _number(a.dispersion_value)
            p_text, p_value, p_qualifier = _number(a.p_value)
            lower_text, lower, _ = _number(a.ci_lower_limit)
            upper_text, upper, _ = _number(a.ci_upper_limit)
            self.rows[OutcomeAnalysis].append(
                {
                    "trial_id": trial.pk,
                    "measure_id": Ref(measure),
                    "position": position,
                    "group_ids": list(a.group_ids),
                    "group_description": a.group_description,
                    "param_type": a.param_type,
                    "param_value_text": param_text,
                    "param_value": param_value,
                    "dispersion_type": a.dispersion_type,
                    "dispersion_value_text": dispersion_text,
                    "dispersion_value": dispersion_value,
                    "statistical_method": a.statistical_method,
                    "statistical_comment": a.statistical_comment,
                    "p_value_text": p_text,
                    "p_value": p_value,
                    "p_value_qualifier": p_qualifier,
                    "p_value_comment": a.p_value_comment,
                    "ci_pct_value": a.ci_pct_value.value if a.ci_pct_value else None,
                    "ci_num_sides": a.ci_num_sides,
                    "ci_lower_limit_text": lower_text,
                    "ci_lower_limit": lower,
                    "ci_upper_limit_text": upper_text,
                    "ci_upper_limit": upper,
                    "ci_lower_limit_comment": a.ci_lower_limit_comment,
                    "ci_upper_limit_comment": a.ci_upper_limit_comment,
                    "estimate_comment": a.estimate_comment,
                    "tested_non_inferiority": a.tested_non_inferiority,
                    "non_inferiority_type": a.non_inferiority_type,
                    "non_inferiority_comment": a.non_inferiority_comment,
                    "other_analysis_description": a.other_analysis_description,
                }
            )

    def _add_events(self, trial: Trial, events: AdverseEvents, evidence: ParsedEvidence) -> None:
        links = link_groups(events.groups, evidence.arms)
        groups: dict[str, dict[str, Any]] = {}
        for position, (group, link) in enumerate(zip(events.groups, links, strict=True)):
            row = dict(
                trial_id=trial.pk,
                position=position,
                registry_id=group.id,
                title=group.title,
                description=group.description,
                deaths_num_affected=group.deaths_num_affected,
                deaths_num_at_risk=group.deaths_num_at_risk,
                serious_num_affected=group.serious_num_affected,
                serious_num_at_risk=group.serious_num_at_risk,
                other_num_affected=group.other_num_affected,
                other_num_at_risk=group.other_num_at_risk,
                **_link_fields(link, group.title),
            )
            self.rows[EventGroup].append(row)
            groups.setdefault(group.id, row)

        for position, event in enumerate(events.events):
            auto = self._category(event.term, event.organ_system)
            key = text_key(event.term)
            curated = self.curations.categories.get(key)
            row = {
                "trial_id": trial.pk,
                "position": position,
                "term": event.term,
                "term_key": key,
                "serious": event.serious,
                "organ_system": event.organ_system,
                "source_vocabulary": event.source_vocabulary,
                "assessment_type": event.assessment_type,
                "notes": event.notes,
                "is_legacy_total_row": event.is_legacy_total_row,
                "category": curated or auto.category,
                "category_origin": "curated" if curated else "auto",
                "auto_category": auto.category,
                "category_pattern": auto.matched_pattern,
            }
            self.rows[AdverseEvent].append(row)
            for stat_position, stat in enumerate(event.stats):
                self.rows[AdverseEventCount].append(
                    {
                        "trial_id": trial.pk,
                        "event_id": Ref(row),
                        "group_id": _ref(groups.get(stat.group_id)),
                        "group_registry_id": stat.group_id,
                        "position": stat_position,
                        "num_events": stat.num_events,
                        "num_affected": stat.num_affected,
                        "num_at_risk": stat.num_at_risk,
                    }
                )

    def _category(self, term: str, organ_system: str) -> EventCategory:
        key = (term, organ_system)
        if key not in self._categories:
            self._categories[key] = categorize_event(term, organ_system)
        return self._categories[key]


def _ref(row: dict[str, Any] | None) -> Ref | None:
    """A group id the registry gives but no group declares: kept, without a link (None)."""
    return Ref(row) if row is not None else None


def _link_fields(link: GroupLink, title: str) -> dict[str, Any]:
    return {
        "arm_label": link.arm_label,
        "is_cell_therapy_group": link.is_cell_therapy_group,
        "is_control": link.is_control,
        "is_pooled": is_pooled_group(title),
        "matched_by": link.matched_by,
        "link_reason": link.reason,
    }


def _number(number: RegistryNumber | None) -> tuple[str, float | None, str]:
    if number is None:
        return "", None, ""
    return number.text, number.value, number.qualifier


def _text(number: RegistryNumber | None) -> str:
    return number.text if number else ""
