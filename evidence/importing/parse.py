"""Registry JSON (API v2 study) in, evidence dataclasses out: registered outcomes, posted outcome
results, adverse events, and the groups and arms needed to link them. Pure: no ORM, no network,
no classification (that is `evidence.classify` and `evidence.importing.groups`).

Tolerant like `trials.registries.ctgov.parse`, through the same lenient reader
(trials.registries.json_reader: what it keeps, cleans and bounds): a missing module gives empty
values; a value of the wrong type is kept when it can be (a number as text) and skipped or left
empty otherwise; an unknown enum value is kept as written; each is reported in
`ParsedEvidence.warnings` (and logged). The arms are read by the trials parser's `arm_groups`.
Only a record that is not a JSON object is rejected. Every registry row is kept, in the
registry's order, even when it looks odd (e.g. the "Total, all-cause mortality" rows of records
converted from the legacy XML): counting rows here must give the registry's counts.

Numbers are kept as the registry wrote them (`RegistryNumber.text`: "12.5", "NA", "<0.001") with
the number read from them; fields the API types as integers (event counts) are ints.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from evidence.importing import enums
from evidence.importing.parsed import (
    AdverseEvent,
    AdverseEvents,
    Analysis,
    Denom,
    DenomCount,
    EventGroup,
    EventStats,
    MeasureCategory,
    MeasureClass,
    Measurement,
    OutcomeResult,
    ParsedEvidence,
    RegisteredOutcome,
    RegistryNumber,
    ResultGroup,
)
from trials.registries.ctgov.parse import RecordRejected, arm_groups, nct_id_of
from trials.registries.json_reader import ID, SHORT_TEXT, TITLE, LenientReader

logger = logging.getLogger(__name__)

_NUMBER_RE = re.compile(
    r"^(<=|>=|≤|≥|<|>|=)?\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)$",
)
_QUALIFIERS = {"≤": "<=", "≥": ">=", "=": ""}
# The widths of the evidence's code and short text columns beyond CODE (evidence.models).
_TYPE_WIDTH, _WIDE_CODE, _DATE_TEXT = 30, 40, 20
_REGISTERED_OUTCOME_LISTS = (
    ("primary", "primaryOutcomes"),
    ("secondary", "secondaryOutcomes"),
    ("other", "otherOutcomes"),
)


def read_number(raw: Any) -> RegistryNumber | None:
    """'12.5', '-3', '1e-4', '<0.001', '=0.247', 'NA' → RegistryNumber; None when nothing was given.

    Text that is not a number ('NA', 'not estimable') keeps its text with value None. A JSON number
    (the API sends strings, but tolerance costs nothing) is kept as its text form.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        text = repr(raw) if isinstance(raw, float) else str(raw)
    elif isinstance(raw, str):
        text = raw.strip()
    else:
        return None
    if not text:
        return None
    match = _NUMBER_RE.match(text)
    if not match:
        return RegistryNumber(text=text)
    qualifier, number = match.groups()
    qualifier = _QUALIFIERS.get(qualifier, qualifier) if qualifier else ""
    return RegistryNumber(text=text, value=float(number), qualifier=qualifier)


class _Reader(LenientReader):
    """The lenient reader (trials.registries.json_reader), with the registry's numbers and the
    group references of a results table."""

    def __init__(self, nct_id: str):
        super().__init__(nct_id, logger)

    def number(self, parent: dict[str, Any], key: str, where: str) -> RegistryNumber | None:
        value = parent.get(key)
        if isinstance(value, bool) or not isinstance(value, str | int | float | None):
            self.warn(f"{where}.{key} is a {type(value).__name__}, not a number (left empty)")
            return None
        if isinstance(value, str):  # its text is kept: cleaned and bounded like any other
            value = self.text(parent, key, where, TITLE)
        return read_number(value)

    def group_ref(self, group_id: str, known: set[str], where: str, groups_where: str) -> None:
        if not group_id:
            self.warn(f"{where} has no group id")
        elif known and group_id not in known:
            self.warn(f"{where} refers to group {group_id!r}, not among {groups_where}")


