"""The /evidence/ page: numbers checked by hand, links that find the trials behind them."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from tests.conftest import FIXTURES, load_record
from tests.helpers import upsert
from trials.browsing.filters import TrialFilter
from trials.curating.services import curate
from trials.importing.upsert import import_files
from trials.models import Trial

pytestmark = pytest.mark.django_db


def label(nct_id, cell_types, routes):
    """Curate the labels, so the page's numbers do not hang on the trial classifier."""
    trial = Trial.objects.get(nct_id=nct_id)
    for field, value in (
        ("is_cell_therapy", True),
        ("cell_types", cell_types),
        ("routes", routes),
    ):
        curate(trial=trial, field_name=field, value=value, note="test", curator_name="t")


@pytest.fixture
def hynr():
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    label("NCT01363401", ["msc"], ["intrathecal"])


def page(client, query=""):
    response = client.get(f"/evidence/{query}")
    assert response.status_code == 200
    return response


def table(response, route):
    return {
        row.category.slug: row
        for t in response.context["safety"]
        if t.route.slug == route
        for row in t.rows
    }


def test_the_page_numbers_are_those_of_the_registry_record(client, hynr):
    # Checked by hand against NCT01363401 (HYNR-CS, intrathecal; groups "HYNR-CS Inj." 41 at risk
    # and "No Treatment" 31 at risk in resultsSection.adverseEventsModule):
    #   headache: Headache 4 and 2;
    #   procedural pain: Procedural pain 1 and 1, Back pain 9 and 0 → the larger term: 9 and 1;
    #   fever: Pyrexia 5 and 1 ("Influenza like illness", 8 and 7, is other, not fever);
    #   allergic reaction: Urticaria 1 and 0.
    # Enrollment 72 (ACTUAL), phases PHASE1 + PHASE2; ALSFRS-R change -1.36 (SD 2.39, n 39) and
    # -4.67 (SD 3.25, n 27); FVC change -10.51 (9.52, n 38) and -10.75 (8.40, n 25).
    response = page(client)

    intrathecal = table(response, "intrathecal")
    sides = {
        slug: [
            (t.cell.affected, t.cell.at_risk, t.control.affected, t.control.at_risk)
            for t in row.pool.trials
        ]
        for slug, row in intrathecal.items()
    }
    assert sides["headache"] == [(4, 41, 2, 31)]
    assert sides["procedural-pain"] == [(9, 41, 1, 31)]
    assert sides["fever"] == [(5, 41, 1, 31)]
    assert sides["allergic-reaction"] == [(1, 41, 0, 31)]
    assert "tumour" not in sides and "death" not in sides
    terms = {slug: [(t.label, t.count) for t in row.terms] for slug, row in intrathecal.items()}
    assert terms["fever"] == [("Pyrexia", 1)]
    assert terms["procedural-pain"] == [("Back pain", 1), ("Procedural pain", 1)]
    assert ("Influenza like illness", 1) in terms["other"]
    assert ("Hepatitis toxic", 1) in terms["other"]
    # One trial: MH RR = (4/41)/(2/31) = 1.5122, the trial's own; var log RR = 1/4 − 1/41 + 1/2
    # − 1/31 = 0.6935, CI exp(0.4136 ± 1.96 × 0.8328) = 0.30 to 7.73; incidence 4/41 = 9.8%
    # with the Wilson CI 3.9% to 22.5%.
    headache = intrathecal["headache"]
    assert (headache.trials, headache.controlled) == (1, 1)
    assert headache.risk_ratio == "1.51 (0.30 to 7.73)"
    assert headache.incidence == "9.8% (3.9% to 22.5%)"
    assert intrathecal["allergic-reaction"].risk_ratio == "not estimable"

    [alsfrs] = [p for p in response.context["pools"] if p.measure_family == "alsfrs-r"][:1]
    assert (alsfrs.k, alsfrs.participants, alsfrs.subgroup) == (1, 66, "all")
    assert (round(alsfrs.estimate, 2), round(alsfrs.ci_low, 2), round(alsfrs.ci_high, 2)) == (
        3.31,
        1.87,
        4.75,
    )
    assert alsfrs.favours == "cell therapy"
    assert alsfrs.method == "DerSimonian-Laird random effects"

    [row] = response.context["matrix"].rows
    assert (row.cell_type.slug, row.route.slug, row.trials, row.enrollment) == (
        "msc",
        "intrathecal",
        1,
        72,
    )
    assert [(p.label, p.count) for p in row.phases] == [("Phase 1/2", 1)]
    assert [d.slug for d in row.posted] == ["function", "respiratory", "quality-of-life"]

    function, respiratory = response.context["functional"]
    alsfrs = function.results[0]
    assert [(v.title, v.role, v.n, v.value) for v in alsfrs.values] == [
        ("HYNR-CS Inj.", "cell therapy", "39", "-1.36 (2.39)"),
        ("No Treatment", "control", "27", "-4.67 (3.25)"),
    ]
    assert [(v.n, v.value) for v in respiratory.results[0].values] == [
        ("38", "-10.51 (9.52)"),
        ("25", "-10.75 (8.40)"),
    ]
    assert b'<a href="/trials/?ae_category=headache&amp;route=intrathecal">1</a>' in (
        response.content
    )


