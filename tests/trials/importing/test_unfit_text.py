"""A record whose text the outputs cannot carry, or that is far too long, imports cleaned and
bounded, once, at the import; its raw record keeps what the registry sent."""

import copy
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import load_record
from tests.helpers import upsert
from trials.models import Trial
from trials.registries.json_reader import TITLE

pytestmark = pytest.mark.django_db

NUROWN = "NCT03280056"


def nurown_titled(title: str) -> dict:
    record = copy.deepcopy(load_record("snapshot/2022-10", NUROWN))
    record["protocolSection"]["identificationModule"]["briefTitle"] = title
    return record


@pytest.mark.parametrize("control", ["\u000b", "\x1f"])
def test_a_title_with_a_control_character_imports_and_the_feed_stays_valid_xml(client, control):
    result = upsert(nurown_titled(f"MSC-NTF{control} cells in ALS"))

    assert result.created == [NUROWN]
    trial = Trial.objects.get(nct_id=NUROWN)
    assert trial.brief_title == "MSC-NTF  cells in ALS"
    raw_title = trial.raw_record["protocolSection"]["identificationModule"]["briefTitle"]
    assert raw_title == f"MSC-NTF{control} cells in ALS"
    response = client.get(reverse("changes:feed"))
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # raises on a character XML 1.0 forbids
    assert "MSC-NTF  cells in ALS" in ET.tostring(feed, encoding="unicode")


def test_a_one_megabyte_title_is_cut_with_a_warning(caplog):
    result = upsert(nurown_titled("x" * 1_000_000))

    assert result.created == [NUROWN]
    assert Trial.objects.get(nct_id=NUROWN).brief_title == "x" * TITLE
    assert "identificationModule.briefTitle: 1,000,000 characters, cut to 1,000" in caplog.text


def _every_string_made(record, text: str):
    if isinstance(record, dict):
        return {k: v if k == "nctId" else _every_string_made(v, text) for k, v in record.items()}
    if isinstance(record, list):
        return [_every_string_made(v, text) for v in record]
    return text if isinstance(record, str) else record


def test_a_record_whose_every_text_is_far_too_long_imports_within_every_column():
    # On PostgreSQL a value wider than its column fails the whole batch: each must be bounded.
    record = load_record("snapshot/2020-07-28", "NCT01363401")  # with results: evidence too
    result = upsert(_every_string_made(record, "Z" * 5_000))

    assert result.created == ["NCT01363401"]
    trial = Trial.objects.get(nct_id="NCT01363401")
    assert trial.brief_title == "Z" * TITLE
    assert trial.overall_status == ""  # an unknown code too long for its column: left empty


def test_a_nul_in_a_record_never_costs_the_rest_of_its_page():
    other = load_record("snapshot/2022-10", "NCT02290886")
    result = upsert(nurown_titled("MSC-NTF\x00 cells in ALS"), other)

    assert "NCT02290886" in result.created
    if connection.vendor == "postgresql":  # jsonb cannot hold \u0000: the raw record is refused
        assert result.rejections == [
            {
                "nct_id": NUROWN,
                "reason": "the record holds a \\u0000, which the database cannot store",
                "source": "test",
            }
        ]
    else:
        assert Trial.objects.get(nct_id=NUROWN).brief_title == "MSC-NTF  cells in ALS"
