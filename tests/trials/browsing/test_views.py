"""The researchers' pages: the overview, the faceted list and the downloads."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from trials.browsing import exports
from trials.browsing.filters import TrialFilter
from trials.models import ImportRun, Trial

pytestmark = pytest.mark.django_db

MAX_LIST_QUERIES = 12


def text_of(response) -> str:
    return response.content.decode()


def count_shown(html: str, param: str, value: str) -> int:
    """The count printed beside one facet option of the list page."""
    match = re.search(
        rf'name="{param}" id="[^"]+" value="{re.escape(value)}"[^>]*>\s*'
        rf'<label[^>]*>.*?<span class="count"[^>]*>([\d,]+)</span>',
        html,
        re.S,
    )
    assert match, f"no option {param}={value}"
    return int(match.group(1).replace(",", ""))


# Overview


def test_the_overview_counts_cell_therapies_and_names_the_last_import(client, snapshot):
    response = client.get("/")

    html = text_of(response)
    assert response.status_code == 200
    assert re.search(r"Cell-therapy trials</dt><dd><a [^>]+>41</a>", html)
    assert "Last successful import:" in html
    assert f"{snapshot.finished_at:%Y}" in html


def test_the_overview_draws_its_charts_as_svg_with_their_figures(client, snapshot):
    html = text_of(client.get("/"))

    for title in ("cell type", "delivery route", "phase", "status", "start year", "enrollment"):
        assert re.search(rf'<title id="chart-[\w-]+-title">Trials by {title}', html)
    msc = TrialFilter(QueryDict()).facet_counts()["cell_types"]["msc"]
    assert f"Mesenchymal stem/stromal cells (MSC): {msc} trials" in html
    assert '<a href="/trials/?cell_type=msc">' in html
    assert "cdn" not in html.lower()


def test_the_enrollment_chart_counts_trials_that_enrolled_nobody(client, snapshot):
    # Withdrawn trials enroll 0 participants: they have a band, not a gap in the chart.
    nobody = Trial.objects.cell_therapies().filter(enrollment=0).count()

    html = text_of(client.get("/"))

    assert nobody >= 2
    assert f"0 (none enrolled): {nobody} trials;" in html
    assert '<a href="/trials/?enrollment_min=0&amp;enrollment_max=0">0 (none enrolled)</a>' in html


def test_the_overview_lists_the_most_recently_changed_trials(client, snapshot):
    newest = Trial.objects.cell_therapies().order_by("-last_changed", "nct_id").first()

    html = text_of(client.get("/"))

    assert "Recently changed trials" in html
    assert newest.get_absolute_url() in html


def test_the_overview_of_an_empty_tracker_says_no_import_finished(client, snapshot):
    Trial.objects.all().delete()  # undone after the test, with the rest of its transaction
    ImportRun.objects.all().delete()

    html = text_of(client.get("/"))

    assert "No import has finished yet" in html
    assert "No data yet." in html


# The list


def test_the_list_shows_cell_therapies_by_default(client, snapshot):
    html = text_of(client.get("/trials/"))

    assert "41 trials" in html
    assert "NCT02469896" not in html  # tocilizumab, a drug


def test_every_imported_study_on_request(client, snapshot):
    html = text_of(client.get("/trials/?scope=all&per_page=50"))

    assert "42 trials" in html
    assert "NCT02469896" in html


def test_each_option_shows_how_many_trials_it_gives_under_the_other_filters(client, snapshot):
    query = "cell_type=msc&route=intrathecal"
    expected = TrialFilter(QueryDict(query)).facet_counts()

    html = text_of(client.get(f"/trials/?{query}"))

    assert count_shown(html, "route", "intrathecal") == expected["routes"]["intrathecal"]
    assert count_shown(html, "route", "intravenous") == expected["routes"].get("intravenous", 0)
    assert count_shown(html, "cell_type", "msc") == expected["cell_types"]["msc"]
    assert count_shown(html, "donor", "autologous") == expected["donor"]["autologous"]
    # The route counts ignore the route filter (choosing another route would give these)…
    assert count_shown(html, "route", "intravenous") > 0
    # …and the other facets apply it.
    assert count_shown(html, "cell_type", "msc") == TrialFilter(QueryDict(query)).qs.count()


def test_selected_options_are_checked_and_shown_as_removable_filters(client, snapshot):
    html = text_of(client.get("/trials/?route=intrathecal&phase=PHASE3"))

    assert re.search(r'name="route" id="[^"]+" value="intrathecal" checked', html)
    assert re.search(r'name="phase" id="[^"]+" value="PHASE3" checked', html)
    assert (
        '<a href="?route=intrathecal" class="chip" aria-label="Remove filter Phase: Phase 3">'
        in html
    )


def test_bad_parameters_get_a_readable_message_and_the_good_ones_still_apply(client, snapshot):
    response = client.get("/trials/?route=teleportation&enrollment_min=lots&phase=PHASE3")

    html = text_of(response)
    assert response.status_code == 200
    assert "Some parameters could not be used" in html
    assert "teleportation is not one of the available choices" in html
    assert "Enter a whole number." in html
    assert f"{TrialFilter(QueryDict('phase=PHASE3')).qs.count()} trial" in html


@pytest.mark.parametrize(
    "query",
    [
        "enrollment_min=99999999999999999999999",
        "start_year_min=1e400",
        "start_year_max=-5",
        "has_results=maybe",
        "sort=random",
        "scope=everything",
        "page=0",
        "page=-1",
        "per_page=5000",
        "country=",
        "q=%27%22%3B--",
        "q=%26%7C%21%3A*",
    ],
)
def test_no_query_string_breaks_the_list_page(client, snapshot, query):
    response = client.get(f"/trials/?{query}", follow=True)

    assert response.status_code == 200


def test_an_unknown_parameter_is_named_in_a_message(client, snapshot):
    html = text_of(client.get("/trials/?celltype=msc"))

    assert "“celltype” is not a filter of this page; it was ignored." in html


def test_a_page_past_the_end_shows_the_last_page_and_says_so(client, snapshot):
    html = text_of(client.get("/trials/?per_page=10&page=99"))

    assert "There is no page 99; showing the last page, 5." in html
    assert "page 5 of 5" in html


def test_a_submitted_form_redirects_to_the_short_url_of_what_was_chosen(client, snapshot):
    response = client.get(
        "/trials/?q=&cell_type=msc&scope=cell-therapies&sort=relevance&per_page=25"
    )

    assert response.status_code == 302
    assert response["Location"] == "/trials/?cell_type=msc"


def test_pages_hold_the_chosen_number_of_trials_and_link_onwards(client, snapshot):
    html = text_of(client.get("/trials/?cell_type=msc&per_page=10"))

    assert html.count('class="trial"') == 10
    assert 'href="?cell_type=msc&amp;per_page=10&amp;page=2" rel="next"' in html


def test_sorting_by_enrollment_lists_the_largest_trial_first(client, snapshot):
    html = text_of(client.get("/trials/?sort=enrollment"))

    first = re.search(r'<span class="nct">(NCT\d{8})</span>', html).group(1)
    assert first == "NCT03280056"  # 263 participants


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=mesenchymal",
        "cell_type=msc&route=intrathecal&donor=autologous",
        "phase=PHASE2&status_group=recruiting&country=United States",
        "scope=all&has_results=true&sort=start",
        "start_year_min=2010&start_year_max=2020&enrollment_min=10&sort=phase",
        "q=bone marrow&status=COMPLETED&sponsor_class=OTHER&study_type=INTERVENTIONAL",
    ],
)
def test_the_list_page_costs_a_fixed_number_of_queries(client, snapshot, query):
    # The first request after an import also reads the facet index (two queries).
    first = queries_of(client, f"/trials/?{query}")
    small_page = queries_of(client, f"/trials/?{query}&per_page=10")
    large_page = queries_of(client, f"/trials/?{query}&per_page=100")

    assert first <= MAX_LIST_QUERIES
    assert small_page == large_page <= MAX_LIST_QUERIES
    # data version, (free-text/range ids), page ids, page rows, the page's facets
    assert small_page <= 5


# Downloads


def test_the_csv_download_streams_the_export_columns_of_the_filtered_trials(client, snapshot):
    response = client.get("/trials/export.csv?route=intrathecal&phase=PHASE3")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="als-cell-trials-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == exports.all_columns()
    expected = TrialFilter(QueryDict("route=intrathecal&phase=PHASE3")).qs
    assert [row[0] for row in rows[1:]] == list(expected.values_list("nct_id", flat=True))
    assert rows[1][exports.COLUMNS.index("routes")] == "intrathecal"


def test_the_json_download_is_the_export_of_the_filtered_trials(client, snapshot):
    response = client.get("/trials/export.json?cell_type=nsc")

    assert response.streaming
    data = json.loads(b"".join(response.streaming_content))
    expected = list(exports.iter_rows(TrialFilter(QueryDict("cell_type=nsc")).qs))
    assert data == json.loads(json.dumps(expected))
    assert data and all("nsc" in row["cell_types"] for row in data)


def test_a_download_with_bad_parameters_is_refused_with_the_reason(client, snapshot):
    response = client.get("/trials/export.csv?route=teleportation")

    assert response.status_code == 400
    assert "teleportation is not one of the available choices" in text_of(response)


def test_the_list_page_links_its_downloads_to_the_same_filters(client, snapshot):
    html = text_of(client.get("/trials/?route=intrathecal&per_page=10&page=2"))

    assert 'href="/trials/export.csv?route=intrathecal"' in html
    assert 'href="/trials/export.json?route=intrathecal"' in html


@pytest.mark.parametrize("path", ["/", "/trials/", "/evidence/", "/changes/"])
def test_every_page_links_to_every_section_of_the_site(client, db, path):
    html = client.get(path).content.decode()

    for href in ('href="/"', 'href="/trials/"', 'href="/evidence/"', 'href="/changes/"'):
        assert href in html


def test_the_list_offers_the_outcome_result_and_adverse_event_filters(client, snapshot):
    html = text_of(client.get("/trials/?ae_category=headache"))

    for param in ("outcome_domain", "result_domain", "ae_category"):
        assert f'name="{param}"' in html
    assert 'name="ae_category" id="f-ae_category-1" value="headache" checked' in html
    assert "Adverse event reported: Headache" in html  # its chip


def test_the_list_shows_the_participants_of_its_selection_actual_and_estimated_apart(
    client, snapshot
):
    trials = TrialFilter(QueryDict("route=intrathecal")).qs
    actual = sum(t.enrollment for t in trials if t.enrollment_type == "ACTUAL")
    estimated = sum(t.enrollment for t in trials if t.enrollment_type == "ESTIMATED")

    html = text_of(client.get("/trials/?route=intrathecal"))

    assert actual and estimated
    assert f"<strong>{actual:,}</strong> enrolled in" in html
    assert f"<strong>{estimated:,}</strong> planned in" in html


def test_the_list_links_the_evidence_and_the_changes_of_its_selection(client, snapshot):
    html = text_of(client.get("/trials/?route=intrathecal&sort=phase"))
    count = TrialFilter(QueryDict("route=intrathecal")).count()

    assert f'<a href="/evidence/?route=intrathecal">Evidence for these {count} trials</a>' in html
    assert f'<a href="/changes/?route=intrathecal">Changes to these {count} trials</a>' in html


@pytest.mark.parametrize("page", ["/evidence/", "/changes/"])
def test_the_evidence_and_change_pages_show_the_lists_filters_and_chips(client, snapshot, page):
    html = text_of(client.get(f"{page}?route=intrathecal&phase=PHASE3"))

    assert 'name="route" id="f-route-' in html and 'value="intrathecal" checked' in html
    assert 'class="chip" aria-label="Remove filter Delivery route: Intrathecal' in html
    assert 'href="?phase=PHASE3"' in html  # removing the route chip keeps the phase
