"""Issue 14: every public URL, given hostile values in every parameter, answers without a 5xx.

Runs on whichever database the suite runs on (SQLite, and PostgreSQL with DATABASE_URL), where
the 500s of the issue lived: NUL in a string literal, NOT stacked past the tsquery stack. Each
value goes into each parameter alone (so that no other invalid value is refused first), and all
together; the paths get them too. Downloads are read to the end: a failure while streaming is
as much a failure as a 500.
"""

import pytest
from django.test import Client

from trials.browsing.filters import TrialFilter

pytestmark = pytest.mark.django_db

NUROWN = "NCT03280056"
# Each reads the filters its own way (the JSON download shares the CSV's view, so it is below).
FILTERED_URLS = [
    "/trials/",
    "/trials/export.csv",
    "/api/trials/",
    "/evidence/",
    "/changes/",
    "/feeds/changes/",
]
OTHER_URLS = [
    "/trials/export.json",
    "/",
    f"/trials/{NUROWN}/",
    f"/trials/{NUROWN}/record.json",
    f"/api/trials/{NUROWN}/",
    "/api/schema/",
    "/api/docs/",
    "/api/redoc/",
    "/admin/login/",
]
FILTERS = list(TrialFilter.base_filters)
PAGING = ["page", "per_page", "page_size", "kind", "format"]
FREE_TEXT = ["q", "country"]
NUMBERS = ["start_year_min", "start_year_max", "enrollment_min", "enrollment_max", *PAGING]
# Into every parameter: what the guard refuses, what reached PostgreSQL's tsquery parser, a flood.
EVERYWHERE = ["a\x00b", "-" * 40, "\U0001f9ec" * 100]
# Into the free-text parameters (and all parameters at once).
TEXTS = [
    "\x00",
    "\x0b",
    "- " * 40,
    "-(" * 40 + "stem",
    '"' * 41,
    "!" * 40,
    "&|!:*()<->",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%",
    "%00",
    "\u202eevil\u2028\ufeff",
    " ",
    "",
    "x" * 3000,
]
# "²" and an Arabic-Indic 3 are digits to str.isdigit(); int() reads only the second.
NUMERIC = ["1e400", "-1", "9" * 40, "\u00b2", "\u0663"]
HOSTILE_PATH_PARTS = ["%00", "NCT%00", "-" * 40, "%E2%80%AE", "%F0%9F%A7%AC" * 50, "x" * 3000]


def answered(client, url, data=None) -> int:
    response = client.get(url, data)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def hostile_queries(params) -> list[dict]:
    """One value in one parameter at a time (so that no other invalid value is refused first),
    then each value in every parameter at once, then as a parameter name."""
    queries = [{param: value} for param in params for value in EVERYWHERE]
    queries += [{param: value} for param in FREE_TEXT for value in TEXTS]
    queries += [{param: value} for param in NUMBERS for value in NUMERIC]
    queries += [dict.fromkeys(params, value) for value in EVERYWHERE + TEXTS + NUMERIC]
    return queries + [{value or "empty": "1"} for value in EVERYWHERE + TEXTS[:6]]


@pytest.mark.parametrize("url", FILTERED_URLS)
def test_no_hostile_value_in_any_filter_is_a_server_error(client, snapshot, url):
    failures = [
        (query, status)
        for query in hostile_queries([*FILTERS, *PAGING])
        if (status := answered(client, url, query)) >= 500
    ]

    assert failures == []


@pytest.mark.parametrize("url", OTHER_URLS)
def test_no_hostile_query_on_the_other_pages_is_a_server_error(client, snapshot, url):
    queries = [dict.fromkeys([*FILTERS, *PAGING], v) for v in EVERYWHERE + TEXTS + NUMERIC]

    assert [q for q in queries if answered(client, url, q) >= 500] == []


def test_bytes_that_are_not_utf8_are_no_server_error(client, snapshot):
    for url in FILTERED_URLS:
        assert answered(client, f"{url}?q=%ED%B3%BF&country=%FF%FE&%C0=1") < 500, url


@pytest.mark.parametrize("url", FILTERED_URLS)
def test_many_repeats_of_a_parameter_are_no_server_error(client, snapshot, url):
    for param in ("country", "cell_type", "q", "page"):
        for count in (50, 51, 1000):
            query = "&".join(f"{param}=v{i}" for i in range(count))
            assert answered(client, f"{url}?{query}") < 500, (param, count)


@pytest.mark.parametrize(
    "template", ["/trials/{}/", "/trials/{}/record.json", "/api/trials/{}/", "/{}/", "/evidence/{}"]
)
def test_no_hostile_path_is_a_server_error(client, snapshot, template):
    for part in HOSTILE_PATH_PARTS:
        assert answered(client, template.format(part)) < 500, part
