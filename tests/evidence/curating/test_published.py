"""The bundled extraction of published results: loaded whole, idempotent, flagged, in the history,
and its effects shown beside the registry's and pooled once per trial."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from evidence.curating.published import (
    ExtractionError,
    clear_published_result,
    load_published_results,
)
from evidence.models import PublishedResult
from evidence.synthesis.pools import pool_effects
from evidence.synthesis.published_effects import published_effects
from evidence.synthesis.selectors import all_effects
from tests.conftest import FIXTURES, load_record
from tests.helpers import upsert
from trials.models import Trial, TrialChange

pytestmark = pytest.mark.django_db

BUNDLED = FIXTURES / "evidence" / "published_results.csv"


def text():
    return BUNDLED.read_text(encoding="utf-8")


def rows_with(*changes):
    """The bundled file with some rows changed: (row number, column, value)."""
    rows = list(csv.DictReader(io.StringIO(text())))
    for number, column, value in changes:
        rows[number - 2][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def hynr():
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    return Trial.objects.get(nct_id="NCT01363401")


def test_the_bundled_copy_is_the_shared_extraction_and_never_read_from_shared():
    assert BUNDLED.exists()
    shared = "../" + "shared"  # spelled apart, so this test does not cite the folder it checks
    assert shared not in Path(__file__).read_text(encoding="utf-8").replace(f'"{shared}"', "")


def test_the_bundled_extraction_loads_once_with_its_flags(hynr):
    call_command("load_published_results", stdout=io.StringIO())
    assert PublishedResult.objects.count() == 96

    result = load_published_results(text=text(), curator_name="ana", note="again")

    assert (result.created, result.changed, result.unchanged) == (0, 0, 96)
    flagged = {f for r in PublishedResult.objects.all() for f in r.flags}
    assert flagged == {"link-inferred", "secondary-source", "pre-correction", "counts-events"}
    assert PublishedResult.objects.filter(trial=hynr).count() == 15
    history = TrialChange.objects.filter(trial=hynr, field="published_result")
    assert history.count() == 15


def test_an_invalid_row_rejects_the_whole_file_with_its_row_number(hynr):
    bad = rows_with((5, "kind", "anecdote"), (9, "n", "many"), (12, "source_url", ""))

    with pytest.raises(ExtractionError) as error:
        load_published_results(text=bad, curator_name="ana", note="test")

    assert [row for row, _reason in error.value.problems] == [5, 9, 12]
    assert "kind 'anecdote'" in error.value.problems[0][1]
    assert not PublishedResult.objects.exists()


def test_a_changed_number_changes_its_row_and_the_trials_history(hynr):
    load_published_results(text=text(), curator_name="ana", note="first")

    result = load_published_results(
        text=rows_with((4, "value", "-1.70")), curator_name="ana", note="erratum"
    )

    assert (result.created, result.changed) == (0, 1)
    change = TrialChange.objects.filter(trial=hynr, note="erratum").get()
    assert change.old_value.endswith(": -1.69") and change.new_value.endswith(": -1.7")


def test_published_effects_come_from_group_values_and_reported_differences(hynr):
    load_published_results(text=text(), curator_name="ana", note="bundled")

    effects = published_effects(Trial.objects.filter(pk=hynr.pk))

    # Table 3: MSC −1.69 (SD 2.51, n 32) vs control −4.67 (SD 3.25, n 27) at 4 months: MD 2.98,
    # the same as the difference the paper reports (2.98, 95% CI 1.48 to 4.47).
    from_groups = next(
        e
        for e in effects
        if e.measure == "ALSFRS-R change from baseline" and e.timepoint.startswith("4 months")
    )
    assert round(from_groups.effect.estimate, 2) == 2.98
    assert from_groups.source == "publication"
    assert from_groups.citation == "Oh KW et al., Annals of Neurology, 2018"
    reported = next(
        e
        for e in effects
        if e.measure.startswith("ALSFRS-R change")
        and e.cell.n == 32
        and "between-group" in e.measure
        and e.timepoint.startswith("4")
    )
    assert (reported.effect.estimate, reported.effect.ci_low, reported.effect.ci_high) == (
        2.98,
        1.48,
        4.47,
    )
    assert not from_groups.flags


def test_the_pool_uses_the_registry_when_both_exist_unless_a_curator_prefers_the_paper(hynr):
    load_published_results(text=text(), curator_name="ana", note="bundled")
    trials = Trial.objects.filter(pk=hynr.pk)

    [pool] = [
        p
        for p in pool_effects(all_effects(trials), {})
        if (p.measure_family, p.timepoint_window, p.effect_measure)
        == ("alsfrs-r", "3-6-months", "MD")
    ]
    assert [e.source for e in pool.effects] == ["registry"]

    row = PublishedResult.objects.get(
        trial=hynr, measure="ALSFRS-R change from baseline", timepoint="4 months postinjection",
        group_role="cell-therapy",
    )  # fmt: skip
    clear_published_result(
        result=row, preferred=True, note="the paper's analysed set", curator_name="ana"
    )

    [pool] = [
        p
        for p in pool_effects(all_effects(trials), {})
        if (p.measure_family, p.timepoint_window, p.effect_measure)
        == ("alsfrs-r", "3-6-months", "MD")
    ]
    assert [(e.source, round(e.effect.estimate, 2)) for e in pool.effects] == [
        ("publication", 2.98)
    ]
    assert TrialChange.objects.filter(trial=hynr, note="the paper's analysed set").exists()


def test_a_flagged_row_is_pooled_only_once_a_curator_clears_it(db):
    upsert(load_record("snapshot/2022-10", "NCT03280056"))
    nurown = Trial.objects.get(nct_id="NCT03280056")
    load_published_results(text=text(), curator_name="ana", note="bundled")
    flagged = [e for e in published_effects(Trial.objects.filter(pk=nurown.pk)) if e.flags]
    assert flagged and all("pre-correction" in e.flags for e in flagged)
    assert not any(e in p.effects for p in pool_effects(flagged, {}) for e in flagged)

    for row in [r for r in PublishedResult.objects.filter(trial=nurown) if r.flags]:
        clear_published_result(result=row, cleared=True, note="test: cleared", curator_name="ana")

    cleared = [e for e in published_effects(Trial.objects.filter(pk=nurown.pk)) if e.flags]
    assert all(e.cleared for e in cleared)
    assert pool_effects(cleared, {})


def test_the_trial_page_shows_both_sources_and_the_flags(client, hynr):
    load_published_results(text=text(), curator_name="ana", note="bundled")

    html = client.get("/trials/NCT01363401/").content.decode()

    assert "Published results (curated extraction)" in html
    assert "publication: Oh KW et al., Annals of Neurology, 2018" in html
    assert "registry" in html


def test_a_curator_clears_a_flagged_row_in_the_admin_with_a_note(client, admin_user, db):
    upsert(load_record("snapshot/2022-10", "NCT03280056"))
    load_published_results(text=text(), curator_name="ana", note="bundled")
    row = next(r for r in PublishedResult.objects.all() if "pre-correction" in r.flags)
    client.force_login(admin_user)
    url = f"/admin/evidence/publishedresult/{row.pk}/change/"
    assert client.get(url).status_code == 200

    response = client.post(url, {"cleared": "on", "note": "the erratum leaves this figure"})

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.cleared, row.curator_note) == (True, "the erratum leaves this figure")
    assert TrialChange.objects.filter(note="the erratum leaves this figure").exists()


def test_a_curation_file_row_clears_a_flagged_result_and_is_exported_back(db):
    from trials.curating import files as curation

    upsert(load_record("snapshot/2022-10", "NCT03280056"))
    load_published_results(text=text(), curator_name="ana", note="bundled")
    row = next(r for r in PublishedResult.objects.all() if "pre-correction" in r.flags)
    field = f"published_result:{row.key[:12]}:cleared"
    file = f"nct_id,field,value,note,curator\nNCT03280056,{field},true,test: checked,ana\n"

    assert curation.apply_curation_file(text=file).applied == 1
    assert curation.apply_curation_file(text=file).unchanged == 1

    row.refresh_from_db()
    assert row.cleared
    exported = [list(r) for h in curation.extensions.file_fields().values() for r in h.export()]
    assert ["NCT03280056", field, "true", "test: checked", "ana"] in exported
    with pytest.raises(curation.CurationFileError):
        curation.apply_curation_file(text=file.replace("NCT03280056", "NCT01363401"))


def test_counts_of_participants_stay_counts_and_the_design_matches_the_registrys(hynr):
    load_published_results(text=text(), curator_name="ana", note="bundled")

    effects = published_effects(Trial.objects.filter(pk=hynr.pk))

    # "good responders (≥50% improvement …), participants": 22 of 32 vs 5 of 27 at 4 months,
    # counts (the note says so), not percentages: RR (22/32)/(5/27) = 3.7125.
    responders = next(
        e
        for e in effects
        if e.measure.startswith("good responders")
        and e.timepoint == "4 months"
        and e.effect_measure == "RR"
    )
    assert (responders.cell.value, responders.cell.n) == (22, 32)
    assert (responders.control.value, responders.control.n) == (5, 27)
    assert round(responders.effect.estimate, 4) == round((22 / 32) / (5 / 27), 4)
    assert {e.design.control_type for e in effects} == {"no treatment"}
