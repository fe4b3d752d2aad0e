"""The shapes `evidence.importing.parse.parse_evidence` returns: frozen dataclasses, one per
registry part.

Field names follow the API v2 names in snake_case, so the registry's documentation (the OpenAPI
spec's OutcomeMeasure, Measurement, MeasureAnalysis, EventGroup, AdverseEvent, ...) explains them.
Enum values are kept as the registry wrote them ("PRIMARY", "SYSTEMATIC_ASSESSMENT"); text that is
absent is "", a number that is absent is None.
"""

from __future__ import annotations

from dataclasses import dataclass

from trials.registries.ctgov.parse import ArmGroup


@dataclass(frozen=True)
class RegistryNumber:
    """A number as the registry wrote it, with the number read from it.

    `value` is None when the text is not a number ("NA", "not estimable"). A bound such as
    "<0.001" has `value` 0.001 and `qualifier` "<": read the qualifier (or `is_exact`) before
    treating the value as exact. "=0.247" is exact: value 0.247, qualifier "".
    """

    text: str
    value: float | None = None
    qualifier: str = ""  # "" (exact) | "<" | "<=" | ">" | ">="

    @property
    def is_exact(self) -> bool:
        return self.value is not None and not self.qualifier

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class RegisteredOutcome:
    """An outcome as registered in the protocol (what the trial said it would measure)."""

    type: str  # "primary" | "secondary" | "other"
    measure: str
    description: str = ""
    time_frame: str = ""
    position: int = 0  # 1-based place in its own list, as the registry orders them


@dataclass(frozen=True)
class ResultGroup:
    """A group of a results table (outcome, baseline or participant-flow group)."""

    id: str
    title: str = ""
    description: str = ""


@dataclass(frozen=True)
class DenomCount:
    group_id: str
    value: RegistryNumber | None = None


@dataclass(frozen=True)
class Denom:
    """How many units (usually "Participants") each group contributed to a measure."""

    units: str = ""
    counts: tuple[DenomCount, ...] = ()

    def count_for(self, group_id: str) -> RegistryNumber | None:
        return next((c.value for c in self.counts if c.group_id == group_id), None)


@dataclass(frozen=True)
class Measurement:
    group_id: str
    value: RegistryNumber | None = None
    spread: RegistryNumber | None = None
    lower_limit: RegistryNumber | None = None
    upper_limit: RegistryNumber | None = None
    comment: str = ""


@dataclass(frozen=True)
class MeasureCategory:
    title: str = ""
    measurements: tuple[Measurement, ...] = ()


@dataclass(frozen=True)
class MeasureClass:
    """A row block of a results table (e.g. a time point or a subscale); its own denoms if any."""

    title: str = ""
    denoms: tuple[Denom, ...] = ()
    categories: tuple[MeasureCategory, ...] = ()


@dataclass(frozen=True)
class Analysis:
    """A statistical analysis posted for a measure (comparison between `group_ids`)."""

    group_ids: tuple[str, ...] = ()
    group_description: str = ""
    param_type: str = ""  # free text: "Mean Difference (Final Values)", "Odds Ratio (OR)", ...
    param_value: RegistryNumber | None = None
    dispersion_type: str = ""
    dispersion_value: RegistryNumber | None = None
    statistical_method: str = ""  # free text: "ANCOVA", "Mixed Models Analysis", ...
    statistical_comment: str = ""
    p_value: RegistryNumber | None = None  # text as given: "0.03", "<0.001", "=0.247"
    p_value_comment: str = ""
    ci_pct_value: RegistryNumber | None = None
    ci_num_sides: str = ""
    ci_lower_limit: RegistryNumber | None = None
    ci_upper_limit: RegistryNumber | None = None
    ci_lower_limit_comment: str = ""
    ci_upper_limit_comment: str = ""
    estimate_comment: str = ""
    tested_non_inferiority: bool | None = None
    non_inferiority_type: str = ""
    non_inferiority_comment: str = ""
    other_analysis_description: str = ""


