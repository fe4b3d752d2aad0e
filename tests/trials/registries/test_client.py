"""The registry client, over real HTTP against the fake registry on 127.0.0.1.

Waiting goes through the injected FakeClock, so backoff and the polite rate cost no real time;
only the hang test really waits (one 0.2 s timeout).
"""

import json
import logging
import random
from datetime import UTC, date, datetime
from itertools import pairwise

import pytest
import requests

from tests.fakeregistry import EXPIRED_TOKEN_MESSAGE, FakeRegistry, make_study
from trials.registries.ctgov.client import (
    DEFAULT_QUERY,
    USER_AGENT,
    VERSION,
    Page,
    RegistryBadResponse,
    RegistryClient,
    RegistryHTTPError,
    RegistryUnavailable,
    backoff_ceiling,
    backoff_delay,
    incremental_filter,
    parse_retry_after,
)


@pytest.fixture
def make_client(fake_clock):
    """A client for a fake registry: no real waiting, no rate limit unless a test sets one."""
    clients = []

    def make(registry: FakeRegistry | None = None, **options) -> RegistryClient:
        settings = {
            "base_url": registry.url if registry else "http://127.0.0.1:9/api/v2",
            "timeout": 2.0,
            "max_retries": 3,
            "backoff_base": 1.0,
            "backoff_max": 60.0,
            "max_total_wait": 300.0,
            "min_interval": 0.0,
            "sleep": fake_clock.sleep,
            "clock": fake_clock.now,
        }
        client = RegistryClient(**(settings | options))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def studies(count: int) -> list[dict]:
    return [make_study(f"NCT{n:08d}") for n in range(1, count + 1)]


def nct_ids(pages: list[Page]) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for p in pages for s in p.studies]


# -- paging ----------------------------------------------------------------------------------


def test_it_walks_every_page_with_the_same_params_plus_the_token(fake_registry, make_client):
    reg = fake_registry(studies(25))
    client = make_client(reg)

    pages = list(client.iter_pages(params=DEFAULT_QUERY, page_size=10))

    assert [(p.number, len(p.studies)) for p in pages] == [(1, 10), (2, 10), (3, 5)]
    assert nct_ids(pages) == [f"NCT{n:08d}" for n in range(1, 26)]
    assert pages[0].total_count == 25
    assert pages[-1].next_page_token is None
    sent = [r.params for r in reg.requests]
    assert len(sent) == 3
    assert "pageToken" not in sent[0]
    assert [s["pageToken"] for s in sent[1:]] == [p.next_page_token for p in pages[:2]]
    expected = DEFAULT_QUERY | {"format": "json", "pageSize": "10", "countTotal": "true"}
    assert all({k: v for k, v in s.items() if k != "pageToken"} == expected for s in sent)


def test_it_returns_studies_exactly_as_received(fake_registry, make_client):
    reg = fake_registry(studies(3))
    reg.fail(page=1, malformed_study=True)

    (page,) = make_client(reg).iter_pages(params={})

    assert "nctId" not in page.studies[0]["protocolSection"]["identificationModule"]
    assert page.studies[1:] == studies(3)[1:]


def test_an_empty_result_is_one_empty_page(fake_registry, make_client):
    reg = fake_registry([])

    pages = list(make_client(reg).iter_pages(params={"query.cond": "nothing"}))

    assert pages == [Page(studies=[], next_page_token=None, total_count=0, number=1)]


def test_it_asks_for_the_next_page_only_when_the_caller_wants_it(fake_registry, make_client):
    reg = fake_registry(studies(5))

    walk = make_client(reg).iter_pages(params={}, page_size=2)
    next(walk)

    assert len(reg.requests) == 1


def test_the_incremental_filter_reaches_the_registry(fake_registry, make_client):
    reg = fake_registry(
        [
            make_study("NCT00000001", last_update="2023-12-31"),
            make_study("NCT00000002", last_update="2024-01-15"),
        ]
    )
    params = DEFAULT_QUERY | {"filter.advanced": incremental_filter(date(2024, 1, 15))}

    pages = list(make_client(reg).iter_pages(params=params))

    assert nct_ids(pages) == ["NCT00000002"]


def test_incremental_filter_is_the_registry_range_syntax():
    assert incremental_filter(date(2024, 1, 5)) == "AREA[LastUpdatePostDate]RANGE[2024-01-05,MAX]"
    at_noon = datetime(2024, 1, 5, 12, 30, tzinfo=UTC)
    assert incremental_filter(at_noon) == "AREA[LastUpdatePostDate]RANGE[2024-01-05,MAX]"


