"""Registry JSON (API v2 study) in, plain frozen dataclasses out. Pure: no ORM, no network.

Tolerant by design: a missing module gives empty values, an unknown enum value is kept as the
registry wrote it and reported in `ParsedStudy.warnings` (and logged). Only a record we cannot
identify (no valid NCT id) is rejected, with a `RecordRejected` that carries the reason.
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

logger = logging.getLogger(__name__)

NCT_ID_RE = re.compile(r"^NCT\d{8}$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


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


class _Reader:
    """Collects the warnings of one record while its fields are read."""

    def __init__(self, nct_id: str):
        self.nct_id = nct_id
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        logger.warning("%s: %s", self.nct_id, message)

    def enum(self, value: Any, known: frozenset[str], where: str) -> str:
        if value is None or value == "":
            return ""
        text = str(value)
        if text not in known:
            self.warn(f"unknown value {text!r} for {where} (kept as given)")
        return text

    def date_struct(self, struct: Any, where: str) -> PartialDate | None:
        if not isinstance(struct, dict):
            return None
        return self.date(struct.get("date"), where, struct.get("type"))

    def date(self, raw: Any, where: str, date_type: Any = None) -> PartialDate | None:
        if raw in (None, ""):
            return None
        parsed = parse_partial_date(raw)
        if parsed is None:
            self.warn(f"unreadable date {raw!r} for {where} (left empty)")
            return None
        kind = self.enum(date_type, enums.DATE_TYPES, f"{where}.type")
        return PartialDate(value=parsed[0], precision=parsed[1], type=kind)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _texts(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(text for text in (_text(v) for v in values) if text)


def _dicts(values: Any) -> list[dict[str, Any]]:
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


def _module(section: dict[str, Any], name: str) -> dict[str, Any]:
    module = section.get(name)
    return module if isinstance(module, dict) else {}


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


def parse_study(record: Any) -> ParsedStudy:
    """Parse one API v2 study object; raise RecordRejected when it cannot be identified."""
    if not isinstance(record, dict):
        raise RecordRejected(f"a study must be a JSON object, got {type(record).__name__}")
    protocol = record.get("protocolSection")
    if not isinstance(protocol, dict):
        raise RecordRejected("no protocolSection", nct_id_of(record))
    nct_id = nct_id_of(record)
    if not nct_id:
        raise RecordRejected("no NCT id (protocolSection.identificationModule.nctId)")
    if not NCT_ID_RE.match(nct_id):
        raise RecordRejected(f"malformed NCT id {nct_id!r}", nct_id)

    r = _Reader(nct_id)
    ident = _module(protocol, "identificationModule")
    status = _module(protocol, "statusModule")
    sponsors = _module(protocol, "sponsorCollaboratorsModule")
    description = _module(protocol, "descriptionModule")
    conditions = _module(protocol, "conditionsModule")
    design = _module(protocol, "designModule")
    design_info = design.get("designInfo") if isinstance(design.get("designInfo"), dict) else {}
    masking_info = design_info.get("maskingInfo")
    masking_info = masking_info if isinstance(masking_info, dict) else {}
    enrollment = design.get("enrollmentInfo")
    enrollment = enrollment if isinstance(enrollment, dict) else {}
    arms_module = _module(protocol, "armsInterventionsModule")
    eligibility = _module(protocol, "eligibilityModule")
    contacts = _module(protocol, "contactsLocationsModule")
    references = _module(protocol, "referencesModule")
    derived = record.get("derivedSection") if isinstance(record.get("derivedSection"), dict) else {}
    misc = _module(derived, "miscInfoModule")
    organization = ident.get("organization")
    organization = organization if isinstance(organization, dict) else {}
    lead = sponsors.get("leadSponsor")
    lead = lead if isinstance(lead, dict) else {}

    enrollment_count = enrollment.get("count")
    if enrollment_count is not None and (
        isinstance(enrollment_count, bool) or not isinstance(enrollment_count, int)
    ):
        try:
            enrollment_count = int(enrollment_count)
        except (TypeError, ValueError):
            r.warn(f"unreadable enrollment count {enrollment_count!r} (left empty)")
            enrollment_count = None
    if enrollment_count is not None and enrollment_count < 0:
        r.warn(f"negative enrollment count {enrollment_count} (left empty)")
        enrollment_count = None

    healthy = eligibility.get("healthyVolunteers")
    version_holder = r.date(misc.get("versionHolder"), "versionHolder")

    return ParsedStudy(
        nct_id=nct_id,
        brief_title=_text(ident.get("briefTitle")),
        official_title=_text(ident.get("officialTitle")),
        acronym=_text(ident.get("acronym")),
        organization=_text(organization.get("fullName")),
        overall_status=r.enum(status.get("overallStatus"), enums.OVERALL_STATUSES, "overallStatus"),
        last_known_status=r.enum(
            status.get("lastKnownStatus"), enums.OVERALL_STATUSES, "lastKnownStatus"
        ),
        why_stopped=_text(status.get("whyStopped")),
        start_date=r.date_struct(status.get("startDateStruct"), "startDate"),
        primary_completion_date=r.date_struct(
            status.get("primaryCompletionDateStruct"), "primaryCompletionDate"
        ),
        completion_date=r.date_struct(status.get("completionDateStruct"), "completionDate"),
        first_posted=r.date_struct(status.get("studyFirstPostDateStruct"), "studyFirstPostDate"),
        last_update_posted=r.date_struct(
            status.get("lastUpdatePostDateStruct"), "lastUpdatePostDate"
        ),
        results_first_posted=r.date_struct(
            status.get("resultsFirstPostDateStruct"), "resultsFirstPostDate"
        ),
        phases=tuple(r.enum(p, enums.PHASES, "phases") for p in _texts(design.get("phases"))),
        study_type=r.enum(design.get("studyType"), enums.STUDY_TYPES, "studyType"),
        allocation=r.enum(design_info.get("allocation"), enums.ALLOCATIONS, "allocation"),
        intervention_model=r.enum(
            design_info.get("interventionModel"), enums.INTERVENTION_MODELS, "interventionModel"
        ),
        intervention_model_description=_text(design_info.get("interventionModelDescription")),
        masking=r.enum(masking_info.get("masking"), enums.MASKINGS, "masking"),
        primary_purpose=r.enum(
            design_info.get("primaryPurpose"), enums.PRIMARY_PURPOSES, "primaryPurpose"
        ),
        enrollment_count=enrollment_count,
        enrollment_type=r.enum(enrollment.get("type"), enums.ENROLLMENT_TYPES, "enrollmentInfo"),
        has_results=record.get("hasResults") is True,
        lead_sponsor=Sponsor(
            name=_text(lead.get("name")),
            sponsor_class=r.enum(lead.get("class"), enums.SPONSOR_CLASSES, "leadSponsor.class"),
        ),
        collaborators=tuple(
            Sponsor(
                name=_text(c.get("name")),
                sponsor_class=r.enum(c.get("class"), enums.SPONSOR_CLASSES, "collaborator.class"),
            )
            for c in _dicts(sponsors.get("collaborators"))
            if _text(c.get("name"))
        ),
        conditions=_texts(conditions.get("conditions")),
        keywords=_texts(conditions.get("keywords")),
        brief_summary=_text(description.get("briefSummary")),
        detailed_description=_text(description.get("detailedDescription")),
        sex=r.enum(eligibility.get("sex"), enums.SEXES, "sex"),
        minimum_age=_text(eligibility.get("minimumAge")),
        maximum_age=_text(eligibility.get("maximumAge")),
        healthy_volunteers=healthy if isinstance(healthy, bool) else None,
        eligibility_criteria=_text(eligibility.get("eligibilityCriteria")),
        arms=tuple(
            ArmGroup(
                label=_text(a.get("label")),
                type=r.enum(a.get("type"), enums.ARM_GROUP_TYPES, "armGroup.type"),
                description=_text(a.get("description")),
                intervention_names=_texts(a.get("interventionNames")),
            )
            for a in _dicts(arms_module.get("armGroups"))
        ),
        interventions=tuple(
            Intervention(
                type=r.enum(i.get("type"), enums.INTERVENTION_TYPES, "intervention.type"),
                name=_text(i.get("name")),
                description=_text(i.get("description")),
                other_names=_texts(i.get("otherNames")),
                arm_labels=_texts(i.get("armGroupLabels")),
            )
            for i in _dicts(arms_module.get("interventions"))
        ),
        locations=tuple(
            Location(
                facility=_text(loc.get("facility")),
                city=_text(loc.get("city")),
                state=_text(loc.get("state")),
                country=_text(loc.get("country")),
                status=r.enum(loc.get("status"), enums.RECRUITMENT_STATUSES, "location.status"),
            )
            for loc in _dicts(contacts.get("locations"))
        ),
        officials=tuple(
            Official(
                name=_text(o.get("name")),
                affiliation=_text(o.get("affiliation")),
                role=_text(o.get("role")),
            )
            for o in _dicts(contacts.get("overallOfficials"))
        ),
        references=tuple(
            Reference(
                pmid=_text(ref.get("pmid")),
                type=r.enum(ref.get("type"), enums.REFERENCE_TYPES, "reference.type"),
                citation=_text(ref.get("citation")),
            )
            for ref in _dicts(references.get("references"))
        ),
        version_date=version_holder.value if version_holder else None,
        warnings=tuple(r.warnings),
    )
