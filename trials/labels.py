"""The fixed vocabularies (docs/domain.md#vocabularies): slug → label shown to people.

One source of truth for the models, the classifier, the filters, the API and the exports. Pure (no
ORM), so the classifier can import it too. The slugs are a public contract: researchers' saved
URLs, exported files and other tools rely on them.
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


def label_for(field: str, slug: str) -> str:
    """The display label of a slug, or the slug itself when it is not in the vocabulary."""
    vocabulary = LABEL_FIELDS.get(field) or EVIDENCE_FACETS.get(field) or {}
    return vocabulary.get(slug, slug)