@pytest.mark.parametrize(("params", "page_size"), [({}, 0), ({}, 1001), ({"pageToken": "abc"}, 10)])
def test_it_refuses_a_walk_it_cannot_do_faithfully(make_client, params, page_size):
    with pytest.raises(ValueError):
        next(make_client().iter_pages(params=params, page_size=page_size))


def test_a_registry_that_repeats_its_page_token_stops_the_walk(fake_clock):
    session = CannedSession(
        {"studies": [make_study("NCT00000001")], "nextPageToken": "again"},
        {"studies": [make_study("NCT00000002")], "nextPageToken": "again"},
    )
    client = RegistryClient(
        base_url="http://127.0.0.1:9/api/v2",
        session=session,
        min_interval=0,
        sleep=fake_clock.sleep,
        clock=fake_clock.now,
    )
    walk = client.iter_pages(params={})

    assert next(walk).number == 1
    with pytest.raises(RegistryBadResponse, match="same nextPageToken for page 2"):
        next(walk)


# -- one study -------------------------------------------------------------------------------


def test_fetch_study_returns_the_study_as_received(fake_registry, make_client):
    reg = fake_registry(studies(2))

    assert make_client(reg).fetch_study("NCT00000002") == make_study("NCT00000002")
    assert reg.requests[0].path == "/studies/NCT00000002"


def test_fetch_study_refuses_what_is_not_an_nct_id_without_asking(fake_registry, make_client):
    reg = fake_registry(studies(1))

    with pytest.raises(ValueError, match="not an NCT id"):
        make_client(reg).fetch_study("NCT0001/../x")
    assert reg.requests == []


# -- retries ---------------------------------------------------------------------------------


def test_a_429_waits_the_retry_after_then_continues(fake_registry, make_client, fake_clock):
    reg = fake_registry(studies(3))
    reg.fail(page=2, status=429, retry_after=7)

    pages = list(make_client(reg).iter_pages(params={}, page_size=2))

    assert fake_clock.sleeps == [7.0]
    assert nct_ids(pages) == ["NCT00000001", "NCT00000002", "NCT00000003"]
    retried = reg.requests_for(2)
    assert len(retried) == 2 and retried[0].params == retried[1].params


def test_retry_after_is_capped_by_backoff_max(fake_registry, make_client, fake_clock):
    reg = fake_registry(studies(1))
    reg.fail(page=1, status=503, retry_after=3600)

    list(make_client(reg, backoff_max=45.0).iter_pages(params={}))

    assert fake_clock.sleeps == [45.0]


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)

    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_a_500_is_retried_after_a_jittered_backoff(fake_registry, make_client, fake_clock):
    reg = fake_registry(studies(3))
    reg.fail(page=2, status=500, times=2)

    pages = list(make_client(reg, backoff_base=2.0).iter_pages(params={}, page_size=2))

    assert len(pages) == 2
    assert len(reg.requests_for(2)) == 3
    first, second = fake_clock.sleeps
    assert 0 <= first < 2.0 and 0 <= second < 4.0


def test_a_request_that_hangs_past_the_timeout_is_retried(fake_registry, make_client):
    reg = fake_registry(studies(3))
    reg.fail(page=1, hang=1.0)

    pages = list(make_client(reg, timeout=0.2).iter_pages(params={}))

    assert nct_ids(pages) == ["NCT00000001", "NCT00000002", "NCT00000003"]
    assert len(reg.requests_for(1)) == 2


def test_truncated_json_is_retried(fake_registry, make_client):
    reg = fake_registry(studies(3))
    reg.fail(page=1, truncate=True)

    (page,) = make_client(reg).iter_pages(params={})

    assert len(page.studies) == 3
    assert len(reg.requests_for(1)) == 2


def test_json_nested_too_deep_to_decode_is_a_bad_response_not_a_crash(fake_registry, make_client):
    reg = fake_registry(studies(1))
    deep = b'{"studies": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    reg.fail(page=1, raw=deep, permanent=True)

    with pytest.raises(RegistryBadResponse) as caught:
        list(make_client(reg, max_retries=1).iter_pages(params={}))

    assert "invalid JSON" in str(caught.value)
    assert "recursion" in str(caught.value)


def test_json_that_stays_truncated_is_a_bad_response(fake_registry, make_client):
    reg = fake_registry(studies(3))
    reg.fail(page=1, truncate=True, permanent=True)

    with pytest.raises(RegistryBadResponse) as caught:
        list(make_client(reg, max_retries=2).iter_pages(params={}))

    assert caught.value.attempts == 3
    assert len(reg.requests_for(1)) == 3
    assert "page 1 failed after 3 attempts" in str(caught.value)
    assert "invalid JSON" in str(caught.value)


