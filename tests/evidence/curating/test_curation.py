"""Curated outcome domains and adverse-event categories: audited, applied, kept across imports."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from evidence.curating.services import curate_event_category, curate_outcome_domain
from evidence.importing.services import rebuild_all_evidence
from evidence.models import (
    AdverseEvent,
    EventCategoryCuration,
    OutcomeDomainCuration,
    OutcomeMeasure,
    RegisteredOutcome,
)
from tests.conftest import load_record
from tests.evidence.conftest import SF36, reimport_changed
from tests.helpers import upsert
from trials.curating.fields import CurationError

pytestmark = pytest.mark.django_db


def sf36_rows(trial):
    return [
        *RegisteredOutcome.objects.filter(trial=trial, measure=SF36),
        *OutcomeMeasure.objects.filter(trial=trial, title=SF36),
    ]


def test_a_curated_domain_applies_to_the_registered_and_the_posted_outcome(hynr):
    user = get_user_model().objects.create(username="ana")
    at = datetime(2025, 3, 1, tzinfo=UTC)

    curation = curate_outcome_domain(
        trial=hynr,
        outcome_type="secondary",
        measure=SF36,
        domain="function",
        note="test: SF-36 physical functioning used as the function endpoint",
        curator=user,
        at=at,
    )

    rows = sf36_rows(hynr)
    assert len(rows) == 2
    for row in rows:
        assert (row.domain, row.domain_origin) == ("function", "curated")
        # The classifier's verdict and its reason stay beside the curated value.
        assert (row.auto_domain, row.domain_phrase) == ("quality-of-life", "SF-36")
    assert (curation.who, curation.created_at, curation.outcome_kind) == ("ana", at, "secondary")
    assert hynr.facet_values("outcome_domains") == ["function", "respiratory"]


def test_a_curated_domain_survives_a_reimport_and_a_full_rebuild(hynr):
    curate_outcome_domain(
        trial=hynr,
        outcome_type="SECONDARY",
        measure=SF36.upper() + ".",  # case and punctuation do not matter
        domain="function",
        note="test",
        curator_name="ana",
    )

    reimport_changed()
    assert [(r.domain, r.domain_origin) for r in sf36_rows(hynr)] == [("function", "curated")] * 2
    rebuild_all_evidence(only_stale=False)

    assert [(r.domain, r.domain_origin) for r in sf36_rows(hynr)] == [("function", "curated")] * 2
    assert "quality-of-life" not in hynr.facet_values("outcome_domains")
    assert "quality-of-life" not in hynr.facet_values("result_domains")


def test_reverting_a_domain_hands_it_back_to_the_classifier_and_keeps_the_history(hynr):
    for domain in ("function", None):
        curate_outcome_domain(
            trial=hynr,
            outcome_type="secondary",
            measure=SF36,
            domain=domain,
            note="test",
            curator_name="ana",
        )
    reimport_changed()

    assert [(r.domain, r.domain_origin) for r in sf36_rows(hynr)] == [
        ("quality-of-life", "auto")
    ] * 2
    assert list(OutcomeDomainCuration.objects.values_list("domain", flat=True)) == [
        "",
        "function",
    ]


def test_the_same_domain_twice_records_one_curation(hynr):
    kwargs = {"trial": hynr, "outcome_type": "secondary", "measure": SF36, "domain": "function"}

    first = curate_outcome_domain(**kwargs, note="test", curator_name="ana")
    second = curate_outcome_domain(**kwargs, note="again", curator_name="ana")

    assert first is not None and second is None
    assert OutcomeDomainCuration.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"note": "  "}, "needs a note"),
        ({"domain": "mood"}, "unknown outcome domain 'mood'"),
        ({"outcome_type": "tertiary"}, "unknown outcome type 'tertiary'"),
        ({"measure": "Change in mood"}, "has no secondary outcome 'Change in mood'"),
        ({"outcome_type": "primary"}, "has no primary outcome"),
    ],
)
def test_a_domain_curation_that_cannot_apply_is_refused_with_the_reason(hynr, kwargs, message):
    arguments = {
        "trial": hynr,
        "outcome_type": "secondary",
        "measure": SF36,
        "domain": "function",
        "note": "test",
        "curator_name": "ana",
        **kwargs,
    }

    with pytest.raises(CurationError, match=message):
        curate_outcome_domain(**arguments)

    assert not OutcomeDomainCuration.objects.exists()


def test_a_curated_category_applies_to_the_term_in_every_trial_now_and_later(hynr):
    curate_event_category(
        term="Neck pain",
        category="procedural-pain",
        note="test: neck pain after the lumbar puncture",
        curator_name="ana",
    )
    # A trial imported after the curation gets it too.
    upsert(load_record("other/2022-09-28", "NCT02165904"))

    events = AdverseEvent.objects.filter(term="Neck pain")
    assert {e.trial.nct_id for e in events} == {"NCT01363401", "NCT02165904"}
    for event in events:
        assert (event.category, event.category_origin) == ("procedural-pain", "curated")
        assert event.auto_category == "other"
    curation = EventCategoryCuration.objects.get()
    assert (curation.term_key, curation.who) == ("neck pain", "ana")


def test_a_curated_category_survives_a_reimport_and_moves_the_trials_facet(hynr):
    # 'Dizziness' (other) affected participants of NCT01363401; nothing else is 'fatigue' there.
    assert "fatigue" not in hynr.facet_values("ae_categories")

    curate_event_category(term="DIZZINESS", category="fatigue", note="test", curator_name="ana")
    assert "fatigue" in hynr.facet_values("ae_categories")
    reimport_changed()

    event = AdverseEvent.objects.get(trial=hynr, term="Dizziness")
    assert (event.category, event.category_origin, event.auto_category) == (
        "fatigue",
        "curated",
        "other",
    )
    assert "fatigue" in hynr.facet_values("ae_categories")


def test_reverting_a_category_restores_the_csv_mapping(hynr):
    curate_event_category(term="Neck pain", category="tumour", note="t", curator_name="a")
    curate_event_category(term="Neck pain", category=None, note="t", curator_name="a")

    event = AdverseEvent.objects.get(trial=hynr, term="Neck pain")
    assert (event.category, event.category_origin) == ("other", "auto")
    assert "tumour" not in hynr.facet_values("ae_categories")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"note": ""}, "needs a note"),
        ({"category": "hiccups"}, "unknown category 'hiccups'"),
        ({"term": " - "}, "a term is needed"),
    ],
)
def test_a_category_curation_that_cannot_apply_is_refused_with_the_reason(hynr, kwargs, message):
    arguments = {"term": "Neck pain", "category": "other", "note": "t", **kwargs}

    with pytest.raises(CurationError, match=message):
        curate_event_category(**arguments)

    assert not EventCategoryCuration.objects.exists()


def test_evidence_curations_appear_in_the_trials_history(hynr, client):
    curate_outcome_domain(
        trial=hynr,
        outcome_type="secondary",
        measure=SF36,
        domain="function",
        note="test: SF-36 physical functioning used as the function endpoint",
        curator_name="ana",
    )
    curate_event_category(
        term="Neck pain",
        category="procedural-pain",
        note="test: neck pain after the lumbar puncture",
        curator_name="ana",
    )

    changes = list(hynr.changes.filter(kind="curation").order_by("pk"))
    assert [(c.field, c.old_value, c.new_value, c.curator_name) for c in changes] == [
        ("outcome_domain", f"{SF36}: quality-of-life", f"{SF36}: function", "ana"),
        ("event_category", "Neck pain: other", "Neck pain: procedural-pain", "ana"),
    ]
    page = client.get(f"/trials/{hynr.nct_id}/").content.decode()
    assert "neck pain after the lumbar puncture" in page
    assert "Neck pain: procedural-pain" in page
