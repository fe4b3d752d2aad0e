"""The fixed vocabularies (docs/domain.md#vocabularies): slug → label shown to people; and the
registry's enums in words.

One source of truth for the models, the classifier, the filters, the API, the exports, the history
and the admin: every other copy is derived from here, or tied to it by tests/trials/test_labels.py.
Pure (no ORM, no import of the rest of trials), so the classifier and the importer can import it
too. The slugs are a public contract: researchers' saved URLs, exported files and other tools rely
on them.
"""

CELL_TYPES = {
    "msc": "Mesenchymal stem/stromal cells (MSC)",
    "nsc": "Neural stem/progenitor cells (NSC)",
    "glial": "Glial cells (astrocytes, glial-restricted progenitors)",
    "bm-mnc": "Mononuclear cells (bone marrow or blood, not expanded)",
    "hsc": "Hematopoietic stem/progenitor cells (CD34+/CD133+)",
    "other-cell": "Other cell product",
}

CELL_SOURCES = {
    "bone-marrow": "Bone marrow",
    "adipose": "Adipose tissue",
    "umbilical-cord": "Umbilical cord / cord blood",
    "peripheral-blood": "Peripheral blood",
    "fetal-tissue": "Fetal tissue",
    "embryonic-stem-cell": "Embryonic stem cells",
    "induced-pluripotent": "Induced pluripotent stem cells",
    "unknown": "Unknown source",
}

DONORS = {
    "autologous": "Autologous",
    "allogeneic": "Allogeneic",
    "unknown": "Unknown",
}

ROUTES = {
    "intrathecal": "Intrathecal (CSF, lumbar puncture)",
    "intraspinal": "Intraspinal (spinal cord)",
    "intracerebroventricular": "Intracerebroventricular",
    "intracerebral": "Intracerebral",
    "intravenous": "Intravenous",
    "intra-arterial": "Intra-arterial",
    "intramuscular": "Intramuscular",
    "other": "Other route",
}

# Outcome domain of a registered or posted outcome (the evidence app classifies them). Order is
# display order; "other" is what anything unrecognised gets.
OUTCOME_DOMAINS = {
    "function": "Function (ALSFRS-R, Appel)",
    "respiratory": "Respiratory (FVC, SVC, SNIP, ventilation)",
    "strength": "Strength (MMT, HHD, grip)",
    "survival": "Survival",
    "quality-of-life": "Quality of life (ALSAQ-40, SF-36)",
    "electrophysiology": "Electrophysiology (MUNE, CMAP)",
    "biomarker": "Biomarkers (CSF or blood, NfL)",
    "imaging": "Imaging",
    "safety": "Safety (adverse events, tolerability)",
    "other": "Other outcome",
}

# Category of a reported adverse-event term (the mapping is evidence/data/ae_categories.csv).
EVENT_CATEGORIES = {
    "headache": "Headache",
    "procedural-pain": "Procedural pain (back, injection site, post-LP)",
    "fatigue": "Fatigue",
    "fever": "Fever",
    "inflammation": "Inflammation",
    "infection": "Infection",
    "allergic-reaction": "Allergic reaction",
    "tumour": "Tumour",
    "death": "Death",
    "other": "Other event",
}

# The TrialFacet facets the evidence app writes (trials filters and counts them, never writes
# them), and the vocabulary of each.
EVIDENCE_FACETS = {
    "outcome_domains": OUTCOME_DOMAINS,  # domains of the registered outcomes
    "result_domains": OUTCOME_DOMAINS,  # domains of the outcome measures with posted values
    "ae_categories": EVENT_CATEGORIES,  # categories of the adverse events reported (≥1 affected)
}

# The classification fields a curator can override, and the vocabulary of each (None: a boolean).
LABEL_FIELDS = {
    "is_cell_therapy": None,
    "cell_types": CELL_TYPES,
    "cell_sources": CELL_SOURCES,
    "donor": DONORS,
    "routes": ROUTES,
}
SET_FIELDS = ("cell_types", "cell_sources", "routes")

# What people call each label field where one value is chosen or shown: the filters, the trial
# page's rows, the admin's list filters (in lower case).
LABEL_FIELD_NAMES = {
    "is_cell_therapy": "Cell therapy",
    "cell_types": "Cell type",
    "cell_sources": "Cell source",
    "donor": "Donor",
    "routes": "Delivery route",
}
# The field as a whole, with all its values: the curation form and files, the history.
LABEL_FIELD_TITLES = {
    name: f"{word}s" if name in SET_FIELDS else word for name, word in LABEL_FIELD_NAMES.items()
}


def label_for(field: str, slug: str) -> str:
    """The display label of a slug, or the slug itself when it is not in the vocabulary."""
    vocabulary = LABEL_FIELDS.get(field) or EVIDENCE_FACETS.get(field) or {}
    return vocabulary.get(slug, slug)


# --- The registry's enums in words (values: trials.registries.ctgov.enums) -------------------

# In display order (the phase filter, the home page's chart, the list's phase sort).
PHASE_LABELS = {
    "EARLY_PHASE1": "Early phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "NA": "Not applicable",
}

# The overall statuses grouped as researchers ask about them (the `status_group` filter).
STATUS_GROUPS = {
    "recruiting": ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"),
    "active": ("ACTIVE_NOT_RECRUITING",),
    "completed": ("COMPLETED", "APPROVED_FOR_MARKETING"),
    "stopped": (
        "TERMINATED",
        "SUSPENDED",
        "WITHDRAWN",
        "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE",
        "WITHHELD",
    ),
    "unknown": ("UNKNOWN",),
}
STATUS_GROUP_LABELS = {
    "recruiting": "Recruiting or about to",
    "active": "Active, not recruiting",
    "completed": "Completed",
    "stopped": "Stopped early (terminated, suspended, withdrawn)",
    "unknown": "Unknown (not verified recently)",
}

# Registry enums whose plain humanised form reads badly ("NA" is PHASE_LABELS', for allocations
# too).
ENUM_LABELS = {
    **PHASE_LABELS,
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "INDIV": "Individual",
    "NIH": "NIH",
    "FED": "US federal",
    "OTHER_GOV": "Other government",
    "AMBIG": "Ambiguous",
    "ECT": "Educational/counselling/training",
    "DEVICE_FEASIBILITY": "Device feasibility",
    "NON_RANDOMIZED": "Non-randomised",
    "RANDOMIZED": "Randomised",
    "ALL": "All",
}


def enum_label(value: str) -> str:
    """A registry enum as people write it: ACTIVE_NOT_RECRUITING → 'Active, not recruiting'."""
    if not value:
        return ""
    if value in ENUM_LABELS:
        return ENUM_LABELS[value]
    return value.replace("_", " ").capitalize()
