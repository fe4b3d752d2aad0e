"""refresh_effective_labels: the effective values and the facet rows it owns."""

import pytest

from tests.conftest import load_record
from tests.helpers import upsert
from trials.curating.services import curate
from trials.models import Trial, TrialFacet

pytestmark = pytest.mark.django_db


def test_refreshing_labels_rewrites_its_own_facets_and_leaves_other_apps_facets_alone():
    upsert(load_record("snapshot/2022-10", "NCT03280056"))
    trial = Trial.objects.get(nct_id="NCT03280056")
    # Facets another app (evidence) writes for this trial; trials never writes these names.
    TrialFacet.objects.filter(trial=trial, facet__in=["outcome_domains", "ae_categories"]).delete()
    TrialFacet.objects.bulk_create(
        [
            TrialFacet(trial=trial, facet="outcome_domains", value="function"),
            TrialFacet(trial=trial, facet="ae_categories", value="headache"),
        ]
    )
    TrialFacet.objects.filter(trial=trial, facet="routes").delete()  # stale: to be rewritten

    curate(
        trial=trial, field_name="routes", value=["intrathecal"], note="arm text", curator_name="t"
    )

    facets = set(trial.facets.values_list("facet", "value"))
    assert {("outcome_domains", "function"), ("ae_categories", "headache")} <= facets
    assert ("routes", "intrathecal") in facets
    assert ("phases", "PHASE3") in facets
