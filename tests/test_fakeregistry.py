"""The fake registry itself: other tests and the benchmark trust it to behave like API v2."""

import json
import time

import pytest
import requests

from tests.fakeregistry import EXPIRED_TOKEN_MESSAGE, FakeRegistry, make_study


def studies(count: int) -> list[dict]:
    return [make_study(f"NCT{n:08d}") for n in range(1, count + 1)]


def ids(body: dict) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in body["studies"]]


def get(reg: FakeRegistry, path: str = "/studies", **params: str) -> requests.Response:
    return requests.get(reg.url + path, params=params, timeout=5)


def walk(reg: FakeRegistry, **params: str) -> list[dict]:
    bodies, token = [], None
    while True:
        response = get(reg, **params, **({"pageToken": token} if token else {}))
        response.raise_for_status()
        bodies.append(response.json())
        token = bodies[-1].get("nextPageToken")
        if not token:
            return bodies


def test_it_pages_in_the_given_order_until_no_token(fake_registry):
    reg = fake_registry(studies(5))

    bodies = walk(reg, pageSize="2", countTotal="true")

    assert [ids(b) for b in bodies] == [
        ["NCT00000001", "NCT00000002"],
        ["NCT00000003", "NCT00000004"],
        ["NCT00000005"],
    ]
    assert [b.get("totalCount") for b in bodies] == [5, None, None]
    assert "nextPageToken" not in bodies[-1]
    assert [r.page for r in reg.requests] == [1, 2, 3]


def test_it_counts_total_only_when_asked(fake_registry):
    reg = fake_registry(studies(3))

    assert "totalCount" not in get(reg).json()


def test_it_uses_the_registry_default_page_size_and_caps_large_ones(fake_registry):
    uncapped = fake_registry(studies(25))
    capped = fake_registry(studies(25), page_size_cap=7)

    assert len(get(uncapped).json()["studies"]) == 10
    assert len(get(uncapped, pageSize="0").json()["studies"]) == 10
    assert len(get(capped, pageSize="1000").json()["studies"]) == 7
    assert len(get(capped, pageSize="5").json()["studies"]) == 5


def test_it_filters_on_last_update_post_date_inclusive(fake_registry):
    reg = fake_registry(
        [
            make_study("NCT00000001", last_update="2024-01-14"),
            make_study("NCT00000002", last_update="2024-01-15"),
            make_study("NCT00000003", last_update="2025-03"),
        ]
    )

    body = get(reg, **{"filter.advanced": "AREA[LastUpdatePostDate]RANGE[2024-01-15,MAX]"}).json()

    assert ids(body) == ["NCT00000002", "NCT00000003"]


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("filter.advanced", "AREA[StartDate]2022", "supports only filter.advanced"),
        ("filter.overallStatus", "RECRUITING", "not implemented"),
        ("sort", "LastUpdatePostDate", "not implemented"),
        ("query.recrs", "COMPLETED", "unknown parameter"),
        ("format", "csv", "only format=json"),
        ("pageSize", "ten", "integer"),
    ],
)
def test_it_refuses_what_it_does_not_implement_instead_of_ignoring_it(
    fake_registry, name, value, says
):
    reg = fake_registry(studies(3))

    response = get(reg, **{name: value})

    assert response.status_code == 400
    assert says in response.text


def test_it_records_query_params_without_interpreting_them(fake_registry):
    reg = fake_registry(studies(3))

    body = get(reg, **{"query.cond": "nothing matches this", "query.intr": "x"}).json()

    assert len(body["studies"]) == 3
    assert reg.requests[0].params == {"query.cond": "nothing matches this", "query.intr": "x"}
    assert reg.requests[0].path == "/studies"
    assert "python-requests" in reg.requests[0].headers["User-Agent"]


def test_a_token_is_refused_with_other_parameters_than_its_first_page(fake_registry):
    reg = fake_registry(studies(3))
    token = get(reg, pageSize="1", **{"query.cond": "als"}).json()["nextPageToken"]

    same = get(reg, pageSize="2", countTotal="true", pageToken=token, **{"query.cond": "als"})
    other = get(reg, pageSize="1", pageToken=token, **{"query.cond": "sma"})

    assert ids(same.json()) == ["NCT00000002", "NCT00000003"]
    assert other.status_code == 400


