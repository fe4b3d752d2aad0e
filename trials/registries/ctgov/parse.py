"""Registry JSON (API v2 study) in, plain frozen dataclasses out. Pure: no ORM, no network.

Tolerant by design, through the one lenient reader the evidence parser shares
(trials.registries.json_reader: what it keeps, cleans and bounds, and the limits of each kind of
text): a missing module gives empty values, a value of the wrong type is kept when it can be and
left empty otherwise, an unknown enum value is kept as the registry wrote it, and each is reported
in `ParsedStudy.warnings` (and logged). A `pmid` that is not digits is left out of its reference.
Only a record we cannot identify (no valid NCT id) is rejected, with a `RecordRejected` that
carries the reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trials.registries.ctgov import enums
from trials.registries.json_reader import NAME, SHORT_TEXT, TITLE, LenientReader

logger = logging.getLogger(__name__)

NCT_ID_RE = re.compile(r"^NCT\d{8}$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_PMID_RE = re.compile(r"^\d{1,10}$")


class RecordRejected(ValueError):
    """A registry record that cannot be imported; `reason` says why, `nct_id` if it had one."""

    def __init__(self, reason: str, nct_id: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.nct_id = nct_id


@dataclass(frozen=True)
class PartialDate:
    """A registry date that may be only a year or a month ('2020-12'), kept with its precision.

    `value` is the first day of the period so that dates sort and compare; `precision` says how
    much of it the registry actually gave.
    """

    value: date
    precision: str  # "day" | "month" | "year"
    type: str = ""  # "ACTUAL" | "ESTIMATED" | "" when the registry gave none

    def __str__(self) -> str:
        if self.precision == "year":
            return f"{self.value.year:04d}"
        if self.precision == "month":
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


@dataclass(frozen=True)
class Sponsor:
    name: str
    sponsor_class: str = ""


@dataclass(frozen=True)
class ArmGroup:
    label: str
    type: str = ""
    description: str = ""
    intervention_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intervention:
    type: str
    name: str
    description: str = ""
    other_names: tuple[str, ...] = ()
    arm_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    facility: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    status: str = ""


@dataclass(frozen=True)
class Official:
    name: str = ""
    affiliation: str = ""
    role: str = ""


@dataclass(frozen=True)
class Reference:
    pmid: str = ""
    type: str = ""
    citation: str = ""


@dataclass(frozen=True)
class ParsedStudy:
    nct_id: str
    brief_title: str = ""
    official_title: str = ""
    acronym: str = ""
    organization: str = ""
    overall_status: str = ""
    last_known_status: str = ""
    why_stopped: str = ""
    start_date: PartialDate | None = None
    primary_completion_date: PartialDate | None = None
    completion_date: PartialDate | None = None
    first_posted: PartialDate | None = None
    last_update_posted: PartialDate | None = None
    results_first_posted: PartialDate | None = None
    phases: tuple[str, ...] = ()
    study_type: str = ""
    allocation: str = ""
    intervention_model: str = ""
    intervention_model_description: str = ""  # designInfo: some records state the route only here
    masking: str = ""
    primary_purpose: str = ""
    enrollment_count: int | None = None
    enrollment_type: str = ""
    has_results: bool = False
    lead_sponsor: Sponsor = field(default_factory=lambda: Sponsor(name=""))
    collaborators: tuple[Sponsor, ...] = ()
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    brief_summary: str = ""
    detailed_description: str = ""
    sex: str = ""
    minimum_age: str = ""
    maximum_age: str = ""
    healthy_volunteers: bool | None = None
    eligibility_criteria: str = ""
    arms: tuple[ArmGroup, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    locations: tuple[Location, ...] = ()
    officials: tuple[Official, ...] = ()
    references: tuple[Reference, ...] = ()
    version_date: date | None = None
    warnings: tuple[str, ...] = ()

    @property
    def countries(self) -> list[str]:
        return sorted({loc.country for loc in self.locations if loc.country})


def content_hash(record: dict[str, Any]) -> str:
    """A stable hash of a registry record: same content, same hash, whatever the key order.

    The registry stamps every record it serves with the day's data version
    (`derivedSection.miscInfoModule.versionHolder`), which changes daily even when the study does
    not; it is left out so that an unchanged study re-fetched tomorrow hashes the same.
    """
    derived = record.get("derivedSection")
    misc = derived.get("miscInfoModule") if isinstance(derived, dict) else None
    if isinstance(misc, dict) and "versionHolder" in misc:
        record = {
            **record,
            "derivedSection": {
                **derived,
                "miscInfoModule": {k: v for k, v in misc.items() if k != "versionHolder"},
            },
        }
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_partial_date(raw: Any) -> tuple[date, str] | None:
    """'2020', '2020-12' or '2020-12-31' → (first day of the period, precision); else None."""
    if not isinstance(raw, str):
        return None
    match = _DATE_RE.match(raw.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            return date(int(year), int(month), int(day)), "day"
        if month:
            return date(int(year), int(month), 1), "month"
        return date(int(year), 1, 1), "year"
    except ValueError:
        return None


class StudyReader(LenientReader):
    """The lenient reader (trials.registries.json_reader), with the registry's dates."""

    def __init__(self, nct_id: str):
        super().__init__(nct_id, logger)

    def date_struct(self, parent: dict[str, Any], key: str, where: str) -> PartialDate | None:
        struct = self.obj(parent, key, where)
        return self.date(struct, "date", f"{where}.{key}", struct) if struct else None

    def date(
        self, parent: dict[str, Any], key: str, where: str, struct: dict[str, Any] | None = None
    ) -> PartialDate | None:
        raw = parent.get(key)
        if raw in (None, ""):
            return None
        parsed = parse_partial_date(raw)
        if parsed is None:
            self.warn(f"unreadable date {raw!r} for {where}.{key} (left empty)")
            return None
        kind = self.enum(struct, "type", enums.DATE_TYPES, where, limit=10) if struct else ""
        return PartialDate(value=parsed[0], precision=parsed[1], type=kind)


