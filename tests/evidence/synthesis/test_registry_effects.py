"""Effects of posted registry results, read from the bundled records and checked by hand."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.synthesis.registry_effects import registry_effects
from tests.conftest import load_record
from tests.helpers import upsert
from trials.models import Trial

pytestmark = pytest.mark.django_db

HYNR = "NCT01363401"


@pytest.fixture
def hynr():
    upsert(load_record("snapshot/2020-07-28", HYNR))
    return Trial.objects.filter(nct_id=HYNR)


def test_nct01363401_alsfrs_r_change_is_cells_minus_no_treatment(hynr):
    effects = registry_effects(hynr)
    alsfrs = next(e for e in effects if "ALSFRS-R" in e.measure)
    # Checked by hand against the record: HYNR-CS Inj. -1.36 (SD 2.39, n 39) vs No Treatment
    # -4.67 (SD 3.25, n 27): MD 3.31, 95% CI 1.87 to 4.75.
    assert (alsfrs.cell.label, alsfrs.cell.n, alsfrs.cell.value, alsfrs.cell.sd) == (
        "HYNR-CS Inj.",
        39,
        -1.36,
        2.39,
    )
    assert (alsfrs.control.label, alsfrs.control.n, alsfrs.control.value, alsfrs.control.sd) == (
        "No Treatment",
        27,
        -4.67,
        3.25,
    )
    assert alsfrs.comparison == "controlled"
    assert alsfrs.effect_measure == "MD"
    assert round(alsfrs.effect.estimate, 2) == 3.31
    assert (round(alsfrs.effect.ci_low, 2), round(alsfrs.effect.ci_high, 2)) == (1.87, 4.75)
    assert alsfrs.timepoint == "baseline(Visit 5) and week 16(Visit 9)"
    assert alsfrs.outcome_domain == "function"
    assert alsfrs.n == 66


def test_the_design_is_read_from_the_record(hynr):
    effect = registry_effects(hynr)[0]
    trial = hynr.get()
    assert effect.design.randomized is (trial.allocation == "RANDOMIZED")
    assert effect.design.masking == trial.masking
    assert effect.design.control_type == "no treatment"
    assert effect.design.phases == ("PHASE1", "PHASE2")


def test_every_posted_mean_with_an_sd_becomes_an_effect(hynr):
    # Four measures, each MEAN (Standard Deviation) of the two groups: four mean differences.
    effects = registry_effects(hynr)
    assert [e.effect_measure for e in effects] == ["MD"] * 4
    fvc = next(e for e in effects if "FVC" in e.measure)
    assert round(fvc.effect.estimate, 2) == round(-10.51 - -10.75, 2)


def test_the_effects_of_many_trials_cost_nine_queries(db):
    from tests.helpers import import_snapshot

    import_snapshot()
    with CaptureQueriesContext(connection) as queries:
        effects = registry_effects(Trial.objects.all())
    assert len(queries) == 9
    assert {e.nct_id for e in effects} >= {HYNR}
