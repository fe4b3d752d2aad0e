"""The evidence of a trial: registered outcomes, posted results, adverse events, and curations.

Every row but the curations is rebuilt from the trial's registry record whenever an import
changes the trial (`evidence.importing.services.rebuild_evidence`), so these rows are never edited:
a curated outcome domain or adverse-event category lives in its own append-only table, keyed on
stable text (`evidence.keys`), and is applied to the rows each time they are rebuilt. Each row
keeps the automatic value, the phrase that decided it and a confidence beside the effective one.

Rows reference each other (a measurement its group and measure) with on_delete=DO_NOTHING and
every row has its own `trial` foreign key: the rebuild deletes a batch's rows table by table,
leaf first, in one statement each, instead of letting Django collect the cascade row by row.
Deleting a trial still deletes everything, through the `trial` keys.
"""

from evidence.models.curations import (
    DesignCuration,
    EventCategoryCuration,
    MeasureFamilyCuration,
    OutcomeDomainCuration,
)
from evidence.models.events import AdverseEvent, AdverseEventCount, EventGroup, EventTerm
from evidence.models.outcomes import (
    OutcomeAnalysis,
    OutcomeDenom,
    OutcomeGroup,
    OutcomeMeasure,
    OutcomeMeasurement,
    RegisteredOutcome,
    TrialEvidence,
)
from evidence.models.published import PublishedResult

__all__ = [
    "DesignCuration",
    "AdverseEvent",
    "AdverseEventCount",
    "EventCategoryCuration",
    "EventGroup",
    "EventTerm",
    "MeasureFamilyCuration",
    "OutcomeAnalysis",
    "OutcomeDenom",
    "OutcomeDomainCuration",
    "OutcomeGroup",
    "OutcomeMeasure",
    "OutcomeMeasurement",
    "PublishedResult",
    "RegisteredOutcome",
    "TrialEvidence",
]
