"""The curators' writes beyond one curation: curation files, several fields at once from the
admin, reviews, and the curators group.

A curation file is a CSV with the columns `nct_id,field,value,note,curator` — one correction a
row, `value` as trials.curated_fields writes it (`;`-separated slugs, `true`/`false`, `auto`).
It is checked whole before anything is applied: one invalid row rejects the file, so a file is
either in force entirely or not at all, and applying it again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from trials import curated_fields, services
from trials.curated_fields import CurationError
from trials.models import Curation, Review, Trial

FILE_COLUMNS = ["nct_id", "field", "value", "note", "curator"]
NCT_ID_RE = re.compile(r"^NCT\d{8}$")

CURATORS_GROUP = "curators"
# Exactly what curating needs: see trials and what was imported, correct labels (change_trial;
# the trial admin writes only through services.curate), work the review queue. No add or
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

    Checked: the header, NCT ids (well-formed and imported), fields, values against their
    vocabulary, a note and a curator on every row, and no (trial, field) twice.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    if sorted(header) != sorted(FILE_COLUMNS):
        raise CurationFileError(
            [(1, f"the header must be {','.join(FILE_COLUMNS)} (got {','.join(header) or '—'})")]
        )
    raw = list(reader)
    known = set(
        Trial.objects.filter(
            nct_id__in=[r["nct_id"].strip() for r in raw if r["nct_id"]]
        ).values_list("nct_id", flat=True)
    )
    rows: list[FileRow] = []
    problems: list[tuple[int, str]] = []
    first_row_of: dict[tuple[str, str], int] = {}
    for number, record in enumerate(raw, start=2):
        if None in record or any(value is None for value in record.values()):
            problems.append((number, f"expected {len(FILE_COLUMNS)} columns"))
            continue
        cells = {key.strip(): (value or "").strip() for key, value in record.items()}
        reasons = []
        nct_id = cells["nct_id"]
        if not NCT_ID_RE.match(nct_id):
            reasons.append(f"{nct_id!r} is not an NCT id (NCT and 8 digits)")
        elif nct_id not in known:
            reasons.append(f"unknown NCT id {nct_id} (not imported)")
        value = None
        try:
            spec = curated_fields.get(cells["field"])
            value = spec.parse(cells["value"])
        except CurationError as exc:
            reasons.append(str(exc))
        if not cells["note"]:
            reasons.append("a note saying why is required")
        if not cells["curator"]:
            reasons.append("the curator is required")
        key = (nct_id, cells["field"])
        if key in first_row_of:
            reasons.append(
                f"{cells['field']} of {nct_id} is already set in row {first_row_of[key]}"
            )
        first_row_of.setdefault(key, number)
        if reasons:
            problems.extend((number, reason) for reason in reasons)
            continue
        rows.append(FileRow(number, nct_id, cells["field"], value, cells["note"], cells["curator"]))
    if problems:
        raise CurationFileError(problems)
    return rows


@transaction.atomic
def apply_curation_file(*, text: str, at: datetime | None = None) -> FileResult:
    """Apply a curation file whole, or nothing of it (CurationFileError says why).

    Idempotent: a row whose value is already in force is left alone (services.curate).
    """
    rows = read_curation_file(text)
    trials = Trial.objects.in_bulk([row.nct_id for row in rows], field_name="nct_id")
    at = at or timezone.now()
    applied = 0
    for row in rows:
        curation = services.curate(
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
    """Write curations as a curation file (the format `apply_curation_file` reads); the count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FILE_COLUMNS)
    count = 0
    for curation in curations:
        try:
            text = curated_fields.get(curation.field).format(curation.value)
        except CurationError:
            continue  # a field no longer registered (its app removed): nothing to apply it to
        writer.writerow([curation.trial.nct_id, curation.field, text, curation.note, curation.who])
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
        curation = services.curate(
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
    """Create the curators group, or reset its permissions to exactly CURATOR_PERMISSIONS.

    Returns the group and whether it was created. Idempotent.
    """
    group, created = Group.objects.get_or_create(name=CURATORS_GROUP)
    group.permissions.set(_permissions(CURATOR_PERMISSIONS))
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
