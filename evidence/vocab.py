"""The fixed vocabularies of the evidence layer (DOMAIN.md); views, API, exports and tests use them.

Order is display order; "other" is last in both and is what anything unrecognised gets.
"""

OUTCOME_DOMAINS = (
    "function",
    "respiratory",
    "strength",
    "survival",
    "quality-of-life",
    "electrophysiology",
    "biomarker",
    "imaging",
    "safety",
    "other",
)

EVENT_CATEGORIES = (
    "headache",
    "procedural-pain",
    "fatigue",
    "fever",
    "inflammation",
    "infection",
    "allergic-reaction",
    "tumour",
    "death",
    "other",
)
