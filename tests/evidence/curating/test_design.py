"""A curator corrects the design shown beside a trial's effects, by curation file."""

import pytest

from evidence.synthesis.registry_effects import registry_effects
from tests.evidence.conftest import HYNR
from trials.curating import files as curation
from trials.models import Trial, TrialChange

pytestmark = pytest.mark.django_db

HEADER = "nct_id,field,value,note,curator\n"


def design():
    return registry_effects(Trial.objects.filter(nct_id=HYNR))[0].design


def test_a_file_row_corrects_the_control_type_and_masking_and_auto_hands_them_back(hynr):
    assert (design().control_type, design().masking) == ("no treatment", "NONE")

    result = curation.apply_curation_file(
        text=HEADER
        + f"{HYNR},design:control_type,historical,test: paper says historical controls,ana\n"
        + f"{HYNR},design:masking,SINGLE,test: outcome assessors were blinded,ana\n"
    )

    assert result.applied == 2
    assert (design().control_type, design().masking, design().blinded) == (
        "historical",
        "SINGLE",
        True,
    )
    change = TrialChange.objects.get(trial=hynr, field="design_control_type")
    assert (change.old_value, change.new_value) == ("registry", "historical")

    curation.apply_curation_file(text=HEADER + f"{HYNR},design:control_type,auto,test: undo,ana\n")
    assert design().control_type == "no treatment"


def test_an_unknown_design_value_rejects_the_file_with_its_row(hynr):
    with pytest.raises(curation.CurationFileError) as error:
        curation.apply_curation_file(text=HEADER + f"{HYNR},design:control_type,vibes,why,ana\n")
    [(row, reason)] = error.value.problems
    assert row == 2 and "control_type takes" in reason
