"""Issue 14: health checks and link checkers send HEAD; OPTIONS is never a 500; TRACE is refused."""

import pytest

pytestmark = pytest.mark.django_db

NUROWN = "NCT03280056"
PUBLIC_URLS = [
    "/",
    "/trials/",
    "/trials/?cell_type=msc",
    "/trials/export.csv",
    "/trials/export.json",
    f"/trials/{NUROWN}/",
    f"/trials/{NUROWN}/record.json",
    "/evidence/",
    "/changes/",
    "/feeds/changes/",
    "/api/trials/",
    f"/api/trials/{NUROWN}/",
    "/api/schema/",
    "/api/docs/",
    "/api/redoc/",
    "/admin/login/",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_head_answers_as_get_does_without_a_body(client, snapshot, url):
    got = client.get(url)
    head = client.head(url)

    assert head.status_code == got.status_code == 200
    assert head["Content-Type"] == got["Content-Type"]
    assert not (b"".join(head.streaming_content) if head.streaming else head.content)


def test_head_of_a_download_names_the_file_without_running_the_export(
    client, snapshot, django_assert_max_num_queries
):
    with django_assert_max_num_queries(0):
        response = client.head("/trials/export.csv?cell_type=msc")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="als-cell-trials-')


def test_head_of_a_download_with_bad_parameters_is_refused_as_get_is(client, snapshot):
    assert client.head("/trials/export.csv?phase=PHASE9").status_code == 400


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_options_is_answered_or_refused_never_a_server_error(client, snapshot, url):
    response = client.options(url)

    assert response.status_code in (200, 405)
    assert "GET" in response["Allow"]


def test_options_of_the_api_docs_lists_their_methods(client, snapshot):
    response = client.options("/api/docs/")

    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_trace_is_refused(client, snapshot, url):
    assert client.trace(url).status_code == 405