def test_a_page_that_keeps_failing_is_unavailable_after_bounded_attempts(
    fake_registry, make_client, fake_clock
):
    reg = fake_registry(studies(5))
    reg.fail(page=2, status=503, permanent=True, message="Service Unavailable")
    walk = make_client(reg, max_retries=3).iter_pages(params={}, page_size=2)

    assert next(walk).number == 1
    with pytest.raises(RegistryUnavailable) as caught:
        next(walk)

    error = caught.value
    assert (error.status, error.page, error.attempts) == (503, 2, 4)
    assert len(reg.requests_for(2)) == 4
    assert len(fake_clock.sleeps) == 3
    message = str(error)
    assert "page 2" in message and "4 attempts" in message and "HTTP 503" in message
    assert reg.url + "/studies?" in message and "\n" not in message


def test_max_total_wait_ends_the_retries_before_max_retries(fake_registry, make_client, fake_clock):
    reg = fake_registry(studies(1))
    reg.fail(page=1, status=503, retry_after=10, permanent=True)

    with pytest.raises(RegistryUnavailable) as caught:
        list(make_client(reg, max_retries=50, max_total_wait=25.0).iter_pages(params={}))

    assert fake_clock.sleeps == [10.0, 10.0]
    assert caught.value.attempts == 3


def test_a_registry_that_does_not_answer_is_unavailable(make_client, fake_clock):
    with FakeRegistry([]) as reg:
        url = reg.url  # a port that nobody listens on once the registry is closed

    with pytest.raises(RegistryUnavailable) as caught:
        make_client(base_url=url, max_retries=1).fetch_study("NCT00000001")

    assert caught.value.status is None
    assert caught.value.attempts == 2
    assert "study NCT00000001" in str(caught.value) and "ConnectionError" in str(caught.value)


# -- errors that are not retried -------------------------------------------------------------


def test_a_404_is_an_http_error_at_once(fake_registry, make_client, fake_clock):
    reg = fake_registry(studies(1))

    with pytest.raises(RegistryHTTPError) as caught:
        make_client(reg).fetch_study("NCT09999999")

    assert caught.value.status == 404
    assert caught.value.token_expired is False
    assert "Study NCT09999999 not found" in str(caught.value)
    assert len(reg.requests) == 1 and fake_clock.sleeps == []


def test_a_400_is_not_retried_and_quotes_the_registry_briefly(
    fake_registry, make_client, fake_clock
):
    reg = fake_registry(studies(1))
    reg.fail(page=1, status=400, message="`query.recrs` is unknown parameter " + "x" * 500)

    with pytest.raises(RegistryHTTPError) as caught:
        list(make_client(reg).iter_pages(params={}))

    message = str(caught.value)
    assert (caught.value.status, caught.value.page, caught.value.token_expired) == (400, 1, False)
    assert "`query.recrs` is unknown parameter" in message
    assert "x" * 100 in message and "x" * 200 not in message and "…" in message
    assert len(reg.requests) == 1 and fake_clock.sleeps == []


def test_an_expired_page_token_asks_the_caller_to_restart(fake_registry, make_client):
    reg = fake_registry(studies(5))
    reg.fail(page=3, token_expired=True)
    walk = make_client(reg).iter_pages(params={}, page_size=2)

    assert [next(walk).number, next(walk).number] == [1, 2]
    with pytest.raises(RegistryHTTPError) as caught:
        next(walk)

    assert (caught.value.status, caught.value.page) == (400, 3)
    assert caught.value.token_expired is True
    assert EXPIRED_TOKEN_MESSAGE in str(caught.value)
    assert "restart the walk" in str(caught.value)
    assert len(reg.requests_for(3)) == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"totalCount": 3}, "no `studies` list"),
        ({"studies": "NCT00000001"}, "no `studies` list"),
        ({"studies": ["NCT00000001"]}, "not a JSON object"),
        ([make_study("NCT00000001")], "not an object"),
        ({"studies": [], "nextPageToken": 7}, "`nextPageToken` is not a string"),
    ],
)
def test_json_of_the_wrong_shape_is_a_bad_response_at_once(
    fake_registry, make_client, body, problem
):
    reg = fake_registry(studies(1))
    reg.fail(page=1, body=body)

    with pytest.raises(RegistryBadResponse, match=problem):
        list(make_client(reg).iter_pages(params={}))
    assert len(reg.requests) == 1


# -- manners ---------------------------------------------------------------------------------


def test_every_request_names_the_project_and_its_version(fake_registry, make_client):
    reg = fake_registry(studies(3))
    client = make_client(reg)

    list(client.iter_pages(params={}, page_size=1))
    client.fetch_study("NCT00000001")

    assert USER_AGENT.startswith(f"als-cell-trials/{VERSION} (+https://github.com/als-cell-trials;")
    assert [r.headers["User-Agent"] for r in reg.requests] == [USER_AGENT] * 4