def test_an_unknown_token_is_refused_like_an_expired_one(fake_registry):
    reg = fake_registry(studies(3))

    response = get(reg, pageToken="made-up")

    assert response.status_code == 400
    assert response.text == EXPIRED_TOKEN_MESSAGE
    assert reg.requests[0].page is None


def test_it_serves_one_study_by_nct_id_or_404(fake_registry):
    reg = fake_registry(studies(2))

    assert get(reg, "/studies/nct00000002").json() == make_study("NCT00000002")
    assert get(reg, "/studies/NCT00000009").status_code == 404


def test_a_fault_answers_as_many_requests_as_told_then_the_page_recovers(fake_registry):
    reg = fake_registry(studies(3))
    reg.fail(page=1, status=503, times=2, message="down for maintenance")

    statuses = [get(reg).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert get(reg).status_code == 200


def test_a_permanent_fault_never_runs_out(fake_registry):
    reg = fake_registry(studies(3))
    reg.fail(page=1, status=500, permanent=True)

    assert [get(reg).status_code for _ in range(4)] == [500] * 4


def test_a_fault_only_hits_its_page(fake_registry):
    reg = fake_registry(studies(3))
    reg.fail(page=2, status=500, permanent=True)

    first = get(reg, pageSize="1")
    second = get(reg, pageSize="1", pageToken=first.json()["nextPageToken"])

    assert (first.status_code, second.status_code) == (200, 500)


def test_retry_after_is_sent_with_the_status(fake_registry):
    reg = fake_registry(studies(1))
    reg.fail(page=1, status=429, retry_after=7)

    response = get(reg)

    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")


def test_truncate_sends_half_the_json_body(fake_registry):
    reg = fake_registry(studies(3))
    reg.fail(page=1, truncate=True)

    truncated = get(reg).content
    whole = get(reg).content

    assert truncated == whole[: len(whole) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated)


def test_malformed_study_drops_the_nct_id_of_the_first_study_on_that_page_only(fake_registry):
    original = studies(3)
    reg = fake_registry(original)
    reg.fail(page=1, malformed_study=True)

    body = get(reg).json()

    assert "nctId" not in body["studies"][0]["protocolSection"]["identificationModule"]
    assert ids({"studies": body["studies"][1:]}) == ["NCT00000002", "NCT00000003"]
    assert original[0] == make_study("NCT00000001")


def test_body_replaces_the_page_with_the_given_json(fake_registry):
    reg = fake_registry(studies(3))
    reg.fail(page=1, body={"studies": "not a list"})

    response = get(reg)

    assert (response.status_code, response.json()) == (200, {"studies": "not a list"})


def test_hang_answers_only_after_the_delay(fake_registry):
    reg = fake_registry(studies(1))
    reg.fail(page=1, hang=0.15)

    started = time.monotonic()
    response = get(reg)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.15


def test_expire_tokens_after_lets_every_walk_have_only_that_many_pages(fake_registry):
    reg = fake_registry(studies(5), expire_tokens_after=2)

    for _ in range(2):  # a restarted walk fails at the same place
        first = get(reg, pageSize="1")
        second = get(reg, pageSize="1", pageToken=first.json()["nextPageToken"])
        third = get(reg, pageSize="1", pageToken=second.json()["nextPageToken"])
        assert (first.status_code, second.status_code, third.status_code) == (200, 200, 400)
        assert "pageToken" in third.text


def test_faults_are_checked_when_scripted():
    reg = FakeRegistry(studies(1))

    with pytest.raises(ValueError, match="exactly one"):
        reg.fail(page=1, status=500, truncate=True)
    with pytest.raises(ValueError, match="exactly one"):
        reg.fail(page=1)
    with pytest.raises(ValueError, match="go with status"):
        reg.fail(page=1, hang=1, retry_after=2)
    with pytest.raises(ValueError, match="no token"):
        reg.fail(page=1, token_expired=True)


def test_it_listens_on_loopback_only_and_stops_when_closed():
    with FakeRegistry(studies(1)) as reg:
        url = reg.url
        assert url.startswith("http://127.0.0.1:")
        assert get(reg).status_code == 200

    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/studies", timeout=1)
