"""The seams through which another app plugs into trials, without trials importing it.

trials knows nothing of evidence, yet an import must rebuild a trial's evidence, the downloads
carry its columns, the trial page shows its sections, curation files curate its values and the
curators group gets its permissions. Each of these is a seam here: the other app registers what
it adds from its `AppConfig.ready()` (see evidence/apps.py, the one caller today), and the trials
code that owns the flow reads the registrations back. Registering the same thing twice changes
nothing, because Django may call `ready()` more than once.

| seam | registered with | read by |
|---|---|---|
| record handlers | `register_record_handler` | trials.importing.upsert (and the sync's worker) |
| export columns | `register_export_columns` | trials.browsing.exports |
| trial page sections | `register_page_section` | trials.browsing.views |
| curation-file fields | `register_file_field` | trials.curating.files |
| curator permissions | `register_curator_permissions` | trials.curating.files |

This module depends on nothing in trials but the model types, so that every flow may read it.
The decision record is docs/adr/0005-plug-in-seams.md.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Prefetch

    from trials.models import Trial

# --- Record handlers -------------------------------------------------------------------------
# Called inside the import batch's transaction with the trials the batch created or changed and
# their registry records, so that the other app keeps its rows in step with the trial.
#
# A handler may bring a `prepare` function: pure and picklable (a module-level function of the
# registry record, importable without Django set up), whose result the sync computes ahead, in
# its classify worker (trials.importing.pipeline), while an earlier page is written. The handler
# receives those results by content hash; a record without one (a one-page run, a dead worker, a
# file import) the handler prepares itself.
RecordHandle = Callable[[Sequence[tuple["Trial", dict[str, Any]]], Mapping[str, Any]], None]
Prepare = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class RecordHandler:
    handle: RecordHandle
    prepare: Prepare | None


_record_handlers: list[RecordHandler] = []


def register_record_handler(handle: RecordHandle, *, prepare: Prepare | None = None) -> None:
    if all(h.handle is not handle for h in _record_handlers):
        _record_handlers.append(RecordHandler(handle, prepare))


def record_handlers() -> tuple[RecordHandler, ...]:
    """The registered handlers, in the order registered."""
    return tuple(_record_handlers)


def record_preparers() -> tuple[Prepare | None, ...]:
    """The handlers' prepare functions, in handler order (None for a handler without one)."""
    return tuple(h.prepare for h in _record_handlers)


# --- Export columns --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportColumns:
    """Columns added after the trial's own; `row` reads only what `prefetch` loads."""

    columns: tuple[str, ...]
    prefetch: tuple[str | Prefetch, ...]
    row: Callable[[Trial], dict[str, Any]]


_export_columns: list[ExportColumns] = []


def register_export_columns(
    *,
    columns: Sequence[str],
    row: Callable[[Trial], dict[str, Any]],
    prefetch: Sequence[str | Prefetch] = (),
    taken: Iterable[str] = (),
) -> None:
    """Add columns to every export row.

    `row(trial)` returns a dict with exactly these columns; `prefetch` are the prefetch_related
    lookups it needs, so that a chunk of trials still costs a fixed number of queries. A column
    that another registration or `taken` (the trial's own columns) already has is refused.
    """
    if any(ext.row == row for ext in _export_columns):
        return
    existing = {*taken, *(c for ext in _export_columns for c in ext.columns)}
    clash = [c for c in columns if c in existing]
    if clash:
        raise ValueError(f"export columns already exist: {', '.join(clash)}")
    _export_columns.append(ExportColumns(tuple(columns), tuple(prefetch), row))


def export_columns() -> tuple[ExportColumns, ...]:
    """The registered column groups, in the order registered."""
    return tuple(_export_columns)


# --- Trial page sections ---------------------------------------------------------------------


@dataclass(frozen=True)
class PageSection:
    """A template rendered on the trial page between the arms and the eligibility."""

    template: str
    context: Callable[[Trial], dict[str, Any]]  # a fixed number of queries per trial


_page_sections: list[PageSection] = []


def register_page_section(*, template: str, context: Callable[[Trial], dict[str, Any]]) -> None:
    section = PageSection(template=template, context=context)
    if section not in _page_sections:
        _page_sections.append(section)


def page_sections() -> tuple[PageSection, ...]:
    """The registered sections, in the order the trial page renders them."""
    return tuple(_page_sections)


# --- Curation-file fields --------------------------------------------------------------------


@dataclass(frozen=True)
class FileFieldHandler:
    """Curation-file rows whose field is `prefix:target`, owned by another app.

    - `check(trial=, target=, text=)` → (what the row sets, hashable: two rows setting the same
      thing are refused; the parsed value). Raises CurationError; writes nothing. `trial` is
      None exactly when `needs_trial` is False (the row's nct_id must then be empty).
    - `apply(trial=, target=, value=, note=, curator_name=, at=)` → whether it changed anything
      (False: already in force).
    - `export()` → the rows in force, as [nct_id, field, value, note, curator].
    """

    prefix: str
    needs_trial: bool
    check: Callable[..., tuple[Hashable, Any]]
    apply: Callable[..., bool]
    export: Callable[[], Iterable[Sequence[str]]]


_file_fields: dict[str, FileFieldHandler] = {}


def register_file_field(handler: FileFieldHandler) -> None:
    """Route curation-file rows `prefix:…` to this handler (the same prefix again replaces it)."""
    _file_fields[handler.prefix] = handler


def file_fields() -> dict[str, FileFieldHandler]:
    """Prefix → handler, in the order registered."""
    return dict(_file_fields)


# --- Curator permissions ---------------------------------------------------------------------

_curator_permissions: list[str] = []


def register_curator_permissions(*names: str) -> None:
    """Permissions ("app_label.codename") another app's curation screens need."""
    for name in names:
        if name not in _curator_permissions:
            _curator_permissions.append(name)


def curator_permissions() -> tuple[str, ...]:
    """The registered permissions, in the order registered."""
    return tuple(_curator_permissions)
