"""A WHO ICTRP export (`<Trials_downloaded_from_ICTRP><Trial>…`) in, plain frozen dataclasses out.

Pure: no ORM, no network. The export is a curator's download from the ICTRP search portal; each
`<Trial>` is one registration in one registry, in that registry's own loose conventions: values
padded with newlines, HTML `<br>` inside them, dates as `dd/mm/yyyy`, `yyyymmdd`, `20 May 2024`
or `April 25, 2024`, phases as a word or as EU CTR's four yes/no lines, gender as
`Female: yes<br>Male: yes`, countries `;`-separated. What is there is read; what cannot be read
is left empty and said in `IctrpRecord.warnings` (and logged). Only a record without a
registration id of its own is rejected.

The export is read element by element (`iterparse`), so a large export costs the memory of one
record, not of the file.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from trials.registries.ctgov.parse import RecordRejected
from trials.registries.ids import RegistrationId, parse_id, registration_ids, split_ids

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IctrpRecord:
    """One registration as ICTRP exports it; field names follow the tracker's (ParsedStudy)."""

    trial_id: str  # as registered: "EUCTR2021-000037-14-ES"
    registry: str  # trials.registries.ids.REGISTRIES slug
    registration_ids: tuple[RegistrationId, ...]  # its own first, then those it cites
    source_register: str  # ICTRP's name for the registry
    web_address: str
    last_refreshed: date | None  # ICTRP's Last_Refreshed_on: which of two versions is newer
    brief_title: str
    official_title: str
    acronym: str
    lead_sponsor: str
    collaborators: tuple[str, ...]
    registered: date | None
    start_date: date | None
    enrollment_count: int | None
    study_type: str  # INTERVENTIONAL | OBSERVATIONAL | EXPANDED_ACCESS | ""
    study_design: str
    phases: tuple[str, ...]  # the registry's enum values: PHASE1 … PHASE4, NA
    recruitment_status: str  # the registry's own word ("Authorised", "Not recruiting")
    overall_status: str  # the registry enum, where the word says one unambiguously
    countries: tuple[str, ...]
    sex: str  # ALL | FEMALE | MALE | ""
    minimum_age: str
    maximum_age: str
    conditions: tuple[str, ...]
    interventions: tuple[str, ...]
    primary_outcomes: str
    secondary_outcomes: str
    eligibility_criteria: str
    has_results: bool
    results_url: str
    results_first_posted: date | None
    warnings: tuple[str, ...] = ()


_BR = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def clean(text: str | None) -> str:
    """A value as people read it: `<br>` as a line break, padding and blank lines gone."""
    if not text:
        return ""
    text = _BR.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


_DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d %B %Y",
    "%B %d, %Y",
    "%Y-%m-%d",
    "%d %b %Y",
    "%B %Y",
)


def parse_date(text: str) -> date | None:
    """A date in any of the forms ICTRP's registries write; None when it is none of them."""
    text = clean(text)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_PHASE_WORDS = {"0": "EARLY_PHASE1", "1": "PHASE1", "2": "PHASE2", "3": "PHASE3", "4": "PHASE4"}
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4"}
_EU_PHASE_LINE = re.compile(r"\(Phase (I|II|III|IV)\):\s*(yes|no)", re.IGNORECASE)
_PHASE_NUMBER = re.compile(r"phase\s*([0-4]|iv|i{1,3})\b|^([0-4])$", re.IGNORECASE)
_NO_PHASE = {"", "n/a", "na", "not applicable", "not selected", "none"}


def parse_phases(text: str) -> tuple[tuple[str, ...], bool]:
    """(phases, understood): EU CTR's yes/no lines, "Phase 2/Phase 3", "3", "N/A"."""
    text = clean(text)
    if text.lower() in _NO_PHASE:
        return (("NA",) if text.lower() in {"n/a", "na", "not applicable"} else ()), True
    eu_lines = _EU_PHASE_LINE.findall(text)
    if eu_lines:
        found = [_PHASE_WORDS[_ROMAN[roman.upper()]] for roman, yes in eu_lines if yes == "yes"]
        return tuple(found), True
    numbers = []
    for match in _PHASE_NUMBER.finditer(text):
        word = (match.group(1) or match.group(2)).upper()
        numbers.append(_PHASE_WORDS[_ROMAN.get(word, word)])
    return tuple(dict.fromkeys(numbers)), bool(numbers)


_STUDY_TYPES = (
    ("interventional", "INTERVENTIONAL"),
    ("observational", "OBSERVATIONAL"),
    ("expanded access", "EXPANDED_ACCESS"),
)


def parse_study_type(text: str) -> str:
    lowered = clean(text).lower()
    return next((value for word, value in _STUDY_TYPES if lowered.startswith(word)), "")


# Only words that say one registry status; "Not recruiting" can be active, completed or stopped,
# and "Authorised" (EU CTR) says a regulator approved it, not whether it recruits.
_STATUSES = {
    "recruiting": "RECRUITING",
    "not yet recruiting": "NOT_YET_RECRUITING",
    "completed": "COMPLETED",
    "terminated": "TERMINATED",
    "withdrawn": "WITHDRAWN",
    "suspended": "SUSPENDED",
}


