"""The curators' writes beyond one curation: curation files, several fields at once from the
admin, reviews, and the curators group.

A curation file is a CSV with the columns `nct_id,field,value,note,curator` — one correction a
row, `value` as trials.curating.fields writes it (`;`-separated slugs, `true`/`false`, `auto`).
It is checked whole before anything is applied: one invalid row rejects the file, so a file is
either in force entirely or not at all, and applying it again changes nothing.

Other apps add rows of their own through `trials.extensions.register_file_field`: a field written
`prefix:target` (e.g. `event_category:Neck pain`) goes to the handler registered for `prefix`,
which checks, applies and exports those rows; trials never imports the app that owns them.

Cells a spreadsheet would run as formulas are written with a leading ' and read back without it
(trials.csv_cells), so a file exported, opened and applied again is unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from trials import csv_cells, extensions
from trials.curating import fields as curated_fields
from trials.curating.fields import CurationError
from trials.curating.services import curate
from trials.models import Curation, Review, Trial

FILE_COLUMNS = ["nct_id", "field", "value", "note", "curator"]
CURATOR_NAME_WIDTH = 150  # Curation.curator_name (and evidence's curations)
NCT_ID_RE = re.compile(r"^NCT\d{8}$")

CURATORS_GROUP = "curators"
# Exactly what curating needs: see trials and what was imported, correct labels (change_trial;
# the trial admin writes only through curate), work the review queue. No add or
# delete anywhere, no users, no groups.
CURATOR_PERMISSIONS = [
    "trials.view_trial",
    "trials.change_trial",
    "trials.view_trialtoreview",
    "trials.change_trialtoreview",
    "trials.view_autolabel",
    "trials.view_curation",
    "trials.view_review",
    "trials.view_trialchange",
    "trials.view_importrun",
]


def curator_permissions() -> list[str]:
    """Exactly what the curators group gets: CURATOR_PERMISSIONS and the registered ones."""
    return [*CURATOR_PERMISSIONS, *extensions.curator_permissions()]


def _file_field_handler(field: str) -> tuple[extensions.FileFieldHandler, str] | None:
    prefix, sep, target = field.partition(":")
    if not sep:
        return None
    try:
        return extensions.file_fields()[prefix], target.strip()
    except KeyError:
        known = ", ".join(f"{p}:…" for p in extensions.file_fields()) or "none"
        raise CurationError(f"unknown field prefix {prefix!r} (registered: {known})") from None


class CurationFileError(CurationError):
    """A curation file with invalid rows; `problems` lists them as (row number, reason)."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        lines = [f"row {row}: {reason}" if row else reason for row, reason in problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class FileRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    nct_id: str
    field: str
    value: Any
    note: str
    curator: str


@dataclass(frozen=True)
class FileResult:
    applied: int
    unchanged: int