def parse_evidence(record: Any) -> ParsedEvidence:
    """Parse the evidence parts of one API v2 study; raise RecordRejected only for a non-object."""
    if not isinstance(record, dict):
        raise RecordRejected(f"a study must be a JSON object, got {type(record).__name__}")
    nct_id = nct_id_of(record)
    r = _Reader(nct_id)
    if not nct_id:
        r.warn("no NCT id (protocolSection.identificationModule.nctId)")

    protocol = r.obj(record, "protocolSection", "study")
    results = r.obj(record, "resultsSection", "study")
    has_results = bool(results)
    if has_results != (record.get("hasResults") is True):
        r.warn(
            f"hasResults is {record.get('hasResults')!r} but the record "
            f"{'has' if has_results else 'has no'} resultsSection"
        )

    events_module = results.get("adverseEventsModule")
    return ParsedEvidence(
        nct_id=nct_id,
        has_results=has_results,
        registered_outcomes=_registered_outcomes(r, r.obj(protocol, "outcomesModule", "protocol")),
        outcome_results=_outcome_results(
            r, r.obj(results, "outcomeMeasuresModule", "resultsSection")
        ),
        adverse_events=(
            _adverse_events(r, r.obj(results, "adverseEventsModule", "resultsSection"))
            if events_module is not None
            else None
        ),
        baseline_groups=_groups(
            r, r.obj(results, "baselineCharacteristicsModule", "resultsSection"), "baseline"
        ),
        flow_groups=_groups(r, r.obj(results, "participantFlowModule", "resultsSection"), "flow"),
        arms=arm_groups(r, r.obj(protocol, "armsInterventionsModule", "protocol")),
        warnings=tuple(r.warnings),
    )


def _registered_outcomes(r: _Reader, module: dict[str, Any]) -> tuple[RegisteredOutcome, ...]:
    outcomes = []
    for outcome_type, key in _REGISTERED_OUTCOME_LISTS:
        for position, raw in enumerate(r.dicts(module, key, "outcomesModule"), start=1):
            where = f"{key}[{position - 1}]"
            measure = r.text(raw, "measure", where, TITLE)
            if not measure:
                r.warn(f"{where} has no measure (kept)")
            outcomes.append(
                RegisteredOutcome(
                    type=outcome_type,
                    measure=measure,
                    description=r.text(raw, "description", where),
                    time_frame=r.text(raw, "timeFrame", where),
                    position=position,
                )
            )
    return tuple(outcomes)


def _groups(r: _Reader, module: dict[str, Any], where: str) -> tuple[ResultGroup, ...]:
    groups = []
    seen: set[str] = set()
    for i, raw in enumerate(r.dicts(module, "groups", where)):
        group = ResultGroup(
            id=r.text(raw, "id", f"{where}.groups[{i}]", ID),
            title=r.text(raw, "title", f"{where}.groups[{i}]", TITLE),
            description=r.text(raw, "description", f"{where}.groups[{i}]"),
        )
        if not group.id:
            r.warn(f"{where}.groups[{i}] has no id (kept)")
        elif group.id in seen:
            r.warn(f"{where}.groups: id {group.id!r} given twice (both kept)")
        seen.add(group.id)
        groups.append(group)
    return tuple(groups)


def _denoms(r: _Reader, parent: dict[str, Any], where: str, known: set[str]) -> tuple[Denom, ...]:
    groups_where = where.split(".", 1)[0] + ".groups"
    denoms = []
    for i, raw in enumerate(r.dicts(parent, "denoms", where)):
        counts = []
        for j, count in enumerate(r.dicts(raw, "counts", f"{where}.denoms[{i}]")):
            at = f"{where}.denoms[{i}].counts[{j}]"
            group_id = r.text(count, "groupId", at, ID)
            r.group_ref(group_id, known, at, groups_where)
            counts.append(DenomCount(group_id=group_id, value=r.number(count, "value", at)))
        denoms.append(
            Denom(units=r.text(raw, "units", f"{where}.denoms[{i}]"), counts=tuple(counts))
        )
    return tuple(denoms)


