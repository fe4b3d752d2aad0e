"""The fixed vocabularies of DOMAIN.md: slug → label shown to people.

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
    vocabulary = LABEL_FIELDS.get(field) or {}
    return vocabulary.get(slug, slug)
