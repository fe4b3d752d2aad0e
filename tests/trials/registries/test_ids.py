"""Registration ids: which registry an id is, what study it names, and which records are one."""

import xml.etree.ElementTree as ET

import pytest

from tests.conftest import FIXTURES
from trials.registries.ids import group_records, parse_id, registration_ids

ICTRP_EXPORT = FIXTURES / "ictrp" / "ICTRP-Results-hATTR-2024-06-09.xml"


@pytest.mark.parametrize(
    ("text", "registry", "registered", "key"),
    [
        ("NCT06360289", "ctgov", "NCT06360289", "ctgov:NCT06360289"),
        (" nct06360289\n", "ctgov", "NCT06360289", "ctgov:NCT06360289"),
        ("EUCTR2021-000037-14-ES", "euctr", "EUCTR2021-000037-14-ES", "eudract:2021-000037-14"),
        ("EUCTR2021-000037-14-FR", "euctr", "EUCTR2021-000037-14-FR", "eudract:2021-000037-14"),
        ("2021-000037-14-DK", "euctr", "2021-000037-14", "eudract:2021-000037-14"),
        ("2022-003405-30", "euctr", "2022-003405-30", "eudract:2022-003405-30"),
        ("CTIS2023-507385-11-00", "ctis", "2023-507385-11-00", "ctis:2023-507385-11-00"),
        ("JPRN-jRCT2071210009", "jprn", "jRCT2071210009", "jprn:JRCT2071210009"),
        ("JPRN-jRCTs031210288", "jprn", "jRCTs031210288", "jprn:JRCTS031210288"),
        ("JapicCTI-194846", "jprn", "JapicCTI-194846", "jprn:JAPICCTI-194846"),
        ("JPRN-UMIN000027045", "jprn", "UMIN000027045", "jprn:UMIN000027045"),
        ("DRKS00032447", "drks", "DRKS00032447", "drks:DRKS00032447"),
        ("ChiCTR2100050713", "chictr", "ChiCTR2100050713", "chictr:CHICTR2100050713"),
        ("ChiCTR-TRC-12002345", "chictr", "ChiCTR-TRC-12002345", "chictr:CHICTR-TRC-12002345"),
        ("CTRI/2019/03/018044", "ctri", "CTRI/2019/03/018044", "ctri:CTRI/2019/03/018044"),
        ("IRCT20120215009014N1", "irct", "IRCT20120215009014N1", "irct:IRCT20120215009014N1"),
        ("KCT0000379", "cris", "KCT0000379", "cris:KCT0000379"),
        ("ACTRN12614000123456", "anzctr", "ACTRN12614000123456", "anzctr:ACTRN12614000123456"),
        ("NL-OMON55279", "nl", "NL-OMON55279", "nl:NL-OMON55279"),
        ("NTR1234", "nl", "NTR1234", "nl:NTR1234"),
        ("ISRCTN12345678", "isrctn", "ISRCTN12345678", "isrctn:ISRCTN12345678"),
    ],
)
def test_each_registrys_ids_are_recognised_with_the_study_they_name(
    text, registry, registered, key
):
    parsed = parse_id(text)

    assert (parsed.registry, parsed.id, parsed.key) == (registry, registered, key)


@pytest.mark.parametrize(
    "text",
    [
        "ALN-TTR-NT-003",  # sponsor protocol codes
        "ISIS 420915-CS2",
        "NEOD001-301",
        "146070",
        "U1111-1296-5487",  # a WHO universal trial number names no registration
        "EUPAS37728",  # the EU PAS register of observational studies is not a trial registry
        "NL73848.000.21",  # a Dutch ethics (CCMO) file number
        "R01NS051306",  # a grant
        "Not applicable",
        "NCT1234567",  # one digit short
        "",
    ],
)
def test_sponsor_codes_and_other_numbers_are_not_registration_ids(text):
    assert parse_id(text) is None


def test_a_secondary_id_list_gives_its_registration_ids_once_in_order():
    ids = registration_ids(
        ["EUCTR2021-000037-14-PL", "NEOD001301;NCT04973137;146070;2021-000037-14-DK;nct04973137"]
    )

    assert [(i.registry, i.id) for i in ids] == [
        ("euctr", "EUCTR2021-000037-14-PL"),
        ("ctgov", "NCT04973137"),
        ("euctr", "2021-000037-14"),
    ]


def test_records_whose_keys_intersect_are_one_group_transitively():
    groups = group_records(
        {"a": ["k1"], "b": ["k2"], "c": ["k1", "k3"], "d": ["k3", "k2"], "e": []}
    )

    assert groups == [["a", "b", "c", "d"], ["e"]]


# The export's cross-registrations, read by hand from its TrialID and Secondary_ID fields (a
# shared sponsor code such as ALN-TTRSC-005 or ISIS420915-CS2 links nothing). Every other record
# of the export is a trial of its own.
CROSS_REGISTERED = [
    {"CTIS2023-507385-11-00", "NCT05697861"},  # both cite EudraCT 2022-003405-30
    {
        "EUCTR2021-000037-14-ES",
        "EUCTR2021-000037-14-PL",
        "EUCTR2021-000037-14-PT",
        "EUCTR2021-000037-14-HU",
        "EUCTR2021-000037-14-DK",
    },
    # jRCT cites NCT04136184 and 2019-001698-10; NL-OMON cites both; the PT record is the number.
    {"JPRN-jRCT2071210009", "NL-OMON55279", "EUCTR2019-001698-10-PT"},
    {"JPRN-jRCT2080224769", "NCT03759379"},
    {"NCT03862807", "EUCTR2018-003519-24-GB"},
    {"EUCTR2017-005115-13-FR", "EUCTR2017-005115-13-ES"},
    {"NCT02510261", "EUCTR2014-003877-40-ES"},
    {"EUCTR2014-003865-11-NL", "NCT02312206"},
    {"NCT02175004", "EUCTR2013-004561-13-PT"},
    {"NCT01960348", "EUCTR2013-002987-17-SE"},
]


def export_records() -> dict[str, list[str]]:
    """TrialID → its own and its secondary ids' texts, read straight from the XML."""
    records = {}
    for trial in ET.parse(ICTRP_EXPORT).getroot().iter("Trial"):
        trial_id = trial.findtext("TrialID").strip()
        records[trial_id] = [trial_id, (trial.findtext("Secondary_ID") or "").strip()]
    return records


def test_the_real_export_groups_into_its_cross_registered_trials():
    records = export_records()
    keys_of = {tid: [i.key for i in registration_ids(texts)] for tid, texts in records.items()}

    groups = [set(group) for group in group_records(keys_of)]

    assert len(records) == 95
    assert sorted(map(sorted, (g for g in groups if len(g) > 1))) == sorted(
        map(sorted, CROSS_REGISTERED)
    )
    assert len(groups) == 95 - sum(len(g) for g in CROSS_REGISTERED) + len(CROSS_REGISTERED)


def test_every_trial_id_of_the_real_export_is_a_registration_id():
    assert [tid for tid in export_records() if parse_id(tid) is None] == []
