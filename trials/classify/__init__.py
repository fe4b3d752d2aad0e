"""Free text of a registry record in, labels out: is it a cell therapy, which cells, from where,
whose, and how they reach the patient. Pure: no ORM, no network, no Django.

Every label carries the exact phrase that decided it, where that phrase stands and how sure we
are. Labels at or above ACCEPT are the automatic value; the rest are suggestions for a curator.
The rules, the weights and their reasons are in RULES.md; the phrase tables in vocab.py.
"""

from __future__ import annotations

from trials.classify.labels import FIELDS, Classification, Label, decide
from trials.classify.reading import Reader, Record
from trials.classify.scores import ACCEPT
from trials.classify.segments import segments_of
from trials.classify.vocab import CELL_SOURCES, CELL_TYPES, DONORS, ROUTES
from trials.registries.ctgov.parse import ParsedStudy

__all__ = [
    "ACCEPT",
    "CELL_SOURCES",
    "CELL_TYPES",
    "DONORS",
    "FIELDS",
    "ROUTES",
    "Classification",
    "Label",
    "classify",
]


def classify(study: ParsedStudy) -> Classification:
    """Label a parsed registry record; deterministic, never raises on odd text."""
    segments = segments_of(study)
    reader = Reader(Record(segments))  # one per study: what it keeps serves no other study
    return decide(study, [hit for segment in segments for hit in reader.read(segment)])
