"""The curators' admin: trials with their automatic labels, the curation form (every change with
a note, written as curations with history), the review queue, and read-only import runs."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.conftest import load_record
from tests.helpers import upsert
from trials.curating.services import curate
from trials.models import Curation, ImportRun, Review, Trial, TrialChange

pytestmark = pytest.mark.django_db

NUROWN = "NCT03280056"
SPAIN = "NCT02290886"


@pytest.fixture
def nurown():
    upsert(load_record("snapshot/2022-10", NUROWN), load_record("snapshot/2022-10", SPAIN))
    return Trial.objects.get(nct_id=NUROWN)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def change_url(trial):
    return reverse("admin:trials_trial_change", args=[trial.pk])


def form_data(trial, client, **changes):
    """The curation form as the page renders it, with `changes` on top (None drops a field)."""
    page = client.get(change_url(trial))
    form = page.context["adminform"].form
    data = {}
    for inline in page.context["inline_admin_formsets"]:  # read-only, but posted as rendered
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    for name in form.fields:
        value = form[name].value()
        if value in (None, False, "") or value == []:
            continue
        data[name] = value if not isinstance(value, bool) else "on"
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_the_trial_page_shows_the_automatic_labels_with_their_deciding_phrases(
    curator_client, nurown
):
    page = curator_client.get(change_url(nurown)).content.decode()

    assert "Autologous transplantation of bone marrow" not in page  # not the raw record
    assert "mesenchymal stem cells" in page  # the deciding phrase
    assert "Intervention 1 description" in page  # where it stands, in words
    assert "0.97" in page
    # The curator's words, not the code's.
    assert "intervention[0].description" not in page
    assert "<p>Cell source</p>" in page and "<p>cell_sources</p>" not in page


def test_a_curator_corrects_labels_with_a_note_and_the_history_records_it(
    curator_client, curator, nurown
):
    data = form_data(
        nurown,
        curator_client,
        curate_routes_override="on",
        curate_routes=["intrathecal", "intramuscular"],
        curate_donor_override="on",
        curate_donor="allogeneic",
        note="Cohort B got intramuscular injections (protocol v3)",
    )

    response = curator_client.post(change_url(nurown), data)

    assert response.status_code == 302
    assert nurown.facet_values("routes") == ["intramuscular", "intrathecal"]
    nurown.refresh_from_db()
    assert nurown.donor == "allogeneic"
    assert set(Curation.objects.values_list("field", "curator__username", "note")) == {
        ("routes", "cora", "Cohort B got intramuscular injections (protocol v3)"),
        ("donor", "cora", "Cohort B got intramuscular injections (protocol v3)"),
    }
    assert TrialChange.objects.filter(kind="curation", curator=curator).count() == 2


def test_a_correction_without_a_note_is_refused_and_nothing_is_written(curator_client, nurown):
    data = form_data(
        nurown, curator_client, curate_donor_override="on", curate_donor="allogeneic", note=""
    )

    response = curator_client.post(change_url(nurown), data)

    assert response.status_code == 200
    assert "every correction needs a note" in response.content.decode()
    assert not Curation.objects.exists()


def test_saving_the_form_unchanged_writes_no_curation(curator_client, nurown):
    response = curator_client.post(change_url(nurown), form_data(nurown, curator_client))

    assert response.status_code == 302
    assert not Curation.objects.exists()


def test_unticking_a_curated_field_hands_it_back_to_the_classifier(curator_client, nurown):
    curate(trial=nurown, field_name="donor", value="allogeneic", note="x", curator_name="a")
    data = form_data(nurown, curator_client, curate_donor_override=None, note="Misread it")

    curator_client.post(change_url(nurown), data)

    nurown.refresh_from_db()
    assert nurown.donor == "autologous"
    assert Curation.objects.current().get(field="donor").value is None


def test_a_curator_excludes_a_trial_from_the_tracker_with_a_note(curator_client, nurown):
    data = form_data(
        nurown,
        curator_client,
        curate_excluded_override="on",
        curate_excluded="true",
        note="Duplicate registration of NCT02017912",
    )

    curator_client.post(change_url(nurown), data)

    assert not Trial.objects.visible().filter(nct_id=NUROWN).exists()
    change = TrialChange.objects.get(field="excluded")
    assert (change.old_value, change.new_value) == (False, True)


def test_the_form_can_mark_the_trial_reviewed(curator_client, curator, nurown):
    curator_client.post(change_url(nurown), form_data(nurown, curator_client, mark_reviewed="on"))

    review = Review.objects.get()
    assert (review.trial, review.reviewer) == (nurown, curator)


def test_the_trial_list_searches_by_sponsor_and_filters_by_route(curator_client, nurown):
    url = reverse("admin:trials_trial_changelist")

    by_sponsor = curator_client.get(url, {"q": "Brainstorm"}).context["cl"].result_list
    by_route = curator_client.get(url, {"route": "intravenous"}).context["cl"].result_list

    assert [t.nct_id for t in by_sponsor] == [NUROWN]
    assert [t.nct_id for t in by_route] == [SPAIN]


def test_the_review_queue_lists_unreviewed_trials_least_sure_first(curator_client, nurown):
    response = curator_client.get(reverse("admin:trials_trialtoreview_changelist"))

    assert [t.nct_id for t in response.context["cl"].result_list] == [SPAIN, NUROWN]
    assert "never reviewed" in response.content.decode()


def test_the_review_queue_reads_as_a_curator_expects(curator_client, nurown):
    page = curator_client.get(reverse("admin:trials_trialtoreview_changelist")).content.decode()

    assert "Select trial to review to change" not in page
    assert "<h1>Review queue: trials whose automatic labels need a curator" in page
    assert "“”" not in page and " = " not in page
    assert "Cell source: Adipose tissue (0.80), from “adipose” in brief summary" in page
    assert "css/admin_review.css" in page  # long columns wrap at 1400 px


def test_a_label_the_record_says_nothing_about_reads_so_in_the_queue(curator_client, nurown):
    from trials.admin import ReviewQueueAdmin
    from trials.models import AutoLabel

    unknown = AutoLabel(field="donor", value="unknown", phrase="", source="", confidence=0.2)
    trial = SimpleNamespace(auto_labels=SimpleNamespace(all=lambda: [unknown]))

    text = ReviewQueueAdmin.least_sure_label(None, trial)

    assert text == "Donor: Unknown (0.20), the record does not say"


def test_mark_reviewed_from_the_queue_records_who_and_empties_it(curator_client, curator, nurown):
    url = reverse("admin:trials_trialtoreview_changelist")
    selected = list(Trial.objects.values_list("pk", flat=True))

    response = curator_client.post(
        url, {"action": "mark_reviewed", "_selected_action": selected}, follow=True
    )

    assert "Marked 2 trial(s) reviewed" in response.content.decode()
    assert set(Review.objects.values_list("reviewer", flat=True)) == {curator.pk}
    assert list(response.context["cl"].result_list) == []


def test_an_import_run_shows_its_counts_rejections_and_errors(curator_client):
    run = ImportRun.objects.create(
        mode="full",
        status="failed",
        started_at="2024-01-01T03:00Z",
        finished_at="2024-01-01T03:05Z",
        received=12,
        rejected=1,
        rejections=[{"nct_id": "", "reason": "no NCT id", "source": "page 2"}],
        errors=["RegistryUnavailable: 503 after 5 attempts"],
    )

    page = curator_client.get(reverse("admin:trials_importrun_change", args=[run.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "no NCT id" in html and "page 2" in html
    assert "RegistryUnavailable: 503 after 5 attempts" in html
    assert 'type="submit"' not in html.split('id="content-main"')[1]  # nothing to save


def test_import_runs_cannot_be_changed_even_by_a_superuser(client, superuser):
    run = ImportRun.objects.create(mode="file", status="succeeded", started_at="2024-01-01T03:00Z")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:trials_importrun_change", args=[run.pk]), {"status": "failed"}
    )

    assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == "succeeded"


def test_trials_cannot_be_deleted_even_by_a_superuser(client, superuser, nurown):
    client.force_login(superuser)

    response = client.post(reverse("admin:trials_trial_delete", args=[nurown.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Trial.objects.filter(pk=nurown.pk).exists()
