"""Registration ids: which registry an id belongs to, and when two ids name the same study.

A study registered in several places is one trial. Its registration ids are the registry ids a
record gives for itself and for the other registrations it names (ICTRP's `TrialID` and
`Secondary_ID`s; a ClinicalTrials.gov record's `secondaryIdInfos` and `orgStudyIdInfo`). Sponsor
protocol codes are not registration ids, even when two records share one: a sponsor reuses its
codes across studies and registries spell them differently, so they would merge wrong trials.

Each id has a *key*, the part that names the study across registries: an EU CTR registration is
one record per member state (`EUCTR2021-000037-14-ES`, `…-FR`), and the study is its EudraCT
number `2021-000037-14`, which other registries cite bare or with a member-state suffix. Records
whose keys intersect are one trial, transitively (`group_records`).

This module owns the registry vocabulary: the slugs, names and links below.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Registry:
    slug: str
    name: str
    url: str  # a registration's page, with {id} for the id as registered


# ICTRP's page for a registration works for every registry it gathers, whatever that registry's
# own site does; ClinicalTrials.gov and the EU register have stable pages of their own.
_ICTRP_PAGE = "https://trialsearch.who.int/Trial2.aspx?TrialID={id}"
REGISTRIES: dict[str, Registry] = {
    r.slug: r
    for r in (
        Registry("ctgov", "ClinicalTrials.gov", "https://clinicaltrials.gov/study/{id}"),
        Registry(
            "euctr",
            "EU Clinical Trials Register",
            "https://www.clinicaltrialsregister.eu/ctr-search/search?query={id}",
        ),
        Registry("ctis", "EU Clinical Trials Information System (CTIS)", _ICTRP_PAGE),
        Registry("isrctn", "ISRCTN registry", "https://www.isrctn.com/{id}"),
        Registry("jprn", "Japan Primary Registries Network (jRCT, JapicCTI, UMIN)", _ICTRP_PAGE),
        Registry("drks", "German Clinical Trials Register (DRKS)", _ICTRP_PAGE),
        Registry("chictr", "Chinese Clinical Trial Registry (ChiCTR)", _ICTRP_PAGE),
        Registry("ctri", "Clinical Trials Registry - India (CTRI)", _ICTRP_PAGE),
        Registry("irct", "Iranian Registry of Clinical Trials (IRCT)", _ICTRP_PAGE),
        Registry("cris", "Clinical Research Information Service, Korea (CRIS)", _ICTRP_PAGE),
        Registry("anzctr", "Australian New Zealand Clinical Trials Registry", _ICTRP_PAGE),
        Registry("nl", "Netherlands trial registers (NL-OMON, NTR)", _ICTRP_PAGE),
    )
}


@dataclass(frozen=True)
class RegistrationId:
    """One registration id as a record gives it, with the registry and the study key."""

    registry: str  # a REGISTRIES slug
    id: str  # as registered, normalised in case and spacing: "EUCTR2021-000037-14-ES"
    key: str  # what names the study across registries: "eudract:2021-000037-14"

    @property
    def url(self) -> str:
        return REGISTRIES[self.registry].url.format(id=self.id)


_EUDRACT = r"(?P<eudract>(?:19|20)\d{2}-0\d{5}-\d{2})"
# Tried in order on each id, anchored at both ends. An id that matches none is not a
# registration id (a sponsor code, a grant number, an ethics reference, EU PAS, a WHO UTN).
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ctgov", re.compile(r"(?P<id>NCT\d{8})", re.I)),
    # EU CTR: one record per member state (EUCTR + EudraCT number + country), or the bare number.
    ("euctr", re.compile(rf"(?P<id>(?:EUCTR)?{_EUDRACT}(?:-[A-Z]{{2,3}})?)", re.I)),
    # CTIS numbers look like EudraCT's but their middle part starts with 5 and they end "-00".
    ("ctis", re.compile(r"(?P<id>(?:CTIS)?(?P<ctis>(?:19|20)\d{2}-5\d{5}-\d{2}-\d{2}))", re.I)),
    ("isrctn", re.compile(r"(?P<id>ISRCTN\d{8})", re.I)),
    (
        "jprn",
        re.compile(
            r"(?:JPRN-)?(?P<id>jRCT(?:\d{10}|[a-z]\d{9})|JapicCTI-?\d{6}|UMIN\d{9}|JMA-IIA\d{5})",
            re.I,
        ),
    ),
    ("drks", re.compile(r"(?P<id>DRKS\d{8})", re.I)),
    ("chictr", re.compile(r"(?P<id>ChiCTR(?:-[A-Z]{2,4}-)?\d{8,10})", re.I)),
    ("ctri", re.compile(r"(?P<id>CTRI/\d{4}/\d{2,3}/\d{6})", re.I)),
    ("irct", re.compile(r"(?P<id>IRCT\d{8,14}N\d{1,3})", re.I)),
    ("cris", re.compile(r"(?P<id>KCT\d{7})", re.I)),
    ("anzctr", re.compile(r"(?P<id>ACTRN\d{14})", re.I)),
    ("nl", re.compile(r"(?P<id>NL-OMON\d+|NTR\d{1,5})", re.I)),
]


def _canonical(registry: str, raw: str) -> str:
    text = raw.upper()
    if registry == "jprn":
        if text.startswith("JRCT"):
            return "jRCT" + raw[4:].lower() if raw[4:5].isalpha() else "jRCT" + raw[4:]
        if text.startswith("JAPICCTI"):
            return "JapicCTI-" + text.removeprefix("JAPICCTI").lstrip("-")
        return text
    if registry == "chictr":
        return "ChiCTR" + text[6:]
    return text


def parse_id(text: str) -> RegistrationId | None:
    """The registration id `text` is, or None when it is no registry's id."""
    candidate = re.sub(r"\s+", "", text or "").strip(".,;")
    for registry, pattern in _PATTERNS:
        match = pattern.fullmatch(candidate)
        if not match:
            continue
        groups = match.groupdict()
        if registry == "euctr":
            eudract = groups["eudract"]
            rest = match["id"][len("EUCTR") :] if match["id"].upper().startswith("EUCTR") else None
            # A bare number (or one with a member-state suffix) cited by another record names
            # the study; a record of the EU register itself carries the EUCTR prefix.
            registered = f"EUCTR{rest.upper()}" if rest else eudract
            return RegistrationId("euctr", registered, f"eudract:{eudract}")
        if registry == "ctis":
            return RegistrationId("ctis", groups["ctis"], f"ctis:{groups['ctis']}")
        canonical = _canonical(registry, match["id"])
        return RegistrationId(registry, canonical, f"{registry}:{canonical.upper()}")
    return None