def _classes(r: _Reader, parent: dict[str, Any], where: str, known: set[str]):
    groups_where = f"{where}.groups"
    classes = []
    for i, raw in enumerate(r.dicts(parent, "classes", where)):
        at_class = f"{where}.classes[{i}]"
        categories = []
        for j, category in enumerate(r.dicts(raw, "categories", at_class)):
            at_category = f"{at_class}.categories[{j}]"
            measurements = []
            for k, m in enumerate(r.dicts(category, "measurements", at_category)):
                at = f"{at_category}.measurements[{k}]"
                group_id = r.text(m, "groupId", at, ID)
                r.group_ref(group_id, known, at, groups_where)
                measurements.append(
                    Measurement(
                        group_id=group_id,
                        value=r.number(m, "value", at),
                        spread=r.number(m, "spread", at),
                        lower_limit=r.number(m, "lowerLimit", at),
                        upper_limit=r.number(m, "upperLimit", at),
                        comment=r.text(m, "comment", at),
                    )
                )
            categories.append(
                MeasureCategory(
                    title=r.text(category, "title", at_category, TITLE),
                    measurements=tuple(measurements),
                )
            )
        classes.append(
            MeasureClass(
                title=r.text(raw, "title", at_class, TITLE),
                denoms=_denoms(r, raw, at_class, known),
                categories=tuple(categories),
            )
        )
    return tuple(classes)


def _analyses(r: _Reader, parent: dict[str, Any], where: str, known: set[str]):
    groups_where = f"{where}.groups"
    analyses = []
    for i, raw in enumerate(r.dicts(parent, "analyses", where)):
        at = f"{where}.analyses[{i}]"
        group_ids = r.texts(raw, "groupIds", at, ID)
        for group_id in group_ids:
            r.group_ref(group_id, known, f"{at}.groupIds", groups_where)
        analyses.append(
            Analysis(
                group_ids=group_ids,
                group_description=r.text(raw, "groupDescription", at),
                param_type=r.text(raw, "paramType", at),
                param_value=r.number(raw, "paramValue", at),
                dispersion_type=r.enum(
                    raw, "dispersionType", enums.ANALYSIS_DISPERSION_TYPES, at, _WIDE_CODE
                ),
                dispersion_value=r.number(raw, "dispersionValue", at),
                statistical_method=r.text(raw, "statisticalMethod", at),
                statistical_comment=r.text(raw, "statisticalComment", at),
                p_value=r.number(raw, "pValue", at),
                p_value_comment=r.text(raw, "pValueComment", at),
                ci_pct_value=r.number(raw, "ciPctValue", at),
                ci_num_sides=r.enum(raw, "ciNumSides", enums.CI_NUM_SIDES, at),
                ci_lower_limit=r.number(raw, "ciLowerLimit", at),
                ci_upper_limit=r.number(raw, "ciUpperLimit", at),
                ci_lower_limit_comment=r.text(raw, "ciLowerLimitComment", at),
                ci_upper_limit_comment=r.text(raw, "ciUpperLimitComment", at),
                estimate_comment=r.text(raw, "estimateComment", at),
                tested_non_inferiority=r.flag(raw, "testedNonInferiority", at),
                non_inferiority_type=r.enum(
                    raw, "nonInferiorityType", enums.NON_INFERIORITY_TYPES, at, _WIDE_CODE
                ),
                non_inferiority_comment=r.text(raw, "nonInferiorityComment", at),
                other_analysis_description=r.text(raw, "otherAnalysisDescription", at),
            )
        )
    return tuple(analyses)


def _outcome_results(r: _Reader, module: dict[str, Any]) -> tuple[OutcomeResult, ...]:
    results = []
    for i, raw in enumerate(r.dicts(module, "outcomeMeasures", "outcomeMeasuresModule")):
        where = f"outcomeMeasures[{i}]"
        # Group ids are local to one measure (OG000 can be a different group in the next one).
        groups = _groups(r, raw, where)
        known = {g.id for g in groups if g.id}
        results.append(
            OutcomeResult(
                type=r.enum(raw, "type", enums.OUTCOME_MEASURE_TYPES, where, _TYPE_WIDTH),
                title=r.text(raw, "title", where, TITLE),
                description=r.text(raw, "description", where),
                population_description=r.text(raw, "populationDescription", where),
                reporting_status=r.enum(raw, "reportingStatus", enums.REPORTING_STATUSES, where),
                anticipated_posting_date=r.text(raw, "anticipatedPostingDate", where, _DATE_TEXT),
                param_type=r.enum(raw, "paramType", enums.MEASURE_PARAMS, where, _WIDE_CODE),
                dispersion_type=r.text(raw, "dispersionType", where, SHORT_TEXT),
                unit_of_measure=r.text(raw, "unitOfMeasure", where),
                calculate_pct=r.flag(raw, "calculatePct", where),
                time_frame=r.text(raw, "timeFrame", where),
                type_units_analyzed=r.text(raw, "typeUnitsAnalyzed", where),
                denom_units_selected=r.text(raw, "denomUnitsSelected", where),
                groups=groups,
                denoms=_denoms(r, raw, where, known),
                classes=_classes(r, raw, where, known),
                analyses=_analyses(r, raw, where, known),
                position=i + 1,
            )
        )
    return tuple(results)