def nct_id_of(record: Any) -> str:
    """The record's NCT id as written, or '' when it has none (for messages about bad records)."""
    if not isinstance(record, dict):
        return ""
    protocol = record.get("protocolSection")
    if not isinstance(protocol, dict):
        return ""
    ident = protocol.get("identificationModule")
    value = ident.get("nctId") if isinstance(ident, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _identify(record: Any) -> str:
    """The record's NCT id; RecordRejected when the record cannot be identified."""
    if not isinstance(record, dict):
        raise RecordRejected(f"a study must be a JSON object, got {type(record).__name__}")
    if not isinstance(record.get("protocolSection"), dict):
        raise RecordRejected("no protocolSection", nct_id_of(record))
    nct_id = nct_id_of(record)
    if not nct_id:
        raise RecordRejected("no NCT id (protocolSection.identificationModule.nctId)")
    if not NCT_ID_RE.match(nct_id):
        raise RecordRejected(f"malformed NCT id {nct_id!r}", nct_id)
    return nct_id


def parse_study(record: Any) -> ParsedStudy:
    """Parse one API v2 study object; raise RecordRejected when it cannot be identified."""
    nct_id = _identify(record)
    r = StudyReader(nct_id)
    protocol = record["protocolSection"]
    module = {name: r.obj(protocol, name, "protocolSection") for name in _MODULES}
    arms_module = module["armsInterventionsModule"]
    derived = r.obj(record, "derivedSection", "study")
    version_holder = r.date(
        r.obj(derived, "miscInfoModule", "derivedSection"), "versionHolder", "miscInfoModule"
    )
    fields = {
        **_identification(r, module["identificationModule"]),
        **_status(r, module["statusModule"]),
        **_design(r, module["designModule"]),
        **_sponsors(r, module["sponsorCollaboratorsModule"]),
        **_description(r, module["descriptionModule"], module["conditionsModule"]),
        **_eligibility(r, module["eligibilityModule"]),
        **_places_and_people(r, module["contactsLocationsModule"]),
        "arms": arm_groups(r, arms_module),
        "interventions": _interventions(r, arms_module),
        "references": _references(r, module["referencesModule"]),
        "has_results": record.get("hasResults") is True,
        "version_date": version_holder.value if version_holder else None,
    }
    return ParsedStudy(nct_id=nct_id, **fields, warnings=tuple(r.warnings))


_MODULES = (
    "identificationModule",
    "statusModule",
    "sponsorCollaboratorsModule",
    "descriptionModule",
    "conditionsModule",
    "designModule",
    "armsInterventionsModule",
    "eligibilityModule",
    "contactsLocationsModule",
    "referencesModule",
)
# The widths of the code columns narrower than CODE (trials.models.Trial).
_STATUS_WIDTH, _PURPOSE_WIDTH, _TYPE_WIDTH, _SHORT_CODE_WIDTH = 40, 30, 30, 10
_AGE = 30  # "18 Years": Trial.minimum_age's width


def _identification(r: StudyReader, ident: dict[str, Any]) -> dict[str, Any]:
    where = "identificationModule"
    organization = r.obj(ident, "organization", where)
    return {
        "brief_title": r.text(ident, "briefTitle", where, TITLE),
        "official_title": r.text(ident, "officialTitle", where, TITLE),
        "acronym": r.text(ident, "acronym", where, SHORT_TEXT),
        "organization": r.text(organization, "fullName", f"{where}.organization", NAME),
    }


def _status(r: StudyReader, status: dict[str, Any]) -> dict[str, Any]:
    where, statuses = "statusModule", enums.OVERALL_STATUSES
    return {
        "overall_status": r.enum(status, "overallStatus", statuses, where, _STATUS_WIDTH),
        "last_known_status": r.enum(status, "lastKnownStatus", statuses, where, _STATUS_WIDTH),
        "why_stopped": r.text(status, "whyStopped", where, TITLE),
        "start_date": r.date_struct(status, "startDateStruct", where),
        "primary_completion_date": r.date_struct(status, "primaryCompletionDateStruct", where),
        "completion_date": r.date_struct(status, "completionDateStruct", where),
        "first_posted": r.date_struct(status, "studyFirstPostDateStruct", where),
        "last_update_posted": r.date_struct(status, "lastUpdatePostDateStruct", where),
        "results_first_posted": r.date_struct(status, "resultsFirstPostDateStruct", where),
    }


def _design(r: StudyReader, design: dict[str, Any]) -> dict[str, Any]:
    where = "designModule"
    info = r.obj(design, "designInfo", where)
    masking = r.obj(info, "maskingInfo", "designInfo")
    enrollment = r.obj(design, "enrollmentInfo", where)
    phases = (r.code(p, enums.PHASES, f"{where}.phases") for p in r.texts(design, "phases", where))
    return {
        "phases": tuple(phase for phase in phases if phase),
        "study_type": r.enum(design, "studyType", enums.STUDY_TYPES, where),
        "allocation": r.enum(info, "allocation", enums.ALLOCATIONS, "designInfo"),
        "intervention_model": r.enum(
            info, "interventionModel", enums.INTERVENTION_MODELS, "designInfo"
        ),
        "intervention_model_description": r.text(
            info, "interventionModelDescription", "designInfo"
        ),
        "masking": r.enum(masking, "masking", enums.MASKINGS, "maskingInfo"),
        "primary_purpose": r.enum(
            info, "primaryPurpose", enums.PRIMARY_PURPOSES, "designInfo", _PURPOSE_WIDTH
        ),
        "enrollment_count": r.count(enrollment, "count", "enrollmentInfo"),
        "enrollment_type": r.enum(
            enrollment, "type", enums.ENROLLMENT_TYPES, "enrollmentInfo", _SHORT_CODE_WIDTH
        ),
    }


def _sponsors(r: StudyReader, sponsors: dict[str, Any]) -> dict[str, Any]:
    where, classes = "sponsorCollaboratorsModule", enums.SPONSOR_CLASSES
    lead = r.obj(sponsors, "leadSponsor", where)
    collaborators = (
        Sponsor(
            name=r.text(c, "name", f"collaborators[{i}]", NAME),
            sponsor_class=r.enum(c, "class", classes, f"collaborators[{i}]"),
        )
        for i, c in enumerate(r.dicts(sponsors, "collaborators", where))
    )
    return {
        "lead_sponsor": Sponsor(
            name=r.text(lead, "name", "leadSponsor", NAME),
            sponsor_class=r.enum(lead, "class", classes, "leadSponsor"),
        ),
        "collaborators": tuple(c for c in collaborators if c.name),
    }


def _description(
    r: StudyReader, description: dict[str, Any], conditions: dict[str, Any]
) -> dict[str, Any]:
    return {
        "conditions": r.texts(conditions, "conditions", "conditionsModule", TITLE),
        "keywords": r.texts(conditions, "keywords", "conditionsModule", TITLE),
        "brief_summary": r.text(description, "briefSummary", "descriptionModule"),
        "detailed_description": r.text(description, "detailedDescription", "descriptionModule"),
    }


def _eligibility(r: StudyReader, eligibility: dict[str, Any]) -> dict[str, Any]:
    where = "eligibilityModule"
    return {
        "sex": r.enum(eligibility, "sex", enums.SEXES, where, _SHORT_CODE_WIDTH),
        "minimum_age": r.text(eligibility, "minimumAge", where, _AGE),
        "maximum_age": r.text(eligibility, "maximumAge", where, _AGE),
        "healthy_volunteers": r.flag(eligibility, "healthyVolunteers", where),
        "eligibility_criteria": r.text(eligibility, "eligibilityCriteria", where),
    }


def arm_groups(r: LenientReader, arms_module: dict[str, Any]) -> tuple[ArmGroup, ...]:
    """The arm groups of an armsInterventionsModule: the one reading of them, which the evidence
    parser (evidence.importing.parse) shares to link its results groups to the arms."""
    arms = []
    for i, raw in enumerate(r.dicts(arms_module, "armGroups", "armsInterventionsModule")):
        where = f"armGroups[{i}]"
        arms.append(
            ArmGroup(
                label=r.text(raw, "label", where, TITLE),
                type=r.enum(raw, "type", enums.ARM_GROUP_TYPES, where, _TYPE_WIDTH),
                description=r.text(raw, "description", where),
                intervention_names=r.texts(raw, "interventionNames", where, TITLE),
            )
        )
    return tuple(arms)


def _interventions(r: StudyReader, arms_module: dict[str, Any]) -> tuple[Intervention, ...]:
    interventions = []
    for i, raw in enumerate(r.dicts(arms_module, "interventions", "armsInterventionsModule")):
        where = f"interventions[{i}]"
        interventions.append(
            Intervention(
                type=r.enum(raw, "type", enums.INTERVENTION_TYPES, where, _TYPE_WIDTH),
                name=r.text(raw, "name", where, TITLE),
                description=r.text(raw, "description", where),
                other_names=r.texts(raw, "otherNames", where, TITLE),
                arm_labels=r.texts(raw, "armGroupLabels", where, TITLE),
            )
        )
    return tuple(interventions)


def _places_and_people(r: StudyReader, contacts: dict[str, Any]) -> dict[str, Any]:
    module = "contactsLocationsModule"
    locations = [
        Location(
            facility=r.text(loc, "facility", f"locations[{i}]", NAME),
            city=r.text(loc, "city", f"locations[{i}]", SHORT_TEXT),
            state=r.text(loc, "state", f"locations[{i}]", SHORT_TEXT),
            country=r.text(loc, "country", f"locations[{i}]", SHORT_TEXT),
            status=r.enum(
                loc, "status", enums.RECRUITMENT_STATUSES, f"locations[{i}]", _STATUS_WIDTH
            ),
        )
        for i, loc in enumerate(r.dicts(contacts, "locations", module))
    ]
    officials = [
        Official(
            name=r.text(o, "name", f"overallOfficials[{i}]", NAME),
            affiliation=r.text(o, "affiliation", f"overallOfficials[{i}]", NAME),
            role=r.text(o, "role", f"overallOfficials[{i}]", NAME),
        )
        for i, o in enumerate(r.dicts(contacts, "overallOfficials", module))
    ]
    return {"locations": tuple(locations), "officials": tuple(officials)}


def _references(r: StudyReader, references: dict[str, Any]) -> tuple[Reference, ...]:
    parsed = []
    for i, ref in enumerate(r.dicts(references, "references", "referencesModule")):
        where = f"references[{i}]"
        parsed.append(
            Reference(
                pmid=_pmid(r, ref, where),
                type=r.enum(ref, "type", enums.REFERENCE_TYPES, where),
                citation=r.text(ref, "citation", where),
            )
        )
    return tuple(parsed)


def _pmid(r: StudyReader, ref: dict[str, Any], where: str) -> str:
    """A PubMed id is digits (it becomes a link to PubMed): anything else is left out, reported."""
    pmid = r.text(ref, "pmid", where, SHORT_TEXT)
    if pmid and not _PMID_RE.match(pmid):
        r.warn(f"{where}.pmid {pmid!r} is not a PubMed id (digits): left out, citation kept")
        return ""
    return pmid