def test_request_starts_are_at_least_min_interval_apart(fake_registry, make_client, fake_clock):
    reg = fake_registry(studies(3), clock=fake_clock.now)
    reg.fail(page=2, status=500)  # a short backoff must not shorten the interval
    client = make_client(reg, min_interval=1.5, backoff_base=0.5)

    list(client.iter_pages(params={}, page_size=1))

    times = [r.time for r in reg.requests]
    assert len(times) == 4
    assert all(later - earlier >= 1.5 for earlier, later in pairwise(times))


def test_a_caller_slower_than_min_interval_is_not_made_to_wait(
    fake_registry, make_client, fake_clock
):
    reg = fake_registry(studies(3))
    client = make_client(reg, min_interval=1.0)

    for _page in client.iter_pages(params={}, page_size=1):
        fake_clock.advance(2.0)  # the caller's own work between pages

    assert fake_clock.sleeps == []


def test_it_logs_requests_at_debug_and_retries_at_warning(fake_registry, make_client, caplog):
    reg = fake_registry(studies(1))
    reg.fail(page=1, status=502)
    caplog.set_level(logging.DEBUG, logger="trials.registries.ctgov.client")

    list(make_client(reg).iter_pages(params={}))

    first, retry, second = caplog.records
    assert [r.levelname for r in caplog.records] == ["DEBUG", "WARNING", "DEBUG"]
    assert first.getMessage() == second.getMessage().replace("attempt 2", "attempt 1")
    assert first.getMessage().startswith(f"GET {reg.url}/studies?")
    assert "page 1" in retry.getMessage() and "HTTP 502" in retry.getMessage()


# -- backoff ---------------------------------------------------------------------------------


def test_the_backoff_ceiling_doubles_from_base_up_to_the_cap():
    ceilings = [backoff_ceiling(attempt, base=1.0, cap=60.0) for attempt in range(1, 9)]

    assert ceilings == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert backoff_ceiling(10_000, base=1.0, cap=60.0) == 60.0


def test_the_backoff_is_full_jitter_under_the_ceiling():
    rng = random.Random(20240115)

    for attempt, ceiling in [(1, 1.0), (3, 4.0), (5, 16.0), (9, 60.0)]:
        delays = [backoff_delay(attempt, base=1.0, cap=60.0, rand=rng.random) for _ in range(200)]
        assert all(0 <= d < ceiling for d in delays)
        assert max(delays) > 0.9 * ceiling and min(delays) < 0.1 * ceiling


def test_the_backoff_is_reproducible_with_a_seeded_random():
    def delays(seed):
        rng = random.Random(seed)
        return [backoff_delay(a, base=1.0, cap=60.0, rand=rng.random) for a in range(1, 8)]

    assert delays(7) == delays(7)
    assert delays(7) != delays(8)


# -- configuration ---------------------------------------------------------------------------


def test_unset_arguments_come_from_settings_or_the_documented_defaults(settings):
    settings.CTGOV_API_URL = "http://127.0.0.1:9/api/v2/"
    settings.CTGOV_TIMEOUT = 7
    for name in ["CTGOV_MAX_RETRIES", "CTGOV_BACKOFF_BASE", "CTGOV_BACKOFF_MAX"]:
        if hasattr(settings, name):
            delattr(settings, name)

    client = RegistryClient(max_total_wait=12)

    assert client.base_url == "http://127.0.0.1:9/api/v2"
    assert (client.timeout, client.max_total_wait) == (7.0, 12.0)
    assert (client.max_retries, client.backoff_base, client.backoff_max) == (5, 1.0, 60.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CTGOV_TIMEOUT", 0),
        ("CTGOV_TIMEOUT", "thirty"),
        ("CTGOV_MAX_RETRIES", 2.5),
        ("CTGOV_MIN_INTERVAL", -1),
        ("CTGOV_API_URL", "clinicaltrials.gov/api/v2"),
    ],
)
def test_a_bad_setting_fails_loudly_with_its_name(settings, name, value):
    settings.CTGOV_API_URL = "http://127.0.0.1:9/api/v2"
    setattr(settings, name, value)

    with pytest.raises(ValueError, match=name):
        RegistryClient()


class CannedSession(requests.Session):
    """Answers each GET with the next canned JSON body, without any network."""

    def __init__(self, *bodies: object):
        super().__init__()
        self.bodies = list(bodies)

    def get(self, url, params=None, **kwargs):
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(self.bodies.pop(0)).encode()
        response.url = url
        return response