def read_curation_file(text: str) -> list[FileRow]:
    """Parse and check every row of a curation file; raise CurationFileError listing them all.

    Checked: the header, the cells (as many as columns, no NUL character, which the database
    cannot store), NCT ids (well-formed and imported; empty for the rows of a handler that needs
    no trial), fields, values against their vocabulary (a handler also checks its target, e.g.
    that the trial has that outcome), a note and a curator (at most 150 characters, as stored) on
    every row, and nothing set twice.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    if sorted(header) != sorted(FILE_COLUMNS):
        raise CurationFileError(
            [(1, f"the header must be {','.join(FILE_COLUMNS)} (got {','.join(header) or '—'})")]
        )
    raw = list(reader)
    ids = {(r.get("nct_id") or "").strip() for r in raw if isinstance(r.get("nct_id"), str)}
    trials = Trial.objects.in_bulk([i for i in ids if NCT_ID_RE.match(i)], field_name="nct_id")
    rows: list[FileRow] = []
    problems: list[tuple[int, str]] = []
    first_row_of: dict[Hashable, int] = {}
    for number, record in enumerate(raw, start=2):
        row, reasons = _read_row(number, record, trials, first_row_of)
        problems.extend((number, reason) for reason in reasons)
        if row is not None and not reasons:
            rows.append(row)
    if problems:
        raise CurationFileError(problems)
    return rows


def _read_row(
    number: int, record: dict[str | None, Any], trials: dict, first_row_of: dict[Hashable, int]
) -> tuple[FileRow | None, list[str]]:
    """One row checked, and what is wrong with it; `first_row_of` (what a row sets → the first
    row setting it) is filled in."""
    cells, reasons = _cells(record)
    if cells is None:
        return None, reasons
    key, value, reasons = _check_row(cells, trials)
    if key in first_row_of:
        where = f" of {cells['nct_id']}" if cells["nct_id"] else ""
        reasons.append(f"{cells['field']}{where} is already set in row {first_row_of[key]}")
    first_row_of.setdefault(key, number)
    row = FileRow(number, cells["nct_id"], cells["field"], value, cells["note"], cells["curator"])
    return row, reasons


def _cells(record: dict[str | None, Any]) -> tuple[dict[str, str] | None, list[str]]:
    """A row's cells by column, stripped; None and the reasons when they cannot be read."""
    if None in record or any(value is None for value in record.values()):
        return None, [f"expected {len(FILE_COLUMNS)} columns"]
    cells = {key.strip(): csv_cells.restore((value or "").strip()) for key, value in record.items()}
    with_nul = [name for name in FILE_COLUMNS if "\x00" in cells[name]]
    if with_nul:
        return None, [f"{', '.join(with_nul)}: a NUL character (\\0) cannot be stored"]
    return cells, []


def _check_row(cells: dict[str, str], trials: dict) -> tuple[Hashable, Any, list[str]]:
    """What a row sets (two rows setting the same thing are refused), its parsed value, and what
    is wrong with it."""
    reasons: list[str] = []
    nct_id, field = cells["nct_id"], cells["field"]
    handled, field_known = None, True
    try:
        handled = _file_field_handler(field)
    except CurationError as exc:
        field_known = False
        reasons.append(str(exc))
    needs_trial = handled is None or handled[0].needs_trial
    if problem := _nct_id_problem(nct_id, field, needs_trial, trials):
        reasons.append(problem)
    key: Hashable = (nct_id, field)
    value = None
    try:
        if handled is not None:
            key, value = _check_handled(handled, cells, trials.get(nct_id), needs_trial, key)
        elif field_known:
            value = curated_fields.get(field).parse(cells["value"])
    except CurationError as exc:
        reasons.append(str(exc))
    reasons.extend(_who_and_why_problems(cells))
    return key, value, reasons


def _check_handled(
    handled: tuple[extensions.FileFieldHandler, str],
    cells: dict[str, str],
    trial: Trial | None,
    needs_trial: bool,
    key: Hashable,
) -> tuple[Hashable, Any]:
    """A registered handler's check of its row (only once its trial is known, when it needs one)."""
    handler, target = handled
    if needs_trial and trial is None:
        return key, None
    sets, value = handler.check(trial=trial, target=target, text=cells["value"])
    return (cells["nct_id"], handler.prefix, sets), value


def _who_and_why_problems(cells: dict[str, str]) -> list[str]:
    reasons = []
    if not cells["note"]:
        reasons.append("a note saying why is required")
    if not cells["curator"]:
        reasons.append("the curator is required")
    elif len(cells["curator"]) > CURATOR_NAME_WIDTH:
        reasons.append(
            f"the curator's name has {len(cells['curator'])} characters "
            f"(at most {CURATOR_NAME_WIDTH})"
        )
    return reasons


def _nct_id_problem(nct_id: str, field: str, needs_trial: bool, trials: dict) -> str | None:
    if not needs_trial:
        if nct_id:
            return f"{field.partition(':')[0]} rows apply to every trial: leave nct_id empty"
        return None
    if not NCT_ID_RE.match(nct_id):
        return f"{nct_id!r} is not an NCT id (NCT and 8 digits)"
    if nct_id not in trials:
        return f"unknown NCT id {nct_id} (not imported)"
    return None