def test_each_pooled_row_lists_the_terms_it_pooled_beside_it(client, hynr):
    html = page(client).content.decode()

    fever_row = html[html.index('<th scope="row">Fever') :]
    fever_row = fever_row[: fever_row.index("</tr>")]
    assert "<summary>1 term pooled</summary>" in fever_row
    assert "<li>Pyrexia" in fever_row
    assert "Influenza like illness" not in fever_row


def test_a_procedural_headache_is_pooled_with_headaches(client):
    upsert(load_record("other/2020-07-28", "NCT02448641"))
    label("NCT02448641", ["msc"], ["intrathecal"])

    [headache] = [
        row for row in table(page(client), "all").values() if row.category.slug == "headache"
    ]

    assert [t.label for t in headache.terms] == ["Headache", "Procedural headache"]
    assert "Procedural headache" not in [
        t.label for t in table(page(client), "all").get("procedural-pain").terms
    ]


def import_all_with_results():
    paths = [
        p
        for d in (
            "snapshot/2020-07-28",
            "other/2020-07-28",
            "other/2022-09-28",
            "other/v2-verbatim",
        )
        for p in sorted((FIXTURES / d).glob("NCT*.json"))
    ]
    import_files(paths=paths)


def ids_behind(url):
    query = urlsplit(url).query
    return set(TrialFilter(QueryDict(query)).qs.values_list("pk", flat=True)), parse_qs(query)


def test_every_number_links_to_exactly_the_trials_behind_it(client):
    import_all_with_results()

    for query in ("", "?phase=PHASE1", "?route=intrathecal&route=intravenous", "?scope=all"):
        response = page(client, query)
        for safety in response.context["safety"]:
            for row in safety.rows:
                trials, params = ids_behind(row.url)
                assert len(trials) == row.trials, (query, safety.route.slug, row.category.slug)
                assert params["ae_category"] == [row.category.slug]
        for row in response.context["matrix"].rows:
            trials, _params = ids_behind(row.url)
            assert len(trials) == row.trials, (query, row.cell_type.slug, row.route.slug)


def test_the_page_keeps_the_trial_filters_and_narrows_to_the_selected_routes(client):
    import_all_with_results()

    response = page(client, "?route=intravenous&phase=PHASE1")

    routes = {t.subgroup.slug for t in response.context["safety"] if t.kind != "cell_type"}
    assert routes <= {"all", "intravenous"}
    assert {r.route.slug for r in response.context["matrix"].rows} == {"intravenous"}
    for t in response.context["safety"]:
        for row in t.rows:
            assert "phase=PHASE1" in row.url and "route=intravenous" in row.url
    expected = TrialFilter(QueryDict("route=intravenous&phase=PHASE1")).qs.count()
    assert response.context["trial_count"] == expected


def test_a_legacy_total_row_is_not_counted_as_deaths(client):
    # NCT02448641 (SB623, intracerebral) gives its one death (group "SB623 Implant (5.0M)") only
    # in the legacy "Total, all-cause mortality" row: that is all-cause mortality, not an event
    # term, so the page must not pool it, and the trial does not "report" the death category.
    upsert(load_record("other/2020-07-28", "NCT02448641"))
    label("NCT02448641", ["msc"], ["intracerebral"])

    response = page(client)

    assert "death" not in table(response, "intracerebral")
    assert "death" not in Trial.objects.get(nct_id="NCT02448641").facet_values("ae_categories")
    assert "headache" in table(response, "intracerebral")


def test_bad_parameters_are_ignored_and_said_so_never_an_error(client, hynr):
    response = page(client, "?route=teleportation&ae_category=hiccups&enrollment_min=lots")

    assert response.context["ignored"] == ["ae_category", "enrollment_min", "route"]
    assert response.context["trial_count"] == 1
    assert b"Ignored (not a valid value)" in response.content


def test_an_empty_database_gives_an_empty_page(client):
    response = page(client)

    assert response.context["trial_count"] == 0
    assert b"No selected trial posted adverse events" in response.content


def test_the_page_costs_the_same_queries_for_one_trial_as_for_all(client, hynr):
    with CaptureQueriesContext(connection) as one:
        page(client)
    import_all_with_results()

    with CaptureQueriesContext(connection) as many:
        response = page(client)

    assert response.context["trial_count"] > 20
    assert len(many) == len(one) <= 25


def test_the_tables_are_accessible(client, hynr):
    html = page(client).content.decode()

    assert html.count("<caption>") >= 5
    assert '<th scope="col"' in html and '<th scope="row"' in html
    assert '<th scope="rowgroup"' in html
    assert 'role="region"' in html and 'tabindex="0"' in html
    assert "<title>Evidence by cell type and route" in html


def test_the_note_on_serious_events_names_selected_trials_that_file_every_event_so(client):
    upsert(load_record("other/2020-07-28", "NCT02448641"))  # 17 serious rows, no other events
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))  # serious and other events

    html = page(client).content.decode()

    assert 'file every event as serious (of these: <a href="/trials/NCT02448641/">' in html
    assert '<a href="/trials/NCT01363401/">NCT01363401</a>)' not in html


def test_the_note_on_serious_events_names_no_trial_the_tracker_does_not_have(client, hynr):
    html = page(client).content.decode()

    assert "NCT02448641" not in html
