"""Issue 14: values no database or output can carry are a 400 that names them, on every URL."""

import pytest
from django.http import QueryDict

from trials.browsing import query_guard
from trials.browsing.websearch import parse, words

pytestmark = pytest.mark.django_db

FILTERED_URLS = [
    "/trials/",
    "/trials/export.csv",
    "/trials/export.json",
    "/api/trials/",
    "/evidence/",
    "/changes/",
    "/feeds/changes/",
]


@pytest.mark.parametrize("url", FILTERED_URLS)
@pytest.mark.parametrize("param", ["country", "q", "status", "kind", "page", "per_page", "sort"])
def test_a_nul_in_any_parameter_is_a_400_that_names_it(client, snapshot, url, param):
    response = client.get(f"{url}?{param}=a%00b")

    assert response.status_code == 400
    assert param in response.content.decode()
    assert "control characters" in response.content.decode()


def test_the_api_names_the_parameter_as_drf_does(client, snapshot):
    response = client.get("/api/trials/?country=%00")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "country": ["A value may not hold control characters (such as NUL)."]
    }


def test_a_nul_in_the_path_is_a_400(client, snapshot):
    assert client.get("/trials/NCT0%00/").status_code == 400
    assert client.get("/api/trials/NCT0%00/").status_code == 400


@pytest.mark.parametrize("url", FILTERED_URLS)
def test_more_than_fifty_values_of_a_parameter_are_refused_with_the_bound(client, snapshot, url):
    many = "&".join(f"country=C{i}" for i in range(query_guard.MAX_VALUES + 1))

    response = client.get(f"{url}?{many}")

    assert response.status_code == 400
    assert "At most 50 values" in response.content.decode()


def test_fifty_values_of_a_parameter_are_accepted(client, snapshot):
    many = "&".join(f"country=C{i}" for i in range(query_guard.MAX_VALUES))

    assert client.get(f"/trials/?{many}").status_code == 200


def test_a_query_string_past_the_bound_is_refused(client, snapshot):
    response = client.get("/trials/?q=" + "a" * query_guard.MAX_QUERY_LENGTH)

    assert response.status_code == 400
    assert "at most 4,096 are accepted" in response.content.decode()


def test_tabs_and_newlines_pasted_into_a_search_are_not_refused(client, snapshot):
    assert client.get("/trials/?q=stem%09cell%0A").status_code == 200


def test_the_guard_reads_each_parameter_once():
    query = QueryDict("country=France&country=%01&q=ok&x%00=1")

    assert query_guard.query_problems(query) == {
        "country": ["A value may not hold control characters (such as NUL)."],
        "x?": ["A parameter name may not hold control characters."],
    }


# Free text: PostgreSQL nests a NOT per dash and overflowed at 33 ("tsquery stack too small").


@pytest.mark.parametrize("url", FILTERED_URLS)
@pytest.mark.parametrize("q", ["-" * 40, "- " * 40, "-" * 40 + "stem", "-(" * 40 + "stem"])
def test_a_search_of_many_dashes_is_no_server_error(client, snapshot, url, q):
    response = client.get(url, {"q": q}, follow=True)
    if response.streaming:
        b"".join(response.streaming_content)

    assert response.status_code == 200


def terms(text):
    """Each AND-group's terms as (words, negated, phrase)."""
    return [[(words(t.text), t.negated, t.phrase) for t in group] for group in parse(text, {})]


def test_dashes_negate_a_term_once_however_many_there_are():
    assert terms("---stem") == [[(["stem"], True, False)]]
    assert terms("-" * 40 + "stem") == [[(["stem"], True, False)]]
    assert terms("-" * 40) == []
    assert terms('MSC-NTF -"stem cell" -x') == [
        [(["msc", "ntf"], False, False), (["stem", "cell"], True, True), (["x"], True, False)]
    ]


def test_a_negated_word_still_excludes_on_every_database(client, snapshot):
    every = client.get("/api/trials/", {"scope": "all", "page_size": 100}).json()["count"]
    without = client.get("/api/trials/", {"scope": "all", "q": "---stem", "page_size": 100})

    assert without.status_code == 200
    assert without.json()["count"] < every


@pytest.mark.parametrize("param", ["page", "per_page"])
def test_a_superscript_digit_is_no_page_number(client, snapshot, param):
    response = client.get("/trials/", {param: "\u00b2"})

    assert response.status_code == 200
    assert "“²”" in response.content.decode()