@transaction.atomic
def apply_curation_file(*, text: str, at: datetime | None = None) -> FileResult:
    """Apply a curation file whole, or nothing of it (CurationFileError says why).

    Idempotent: a row whose value is already in force is left alone (curate, and the
    registered handlers likewise).
    """
    rows = read_curation_file(text)
    trials = Trial.objects.in_bulk([row.nct_id for row in rows if row.nct_id], field_name="nct_id")
    at = at or timezone.now()
    applied = 0
    for row in rows:
        handled = _file_field_handler(row.field)
        if handled is not None:
            handler, target = handled
            applied += handler.apply(
                trial=trials.get(row.nct_id),
                target=target,
                value=row.value,
                note=row.note,
                curator_name=row.curator,
                at=at,
            )
            continue
        curation = curate(
            trial=trials[row.nct_id],
            field_name=row.field,
            value=row.value,
            note=row.note,
            curator_name=row.curator,
            at=at,
        )
        applied += curation is not None
    return FileResult(applied=applied, unchanged=len(rows) - applied)


def curations_in_force() -> Iterator[Curation]:
    """The curated values in force (not those handed back to the automatic value), by trial and
    field: what a curation file must hold to reproduce today's corrections."""
    return (
        Curation.objects.current()
        .filter(value__isnull=False)
        .select_related("trial", "curator")
        .order_by("trial__nct_id", "field")
        .iterator()
    )


def write_curation_file(curations: Iterable[Curation], out) -> int:
    """Write curations as a curation file (the format `apply_curation_file` reads), then the rows
    every registered file-field handler has in force; the count of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FILE_COLUMNS)
    count = 0
    for curation in curations:
        try:
            text = curated_fields.get(curation.field).format(curation.value)
        except CurationError:
            continue  # a field no longer registered (its app removed): nothing to apply it to
        row = [curation.trial.nct_id, curation.field, text, curation.note, curation.who]
        writer.writerow(csv_cells.neutralise_row(row))
        count += 1
    for handler in extensions.file_fields().values():
        for row in handler.export():
            writer.writerow(csv_cells.neutralise_row(row))
            count += 1
    return count


@transaction.atomic
def curate_fields(
    *, trial: Trial, values: dict[str, Any], note: str, curator, at: datetime | None = None
) -> list[Curation]:
    """Several curations of one trial with one note (the admin form); the ones that changed."""
    at = at or timezone.now()
    made = []
    for field_name, value in values.items():
        curation = curate(
            trial=trial, field_name=field_name, value=value, note=note, curator=curator, at=at
        )
        if curation is not None:
            made.append(curation)
    return made


@transaction.atomic
def mark_reviewed(*, trials: Sequence[Trial], reviewer, at: datetime | None = None) -> int:
    """Record that `reviewer` reviewed these trials' automatic labels, against their registry
    text as it is now; they leave the review queue until that text changes."""
    at = at or timezone.now()
    reviews = [
        Review(trial=trial, reviewer=reviewer, reviewed_at=at, text_hash=trial.text_hash)
        for trial in trials
    ]
    Review.objects.bulk_create(reviews, batch_size=1000)
    return len(reviews)


@transaction.atomic
def setup_curators_group() -> tuple[Group, bool]:
    """Create the curators group, or reset its permissions to exactly `curator_permissions()`.

    Returns the group and whether it was created. Idempotent.
    """
    group, created = Group.objects.get_or_create(name=CURATORS_GROUP)
    group.permissions.set(_permissions(curator_permissions()))
    return group, created


@transaction.atomic
def add_curator(*, user) -> None:
    """Make a user a curator: staff (to log in to the admin) and in the curators group."""
    group, _created = setup_curators_group()
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(group)


def _permissions(names: Sequence[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        try:
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        except Permission.DoesNotExist:
            raise CurationError(f"permission {name} does not exist: run migrate first") from None
    return found
