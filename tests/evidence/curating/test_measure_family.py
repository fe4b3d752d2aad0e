"""A curator moves a trial's measure to another family: by curation file, kept, in the history."""

import pytest

from evidence.models import MeasureFamilyCuration
from evidence.synthesis.registry_effects import registry_effects
from tests.evidence.conftest import HYNR, SF36, reimport_changed
from trials.curating import files as curation
from trials.models import Trial, TrialChange

pytestmark = pytest.mark.django_db

HEADER = "nct_id,field,value,note,curator\n"
ROW = f'{HYNR},"measure_family:secondary:{SF36}",alsaq-40,test: read as ALSAQ-40,ana\n'


def sf36_effect():
    return next(
        e for e in registry_effects(Trial.objects.filter(nct_id=HYNR)) if "SF-36" in e.measure
    )


def test_a_file_row_sets_the_family_its_effect_is_read_with(hynr):
    assert sf36_effect().measure_family == "sf-36"

    result = curation.apply_curation_file(text=HEADER + ROW)

    assert result.applied == 1
    assert sf36_effect().measure_family == "alsaq-40"
    change = TrialChange.objects.get(trial=hynr, field="measure_family")
    assert (change.old_value, change.new_value) == (f"{SF36}: sf-36", f"{SF36}: alsaq-40")
    assert change.note == "test: read as ALSAQ-40"


def test_the_family_survives_a_reimport_and_auto_hands_it_back(hynr):
    curation.apply_curation_file(text=HEADER + ROW)
    reimport_changed()
    assert sf36_effect().measure_family == "alsaq-40"

    curation.apply_curation_file(text=HEADER + ROW.replace(",alsaq-40,", ",auto,"))

    assert sf36_effect().measure_family == "sf-36"
    assert MeasureFamilyCuration.objects.count() == 2


def test_an_unknown_family_rejects_the_whole_file_with_its_row(hynr):
    bad = HEADER + ROW + ROW.replace("alsaq-40", "wellbeing").replace("secondary", "primary")
    with pytest.raises(curation.CurationFileError) as error:
        curation.apply_curation_file(text=bad)

    [(row, reason)] = error.value.problems
    assert row == 3
    assert "unknown measure family 'wellbeing'" in reason
    assert not MeasureFamilyCuration.objects.exists()


def test_the_curation_is_exported_back(hynr):
    curation.apply_curation_file(text=HEADER + ROW)
    rows = [r for h in curation.extensions.file_fields().values() for r in h.export()]
    assert [
        HYNR,
        f"measure_family:secondary:{SF36}",
        "alsaq-40",
        "test: read as ALSAQ-40",
        "ana",
    ] in [list(r) for r in rows]
