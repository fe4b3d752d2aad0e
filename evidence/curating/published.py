"""The curated extraction of published results: load a file of rows (all or nothing,
idempotent, every change in the trial's history), and a curator's clearing or preferring of a row.

A file has the columns of fixtures/evidence/published_results.csv (its README says what each
means), optionally with `location` and `quote`. A row is identified by its trial ids, citation,
measure, timepoint, kind, group label and role: loading it again changes nothing; loading it with
other numbers changes the row and records the change. Rows no longer in a file are left alone
(a file may hold only some trials' extraction).

Flags are read from the note: LINK-INFERRED, SECONDARY SOURCE, PRE-CORRECTION, and "events"
rows that count events rather than participants. A flagged row is shown with its flags and is
pooled only once a curator clears it (`clear_published_result`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from evidence.models import PublishedResult
from trials.curating.fields import CurationError
from trials.models import Trial, TrialChange

REQUIRED = (
    "nct_id",
    "citation",
    "pmid_or_doi",
    "source_url",
    "design",
    "outcome_domain",
    "measure",
    "timepoint",
    "kind",
    "group_label",
    "group_role",
    "n",
    "n_cell",
    "n_control",
    "value",
    "dispersion_type",
    "dispersion_or_lower",
    "upper",
    "p_value",
    "note",
)
OPTIONAL = ("location", "quote")
KINDS = {k for k, _ in PublishedResult.KINDS}
ROLES = {r for r, _ in PublishedResult.ROLES}
_NCT = re.compile(r"^NCT\d{8}$")
_FLAG_WORDS = {
    "link-inferred": re.compile(r"LINK-INFERRED"),
    "secondary-source": re.compile(r"SECONDARY SOURCE"),
    "pre-correction": re.compile(r"PRE-CORRECTION"),
    "counts-events": re.compile(
        r"number of events|count(?:s|ing)? events|events, not participants", re.I
    ),
}
_COMPARED = ("nct_ids", "trial_id", *[f for f in REQUIRED if f != "nct_id"], *OPTIONAL, "flags")


class ExtractionError(CurationError):
    """Rows of an extraction file that cannot be loaded: (row number, reason) each."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        super().__init__("; ".join(f"row {row}: {reason}" for row, reason in problems))


@dataclass
class LoadResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


def _number(text: str, column: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text.replace("−", "-"))
    except ValueError:
        raise CurationError(f"{column} {text!r} is not a number") from None


def flags_of(note: str, measure: str = "") -> list[str]:
    """The flags a row's note (or, for counted events, its measure) raises."""
    text = f"{note or ''} {measure or ''}"
    return [slug for slug, pattern in _FLAG_WORDS.items() if pattern.search(text)]