@dataclass(frozen=True)
class OutcomeResult:
    """A posted outcome measure: its groups, their values and the analyses comparing them.

    Group ids are local to the measure: "OG000" can name a different group in another measure.
    """

    type: str  # "PRIMARY" | "SECONDARY" | "OTHER_PRE_SPECIFIED" | "POST_HOC"
    title: str
    description: str = ""
    population_description: str = ""
    reporting_status: str = ""  # "POSTED" | "NOT_POSTED"; absent in legacy-converted records
    anticipated_posting_date: str = ""
    param_type: str = ""  # "MEAN", "MEDIAN", "COUNT_OF_PARTICIPANTS", ...
    dispersion_type: str = ""  # display text: "Standard Deviation", "95% Confidence Interval"
    unit_of_measure: str = ""
    calculate_pct: bool | None = None
    time_frame: str = ""
    type_units_analyzed: str = ""
    denom_units_selected: str = ""
    groups: tuple[ResultGroup, ...] = ()
    denoms: tuple[Denom, ...] = ()
    classes: tuple[MeasureClass, ...] = ()
    analyses: tuple[Analysis, ...] = ()
    position: int = 0  # 1-based place among the posted outcome measures

    @property
    def measurements(self) -> tuple[Measurement, ...]:
        return tuple(
            m for c in self.classes for category in c.categories for m in category.measurements
        )


@dataclass(frozen=True)
class EventGroup:
    """A group adverse events are reported for, with its totals (None when not given)."""

    id: str
    title: str = ""
    description: str = ""
    deaths_num_affected: int | None = None
    deaths_num_at_risk: int | None = None
    serious_num_affected: int | None = None
    serious_num_at_risk: int | None = None
    other_num_affected: int | None = None
    other_num_at_risk: int | None = None


@dataclass(frozen=True)
class EventStats:
    group_id: str
    num_events: int | None = None  # often absent (legacy records give only participants)
    num_affected: int | None = None
    num_at_risk: int | None = None


@dataclass(frozen=True)
class AdverseEvent:
    """One reported adverse-event term, serious or other, with its counts per event group.

    The term is kept exactly as written: registrants use organ-system names as terms
    ("Hepatobiliary disorders") and combine terms ("Contusion, Ankle fracture"); the parser does not
    split them, because the counts belong to the combined row.
    """

    term: str
    serious: bool
    organ_system: str = ""
    source_vocabulary: str = ""
    assessment_type: str = ""  # "SYSTEMATIC_ASSESSMENT" | "NON_SYSTEMATIC_ASSESSMENT"
    notes: str = ""
    stats: tuple[EventStats, ...] = ()

    @property
    def is_legacy_total_row(self) -> bool:
        """A "Total, all-cause mortality" row kept from the legacy XML (organ system "Total")."""
        return self.organ_system.casefold() == "total"

    def stats_for(self, group_id: str) -> EventStats | None:
        return next((s for s in self.stats if s.group_id == group_id), None)


@dataclass(frozen=True)
class AdverseEvents:
    frequency_threshold: RegistryNumber | None = None  # % above which other events are listed
    time_frame: str = ""
    description: str = ""
    all_cause_mortality_comment: str = ""
    groups: tuple[EventGroup, ...] = ()
    # Serious events first, then other events, each in the registry's order.
    events: tuple[AdverseEvent, ...] = ()

    @property
    def serious_events(self) -> tuple[AdverseEvent, ...]:
        return tuple(e for e in self.events if e.serious)

    @property
    def other_events(self) -> tuple[AdverseEvent, ...]:
        return tuple(e for e in self.events if not e.serious)


@dataclass(frozen=True)
class ParsedEvidence:
    nct_id: str
    # True when the record carries a resultsSection (what was parsed), whatever hasResults says.
    has_results: bool = False
    registered_outcomes: tuple[RegisteredOutcome, ...] = ()
    outcome_results: tuple[OutcomeResult, ...] = ()
    # None when the record has no adverseEventsModule.
    adverse_events: AdverseEvents | None = None
    baseline_groups: tuple[ResultGroup, ...] = ()
    flow_groups: tuple[ResultGroup, ...] = ()
    arms: tuple[ArmGroup, ...] = ()
    warnings: tuple[str, ...] = ()
