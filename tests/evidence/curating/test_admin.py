"""The curators' evidence screens: outcome domains and adverse-event term categories, each change
with a note, written as curations through the services, and only by curators."""

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import (
    AdverseEvent,
    EventCategoryCuration,
    EventTerm,
    OutcomeDomainCuration,
    OutcomeMeasure,
    RegisteredOutcome,
)
from tests.conftest import load_record
from tests.evidence.conftest import SF36, reimport_changed
from tests.helpers import upsert
from trials import labels
from trials.curating import files as curation

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def sf36_outcome(trial):
    return RegisteredOutcome.objects.get(trial=trial, measure=SF36)


def outcome_url(outcome):
    return reverse("admin:evidence_registeredoutcome_change", args=[outcome.pk])


def term_url(term):
    event = EventTerm.objects.filter(term=term).order_by("pk").first()
    return reverse("admin:evidence_eventterm_change", args=[event.pk])


def test_the_outcome_page_shows_the_automatic_domain_with_its_phrase_and_confidence(
    curator_client, hynr
):
    outcome = sf36_outcome(hynr)

    page = curator_client.get(outcome_url(outcome))

    assert page.status_code == 200
    text = page.content.decode()
    assert f"{labels.OUTCOME_DOMAINS[outcome.auto_domain]} — decided by" in text
    assert f"decided by “{outcome.domain_phrase}”" in text
    assert f"confidence {outcome.domain_confidence:.2f}" in text


def test_a_curator_sets_an_outcome_domain_with_a_note_through_the_service(
    curator_client, curator, hynr
):
    response = curator_client.post(
        outcome_url(sf36_outcome(hynr)),
        {"value": "function", "note": "SF-36 physical functioning is the function endpoint"},
    )

    assert response.status_code == 302
    row = OutcomeDomainCuration.objects.get()
    assert (row.trial, row.outcome_kind, row.domain, row.curator) == (
        hynr,
        "secondary",
        "function",
        curator,
    )
    # The service applied it to the registered outcome and the posted measure alike.
    assert sf36_outcome(hynr).domain_origin == "curated"
    posted = OutcomeMeasure.objects.get(trial=hynr, title=SF36)
    assert (posted.domain, posted.domain_origin) == ("function", "curated")
    page = curator_client.get(outcome_url(sf36_outcome(hynr)))
    assert "SF-36 physical functioning is the function endpoint" in page.content.decode()


def test_an_outcome_domain_change_without_a_note_is_refused_and_nothing_is_written(
    curator_client, hynr
):
    response = curator_client.post(outcome_url(sf36_outcome(hynr)), {"value": "function"})

    assert response.status_code == 200
    assert "every correction needs a note" in response.content.decode()
    assert not OutcomeDomainCuration.objects.exists()
    assert sf36_outcome(hynr).domain_origin == "auto"


def test_saving_an_outcome_unchanged_writes_no_curation(curator_client, hynr):
    response = curator_client.post(outcome_url(sf36_outcome(hynr)), {"value": "", "note": ""})

    assert response.status_code == 302
    assert not OutcomeDomainCuration.objects.exists()


def test_a_curator_clears_a_domain_from_the_posted_measure_page(curator_client, hynr):
    measure = OutcomeMeasure.objects.get(trial=hynr, title=SF36)
    url = reverse("admin:evidence_outcomemeasure_change", args=[measure.pk])
    curator_client.post(url, {"value": "function", "note": "physical functioning"})

    curator_client.post(url, {"value": "", "note": "quality of life after all"})

    assert list(OutcomeDomainCuration.objects.values_list("domain", flat=True)) == ["", "function"]
    assert sf36_outcome(hynr).domain_origin == "auto"


def test_the_outcome_list_searches_by_nct_id_and_filters_by_origin(curator_client, hynr):
    curation_url = reverse("admin:evidence_registeredoutcome_changelist")
    curator_client.post(outcome_url(sf36_outcome(hynr)), {"value": "function", "note": "n"})

    curated = curator_client.get(curation_url, {"q": hynr.nct_id, "domain_origin": "curated"})
    missing = curator_client.get(curation_url, {"q": "NCT00000000"})

    assert [o.measure for o in curated.context["cl"].result_list] == [SF36]
    assert list(missing.context["cl"].result_list) == []


