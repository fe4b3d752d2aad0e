"""The registry's API v2 enum values for results (from its OpenAPI spec v2.0.5).

As in `trials.registries.ctgov.enums`: a value not listed here is kept as the registry wrote it and
reported in the parse warnings; these sets decide what is worth a warning, never what is stored.
"""

OUTCOME_MEASURE_TYPES = frozenset({"PRIMARY", "SECONDARY", "OTHER_PRE_SPECIFIED", "POST_HOC"})
REPORTING_STATUSES = frozenset({"NOT_POSTED", "POSTED"})
MEASURE_PARAMS = frozenset(
    {
        "GEOMETRIC_MEAN",
        "GEOMETRIC_LEAST_SQUARES_MEAN",
        "LEAST_SQUARES_MEAN",
        "LOG_MEAN",
        "MEAN",
        "MEDIAN",
        "NUMBER",
        "COUNT_OF_PARTICIPANTS",
        "COUNT_OF_UNITS",
    }
)
EVENT_ASSESSMENTS = frozenset({"NON_SYSTEMATIC_ASSESSMENT", "SYSTEMATIC_ASSESSMENT"})
ANALYSIS_DISPERSION_TYPES = frozenset({"STANDARD_DEVIATION", "STANDARD_ERROR_OF_MEAN"})
CI_NUM_SIDES = frozenset({"ONE_SIDED", "TWO_SIDED"})
NON_INFERIORITY_TYPES = frozenset(
    {
        "SUPERIORITY",
        "NON_INFERIORITY",
        "EQUIVALENCE",
        "OTHER",
        "NON_INFERIORITY_OR_EQUIVALENCE",
        "SUPERIORITY_OR_OTHER",
        "NON_INFERIORITY_OR_EQUIVALENCE_LEGACY",
        "SUPERIORITY_OR_OTHER_LEGACY",
    }
)