def _event_groups(r: _Reader, module: dict[str, Any]) -> tuple[EventGroup, ...]:
    groups = []
    seen: set[str] = set()
    for i, raw in enumerate(r.dicts(module, "eventGroups", "adverseEventsModule")):
        where = f"eventGroups[{i}]"
        group = EventGroup(
            id=r.text(raw, "id", where, ID),
            title=r.text(raw, "title", where, TITLE),
            description=r.text(raw, "description", where),
            deaths_num_affected=r.count(raw, "deathsNumAffected", where),
            deaths_num_at_risk=r.count(raw, "deathsNumAtRisk", where),
            serious_num_affected=r.count(raw, "seriousNumAffected", where),
            serious_num_at_risk=r.count(raw, "seriousNumAtRisk", where),
            other_num_affected=r.count(raw, "otherNumAffected", where),
            other_num_at_risk=r.count(raw, "otherNumAtRisk", where),
        )
        if not group.id:
            r.warn(f"{where} has no id (kept)")
        elif group.id in seen:
            r.warn(f"eventGroups: id {group.id!r} given twice (both kept)")
        seen.add(group.id)
        groups.append(group)
    return tuple(groups)


def _events(r: _Reader, module: dict[str, Any], key: str, known: set[str]):
    serious = key == "seriousEvents"
    events = []
    for i, raw in enumerate(r.dicts(module, key, "adverseEventsModule")):
        where = f"{key}[{i}]"
        stats = []
        for j, s in enumerate(r.dicts(raw, "stats", where)):
            at = f"{where}.stats[{j}]"
            group_id = r.text(s, "groupId", at, ID)
            r.group_ref(group_id, known, at, "eventGroups")
            stats.append(
                EventStats(
                    group_id=group_id,
                    num_events=r.count(s, "numEvents", at),
                    num_affected=r.count(s, "numAffected", at),
                    num_at_risk=r.count(s, "numAtRisk", at),
                )
            )
        event = AdverseEvent(
            term=r.text(raw, "term", where, TITLE),
            serious=serious,
            organ_system=r.text(raw, "organSystem", where, TITLE),
            source_vocabulary=r.text(raw, "sourceVocabulary", where),
            assessment_type=r.enum(
                raw, "assessmentType", enums.EVENT_ASSESSMENTS, where, _TYPE_WIDTH
            ),
            notes=r.text(raw, "notes", where),
            stats=tuple(stats),
        )
        if not event.term:
            r.warn(f"{where} has no term (kept)")
        if event.is_legacy_total_row:
            r.warn(
                f"{where} {event.term!r} is a legacy total row (organ system 'Total'), kept as "
                "an event; API v2 gives these numbers as eventGroups[].deathsNumAffected"
            )
        events.append(event)
    return events


def _adverse_events(r: _Reader, module: dict[str, Any]) -> AdverseEvents:
    groups = _event_groups(r, module)
    known = {g.id for g in groups if g.id}
    return AdverseEvents(
        frequency_threshold=r.number(module, "frequencyThreshold", "adverseEventsModule"),
        time_frame=r.text(module, "timeFrame", "adverseEventsModule"),
        description=r.text(module, "description", "adverseEventsModule"),
        all_cause_mortality_comment=r.text(
            module, "allCauseMortalityComment", "adverseEventsModule"
        ),
        groups=groups,
        events=tuple(
            _events(r, module, "seriousEvents", known) + _events(r, module, "otherEvents", known)
        ),
    )