def test_a_curator_sets_a_term_category_for_every_trial_with_a_note(curator_client, curator, hynr):
    upsert(load_record("other/2022-09-28", "NCT02165904"))

    response = curator_client.post(
        term_url("Neck pain"), {"value": "procedural-pain", "note": "after the lumbar puncture"}
    )

    assert response.status_code == 302
    row = EventCategoryCuration.objects.get()
    assert (row.term_key, row.category, row.curator) == ("neck pain", "procedural-pain", curator)
    events = AdverseEvent.objects.filter(term="Neck pain")
    assert {(e.trial.nct_id, e.category_origin) for e in events} == {
        ("NCT01363401", "curated"),
        ("NCT02165904", "curated"),
    }


def test_a_term_category_change_without_a_note_is_refused(curator_client, hynr):
    response = curator_client.post(term_url("Neck pain"), {"value": "procedural-pain"})

    assert response.status_code == 200
    assert not EventCategoryCuration.objects.exists()


def test_the_term_list_has_one_row_per_term_with_its_trials_and_curated_value(curator_client, hynr):
    upsert(load_record("other/2022-09-28", "NCT02165904"))
    curator_client.post(term_url("Neck pain"), {"value": "procedural-pain", "note": "LP"})

    page = curator_client.get(reverse("admin:evidence_eventterm_changelist"), {"q": "neck pain"})

    (row,) = page.context["cl"].result_list
    assert (row.term, row.trial_count, row.curated_category) == ("Neck pain", 2, "procedural-pain")
    assert (row.auto_low, row.auto_high) == ("other", "other")


def test_the_term_page_shows_the_deciding_pattern_and_the_history(curator_client, hynr):
    curator_client.post(term_url("Pyrexia"), {"value": "other", "note": "after the infusion"})

    text = curator_client.get(term_url("Pyrexia")).content.decode()

    # The automatic category and the ae_categories.csv pattern that decided it, then who and why.
    assert "fever|febrile|pyrexia" in text
    assert "after the infusion" in text and "cora" in text


def test_an_admin_curation_survives_a_reimport(curator_client, hynr):
    curator_client.post(outcome_url(sf36_outcome(hynr)), {"value": "function", "note": "n"})
    curator_client.post(term_url("Neck pain"), {"value": "procedural-pain", "note": "LP"})

    reimport_changed()

    assert sf36_outcome(hynr).domain == "function"
    assert AdverseEvent.objects.get(trial=hynr, term="Neck pain").category == "procedural-pain"


@pytest.mark.parametrize("page", ["outcome", "term"])
def test_staff_outside_the_curators_group_can_neither_see_nor_change(
    client, staff_user, hynr, page
):
    client.force_login(staff_user)
    url = outcome_url(sf36_outcome(hynr)) if page == "outcome" else term_url("Neck pain")

    assert client.get(url).status_code == 403
    assert client.post(url, {"value": "tumour", "note": "why"}).status_code == 403
    assert not OutcomeDomainCuration.objects.exists()
    assert not EventCategoryCuration.objects.exists()


def test_nobody_adds_or_deletes_evidence_rows_or_edits_curations(client, superuser, hynr):
    client.force_login(superuser)
    outcome = sf36_outcome(hynr)
    curation_row = OutcomeDomainCuration.objects.create(
        trial=hynr,
        outcome_kind="secondary",
        measure_key=outcome.measure_key,
        measure=SF36,
        domain="function",
        note="n",
        created_at=timezone.now(),
    )

    assert client.get(reverse("admin:evidence_registeredoutcome_add")).status_code == 403
    delete = reverse("admin:evidence_registeredoutcome_delete", args=[outcome.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    history = reverse("admin:evidence_outcomedomaincuration_change", args=[curation_row.pk])
    assert client.post(history, {"note": "rewritten"}).status_code == 403
    assert RegisteredOutcome.objects.filter(pk=outcome.pk).exists()


def test_the_curators_group_gets_the_evidence_screens_and_nothing_more(curator):
    granted = {p for p in curator.get_all_permissions() if p.startswith("evidence.")}

    assert granted == {
        "evidence.view_registeredoutcome",
        "evidence.change_registeredoutcome",
        "evidence.view_outcomemeasure",
        "evidence.change_outcomemeasure",
        "evidence.view_eventterm",
        "evidence.change_eventterm",
        "evidence.view_outcomedomaincuration",
        "evidence.view_eventcategorycuration",
        "evidence.view_publishedresult",
        "evidence.change_publishedresult",
    }
    assert set(curation.curator_permissions()) >= granted
