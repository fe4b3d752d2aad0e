"""Writes to trials. Every write that touches several rows goes through here (views, admin,
commands and tests alike), with keyword-only arguments, in one transaction.

- importing: the importer's batch upsert, import runs, trials missing from the registry;
- effective: the effective label values derived from automatic labels and curations;
- curating: a curator's value for one field, audited.
"""

from trials.curated_fields import CurationError
from trials.services.curating import curate, validate_curation_value
from trials.services.effective import compute_effective, effective_values, refresh_effective_labels
from trials.services.importing import (
    BatchResult,
    RecordHandler,
    finish_run,
    flag_missing,
    import_batch,
    import_files,
    record_preparers,
    register_record_handler,
    start_run,
    upsert_studies,
)

__all__ = [
    "BatchResult",
    "CurationError",
    "RecordHandler",
    "compute_effective",
    "curate",
    "effective_values",
    "finish_run",
    "flag_missing",
    "import_batch",
    "import_files",
    "record_preparers",
    "refresh_effective_labels",
    "register_record_handler",
    "start_run",
    "upsert_studies",
    "validate_curation_value",
]