def split_ids(text: str) -> list[str]:
    """The ids in a field that lists several (ICTRP's `Secondary_ID`: `;`-separated)."""
    return [part.strip() for part in re.split(r"[;,\n]", text or "") if part.strip()]


def registration_ids(texts: Iterable[str]) -> list[RegistrationId]:
    """The registration ids among these texts, each once, in order; the rest are left out."""
    found: dict[tuple[str, str], RegistrationId] = {}
    for text in texts:
        for part in split_ids(text):
            parsed = parse_id(part)
            if parsed is not None:
                found.setdefault((parsed.registry, parsed.id.upper()), parsed)
    return list(found.values())


def group_records(keys_of: Mapping[Hashable, Iterable[str]]) -> list[list[Hashable]]:
    """Records whose keys intersect, transitively: each group in the order of `keys_of`.

    `keys_of` maps a record to the study keys of its registration ids (RegistrationId.key).
    """
    parent: dict[Hashable, Hashable] = {record: record for record in keys_of}

    def root(record: Hashable) -> Hashable:
        while parent[record] != record:
            parent[record] = parent[parent[record]]
            record = parent[record]
        return record

    owner: dict[str, Hashable] = {}
    for record, keys in keys_of.items():
        for key in keys:
            if key in owner:
                a, b = root(owner[key]), root(record)
                if a != b:
                    parent[b] = a
            else:
                owner[key] = record
    groups: dict[Hashable, list[Hashable]] = {}
    for record in keys_of:
        groups.setdefault(root(record), []).append(record)
    return list(groups.values())
