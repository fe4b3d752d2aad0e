"""A trial with registered and posted outcomes and adverse events, imported the real way."""

import copy

import pytest

from tests.conftest import load_record
from tests.helpers import upsert
from trials.models import Trial

# NCT01363401 registers 'Change in SF-36 (The Short Form (36) Health Survey is a 36 Item)' as a
# secondary outcome (quality of life) and posts it under the same title; its adverse events
# include 'Neck pain', which the CSV maps to 'other', as it does in NCT02165904.
HYNR = "NCT01363401"
SF36 = "Change in SF-36 (The Short Form (36) Health Survey is a 36 Item)"


@pytest.fixture
def hynr(db):
    upsert(load_record("snapshot/2020-07-28", HYNR))
    return Trial.objects.get(nct_id=HYNR)


def reimport_changed(nct_id=HYNR, folder="snapshot/2020-07-28"):
    """Import a new version of the record (another adverse event), so the rows are rebuilt."""
    record = copy.deepcopy(load_record(folder, nct_id))
    record["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2030-01-01"
    record["resultsSection"]["adverseEventsModule"]["otherEvents"][0]["notes"] = "revised"
    upsert(record)