def parse_sex(text: str) -> tuple[str, bool]:
    lowered = clean(text).lower()
    if lowered in {"all", "both", "male and female"}:
        return "ALL", True
    female = re.search(r"female:\s*(yes|no)", lowered)
    male = re.search(r"(?<!fe)male:\s*(yes|no)", lowered)
    if female and male:
        sexes = {
            ("yes", "yes"): "ALL",
            ("yes", "no"): "FEMALE",
            ("no", "yes"): "MALE",
        }
        return sexes.get((female.group(1), male.group(1)), ""), True
    if lowered in {"female", "male"}:
        return lowered.upper(), True
    return "", lowered == ""


def _age(text: str) -> str:
    value = clean(text)
    return "" if value.lower() in {"n/a", "none", "not applicable", "no limit"} else value


_GROUP_SIZE = re.compile(r"^[^:;]+:\s*(\d+)$")


def parse_target_size(text: str) -> int | None:
    """A number, or per-group sizes ("control group:50;sepsis group:50;", ChiCTR) summed."""
    value = clean(text).replace(",", "")
    if value.isdigit():
        return int(value)
    groups = [part.strip() for part in value.split(";") if part.strip()]
    sizes = [_GROUP_SIZE.match(part) for part in groups]
    if groups and all(sizes):
        return sum(int(size.group(1)) for size in sizes)
    return None


def _list(text: str) -> tuple[str, ...]:
    return tuple(part for part in (clean(p) for p in re.split(r"[;\n]", clean(text))) if part)


class _Fields:
    """The text of a `<Trial>`'s children, cleaned, and the warnings of reading them."""

    def __init__(self, element: ET.Element):
        self.raw = {child.tag: child.text or "" for child in element}
        self.warnings: list[str] = []

    def __getitem__(self, tag: str) -> str:
        return clean(self.raw.get(tag, ""))

    def date(self, *tags: str) -> date | None:
        for tag in tags:
            if self[tag]:
                parsed = parse_date(self[tag])
                if parsed is not None:
                    return parsed
                self.warnings.append(f"{tag}: unreadable date {self[tag]!r}")
        return None


def parse_trial(element: ET.Element) -> IctrpRecord:
    """One `<Trial>` element → IctrpRecord; RecordRejected when it has no registration id."""
    fields = _Fields(element)
    trial_id = fields["TrialID"]
    own = parse_id(trial_id)
    if own is None:
        raise RecordRejected(f"TrialID {trial_id!r} is not a registration id of a known registry")
    phases, understood = parse_phases(fields["Phase"])
    if not understood:
        fields.warnings.append(f"Phase: unreadable {fields['Phase']!r}")
    sex, understood = parse_sex(fields["Inclusion_gender"])
    if not understood:
        fields.warnings.append(f"Inclusion_gender: unreadable {fields['Inclusion_gender']!r}")
    if fields["Target_size"] and parse_target_size(fields["Target_size"]) is None:
        fields.warnings.append(f"Target_size: not a number {fields['Target_size']!r}")
    cited = registration_ids(split_ids(fields["Secondary_ID"]))
    values = {
        "trial_id": trial_id,
        "registry": own.registry,
        "registration_ids": (own, *(i for i in cited if i.key != own.key)),
        "source_register": fields["Source_Register"],
        "web_address": fields["web_address"],
        "last_refreshed": fields.date("Last_Refreshed_on"),
        "brief_title": fields["Public_title"],
        "official_title": fields["Scientific_title"],
        "acronym": fields["Acronym"],
        "lead_sponsor": fields["Primary_sponsor"],
        "collaborators": _list(fields["Secondary_Sponsor"]),
        "registered": fields.date("Date_registration", "Date_registration3"),
        "start_date": fields.date("Date_enrollement"),
        "enrollment_count": parse_target_size(fields["Target_size"]),
        "study_type": parse_study_type(fields["Study_type"]),
        "study_design": fields["Study_design"],
        "phases": phases,
        "recruitment_status": fields["Recruitment_Status"],
        "overall_status": _STATUSES.get(fields["Recruitment_Status"].lower(), ""),
        "countries": tuple(sorted(set(_list(fields["Countries"])))),
        "sex": sex,
        "minimum_age": _age(fields["Inclusion_agemin"]),
        "maximum_age": _age(fields["Inclusion_agemax"]),
        "conditions": _list(fields["Condition"]),
        "interventions": _list(fields["Intervention"]),
        "primary_outcomes": fields["Primary_outcome"],
        "secondary_outcomes": fields["Secondary_outcome"],
        "eligibility_criteria": "\n".join(
            part for part in (fields["Inclusion_Criteria"], fields["Exclusion_Criteria"]) if part
        ),
        "has_results": fields["results_yes_no"].lower() == "yes",
        "results_url": fields["results_url_link"],
        "results_first_posted": fields.date("results_date_posted"),
    }
    for warning in fields.warnings:
        logger.warning("%s: %s", values["trial_id"], warning)
    return IctrpRecord(**values, warnings=tuple(fields.warnings))


def read_export(source: str | IO[bytes]) -> Iterator[IctrpRecord | RecordRejected]:
    """Each `<Trial>` of an export, in file order: its record, or why it was rejected.

    Raises ET.ParseError for a file that is not well-formed XML (the caller rejects the file);
    records before the fault have been yielded.
    """
    for _event, element in ET.iterparse(source, events=("end",)):
        if element.tag != "Trial":
            continue
        try:
            yield parse_trial(element)
        except RecordRejected as rejected:
            yield rejected
        finally:
            element.clear()