def row_key(fields: dict) -> str:
    identity = "\x1f".join(
        (fields.get(c) or "").strip()
        for c in ("nct_id", "citation", "measure", "timepoint", "kind", "group_label", "group_role")
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def _parse_row(fields: dict, trials: dict[str, int]) -> dict:
    ids = [i.strip() for i in (fields["nct_id"] or "").split(";") if i.strip()]
    for nct_id in ids:
        if not _NCT.match(nct_id):
            raise CurationError(f"nct_id {nct_id!r} is not an NCT id")
    for column in ("citation", "source_url", "measure"):
        if not (fields[column] or "").strip():
            raise CurationError(f"{column} is required")
    if not fields["source_url"].strip().startswith(("https://", "http://")):
        raise CurationError("source_url must be a web address: every number names its page")
    kind, role = fields["kind"].strip(), fields["group_role"].strip()
    if kind not in KINDS:
        raise CurationError(f"kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    if role not in ROLES:
        raise CurationError(f"group_role {role!r} is not one of {', '.join(sorted(ROLES))}")
    values = {c: _number(fields[c], c) for c in ("n", "n_cell", "n_control", "value")}
    values["dispersion_or_lower"] = _number(fields["dispersion_or_lower"], "dispersion_or_lower")
    values["upper"] = _number(fields["upper"], "upper")
    for column in ("n", "n_cell", "n_control"):
        if values[column] is not None and values[column] < 0:
            raise CurationError(f"{column} cannot be negative")
    note = (fields["note"] or "").strip()
    return {
        "key": row_key(fields),
        "nct_ids": "; ".join(ids),
        "trial_id": trials.get(ids[0]) if len(ids) == 1 else None,
        "citation": fields["citation"].strip(),
        "pmid_or_doi": (fields["pmid_or_doi"] or "").strip(),
        "source_url": fields["source_url"].strip(),
        "location": (fields.get("location") or "").strip(),
        "quote": (fields.get("quote") or "").strip(),
        "design": (fields["design"] or "").strip(),
        "outcome_domain": (fields["outcome_domain"] or "").strip(),
        "measure": fields["measure"].strip(),
        "timepoint": (fields["timepoint"] or "").strip(),
        "kind": kind,
        "group_label": (fields["group_label"] or "").strip(),
        "group_role": role,
        **values,
        "dispersion_type": (fields["dispersion_type"] or "").strip(),
        "p_value": (fields["p_value"] or "").strip(),
        "note": note,
        "flags": flags_of(note, fields["measure"]),
    }


def read_extraction(text: str) -> list[tuple[int, dict]]:
    """Parse and check every row; raise ExtractionError listing every bad row (line numbers)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ExtractionError([(1, f"missing columns: {', '.join(missing)}")])
    rows = list(reader)
    wanted = {i.strip() for r in rows for i in (r.get("nct_id") or "").split(";") if i.strip()}
    trials = dict(Trial.objects.filter(nct_id__in=wanted).values_list("nct_id", "pk"))
    parsed, problems, seen = [], [], {}
    for number, fields in enumerate(rows, start=2):
        try:
            row = _parse_row(fields, trials)
        except CurationError as exc:
            problems.append((number, str(exc)))
            continue
        if row["key"] in seen:
            problems.append((number, f"the same result as row {seen[row['key']]}"))
            continue
        seen[row["key"]] = number
        parsed.append((number, row))
    if problems:
        raise ExtractionError(problems)
    return parsed


def _history(trial_id, old: str, new: str, note: str, curator_name: str, at) -> TrialChange:
    return TrialChange(
        trial_id=trial_id,
        at=at,
        kind=TrialChange.Kind.CURATION,
        field="published_result",
        old_value=old,
        new_value=new,
        curator_name=curator_name,
        note=note,
    )


def _summary(row) -> str:
    get = row.get if isinstance(row, dict) else lambda f: getattr(row, f)
    return (
        f"{get('measure')[:80]}, {get('timepoint')[:40]}, {get('group_label')[:40]}: {get('value')}"
    )


@transaction.atomic
def load_published_results(
    *, text: str, curator_name: str, note: str, at: datetime | None = None
) -> LoadResult:
    """Load an extraction file: every row checked first, nothing written if one is bad."""
    if not note.strip():
        raise CurationError("loading an extraction needs a note saying what it is")
    rows = read_extraction(text)
    at = at or timezone.now()
    existing = {
        r.key: r for r in PublishedResult.objects.filter(key__in=[r["key"] for _, r in rows])
    }
    result, changes = LoadResult(), []
    for number, row in rows:
        current = existing.get(row["key"])
        if current is None:
            PublishedResult.objects.create(
                **row, row_number=number, curator_name=curator_name, updated_at=at
            )
            result.created += 1
            if row["trial_id"]:
                changes.append(_history(row["trial_id"], "", _summary(row), note, curator_name, at))
            continue
        if all(getattr(current, f) == row[f] for f in _COMPARED):
            result.unchanged += 1
            continue
        old = _summary(current)
        for f in _COMPARED:
            setattr(current, f, row[f])
        current.row_number, current.curator_name, current.updated_at = number, curator_name, at
        current.save()
        result.changed += 1
        if current.trial_id:
            changes.append(_history(current.trial_id, old, _summary(row), note, curator_name, at))
    TrialChange.objects.bulk_create(changes)
    return result


@transaction.atomic
def clear_published_result(
    *,
    result: PublishedResult,
    cleared: bool | None = None,
    preferred: bool | None = None,
    note: str,
    curator=None,
    curator_name: str = "",
    at: datetime | None = None,
) -> bool:
    """Clear a flagged row for pooling, or prefer it over the registry (or undo either); noted
    and in the trial's history. False when nothing changed."""
    if not note or not note.strip():
        raise CurationError("a curation needs a note saying why")
    before = (result.cleared, result.preferred)
    if cleared is not None:
        result.cleared = cleared
    if preferred is not None:
        result.preferred = preferred
    if (result.cleared, result.preferred) == before:
        return False
    at = at or timezone.now()
    result.curator_note = note.strip()
    result.curator_name = curator.get_username() if curator else curator_name
    result.updated_at = at
    result.save()
    if result.trial_id:
        words = {True: "yes", False: "no"}
        TrialChange.objects.create(
            trial_id=result.trial_id,
            at=at,
            kind=TrialChange.Kind.CURATION,
            field="published_result",
            old_value=f"{_summary(result)}; cleared {words[before[0]]}, "
            f"preferred {words[before[1]]}",
            new_value=f"{_summary(result)}; cleared {words[result.cleared]}, "
            f"preferred {words[result.preferred]}",
            curator=curator,
            curator_name=curator_name,
            note=note.strip(),
        )
    return True
