"""A fake ClinicalTrials.gov API v2: a real HTTP server on 127.0.0.1, for tests and benchmarks.

    with FakeRegistry([make_study("NCT00000001"), make_study("NCT00000002")]) as reg:
        client = RegistryClient(base_url=reg.url, sleep=clock.sleep, clock=clock.now, ...)
        reg.fail(page=2, status=503, times=2)
        pages = list(client.iter_pages(params=DEFAULT_QUERY, page_size=1))
        assert [r.page for r in reg.requests] == [1, 2, 2, 2]

Or through the pytest fixtures (tests/conftest.py loads this module as a plugin):
`fake_registry(studies, **options)` starts one and closes it after the test; `fake_clock` is a
FakeClock whose `now`/`sleep` go into the client so nothing really waits.

What it serves, at `reg.url` = http://127.0.0.1:<port>/api/v2:
- `GET /studies`: the studies in the order given, `pageSize` per page (default 10, 0 = default,
  coerced down to `page_size_cap`), an opaque `nextPageToken` while more remain, `totalCount`
  on the first page when `countTotal=true`. A token is reusable (a retry may repeat it) and only
  valid with the same parameters as the first page (`countTotal`, `pageSize` may change).
  `filter.advanced=AREA[LastUpdatePostDate]RANGE[YYYY-MM-DD,MAX]` keeps the studies whose
  `protocolSection.statusModule.lastUpdatePostDateStruct.date` is on or after that day.
  `query.*` parameters are recorded but not interpreted. Anything it does not implement (other
  filters, `fields`, `sort`, `format=csv`) or does not know answers 400, as the registry does for
  an unknown parameter, so a test cannot pass by accident on a parameter ignored here.
- `GET /studies/<NCT id>`: that study, or 404.
- `reg.studies` is the live list: a test may replace it between walks to simulate updates.

Every request is recorded in `reg.requests` (RecordedRequest: path, params, headers, time by
the registry's `clock`, and the page number of a /studies request: 1 without a pageToken, else
the page its token points to). Pass `clock=fake_clock.now` to see request times on the same
clock as the client.

Faults, matched by page number (1-based, within a walk), applied in the order registered:

    reg.fail(page=2, status=429, retry_after=1)      # Retry-After: 1 (seconds, or an HTTP-date str)
    reg.fail(page=2, status=500, times=3)            # the next 3 requests for page 2
    reg.fail(page=1, status=400, message="bad query")  # any status, with the registry's text
    reg.fail(page=2, hang=1.0)                       # answer after 1 s (past a 0.2 s timeout)
    reg.fail(page=1, truncate=True)                  # only the first half of the JSON body
    reg.fail(page=3, malformed_study=True)           # the page's first study loses its nctId
    reg.fail(page=3, token_expired=True)             # 400 "invalid or expired pageToken"
    reg.fail(page=1, body={"studies": "oops"})       # 200 with this JSON instead of the page
    reg.fail(page=1, raw=b'{"studies": [[[[')       # 200 with these bytes instead of the page
    reg.fail(page=2, status=503, permanent=True)     # that page fails for good
    FakeRegistry(studies, expire_tokens_after=2)     # every walk gets 2 pages, then the token of
                                                     # page 3 is expired (a walk too slow to finish)

`times` (default 1) counts the requests the fault answers; `permanent=True` never runs out.
Each `fail()` takes exactly one kind (status, hang, truncate, malformed_study, token_expired,
body, raw).
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from trials.registries.ctgov.parse import parse_partial_date

API_PREFIX = "/api/v2"
DEFAULT_PAGE_SIZE = 10  # the registry's default when pageSize is absent or 0
EXPIRED_TOKEN_MESSAGE = (
    "The pageToken is invalid or has expired. Repeat the search without pageToken to start over."
)
_QUERY_AREAS = frozenset(
    {"cond", "term", "locn", "titles", "intr", "outc", "spons", "lead", "id", "patient"}
)
_SERVED_PARAMS = frozenset({"format", "markupFormat", "filter.advanced", "countTotal", "pageSize"})
_UNIMPLEMENTED_PARAMS = frozenset(
    {
        "filter.overallStatus",
        "filter.geo",
        "filter.ids",
        "filter.synonyms",
        "postFilter.overallStatus",
        "postFilter.geo",
        "postFilter.ids",
        "postFilter.advanced",
        "postFilter.synonyms",
        "aggFilters",
        "geoDecay",
        "fields",
        "sort",
    }
)
# Parameters that may differ between the pages of one walk (the registry's own rule).
_PER_PAGE_PARAMS = frozenset({"countTotal", "pageSize", "pageToken"})
_SINCE_FILTER_RE = re.compile(
    r"^\s*AREA\[LastUpdatePostDate\]\s*RANGE\[\s*(\d{4}-\d{2}-\d{2})\s*,\s*MAX\s*\]\s*$"
)


def make_study(nct_id: str, *, last_update: str = "2024-01-15", title: str = "") -> dict:
    """A minimal API v2 study object: enough for paging, filtering and an NCT id."""
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id, "briefTitle": title or f"Study {nct_id}"},
            "statusModule": {"lastUpdatePostDateStruct": {"date": last_update, "type": "ACTUAL"}},
        },
        "hasResults": False,
    }


@dataclass(frozen=True)
class RecordedRequest:
    path: str  # without the /api/v2 prefix, e.g. "/studies"
    params: dict[str, str]
    headers: dict[str, str]
    time: float  # by the registry's clock
    page: int | None  # /studies page this request asked for; None for other paths or bad tokens


@dataclass
class Fault:
    page: int
    remaining: int | None  # None: permanent
    status: int | None = None
    retry_after: float | str | None = None
    message: str | None = None
    hang: float | None = None
    truncate: bool = False
    malformed_study: bool = False
    token_expired: bool = False
    body: object = None
    raw: bytes | None = None


@dataclass(frozen=True)
class _Cursor:
    page: int
    offset: int
    query: tuple[tuple[str, str], ...]


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


class FakeClock:
    """A monotonic clock that moves only when slept on or advanced: inject `now` and `sleep`."""

    def __init__(self, start: float = 1000.0):
        self.time = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds

    def advance(self, seconds: float) -> None:
        self.time += seconds


class FakeRegistry:
    def __init__(
        self,
        studies: list[dict],
        page_size_cap: int = 1000,
        *,
        expire_tokens_after: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.studies = studies
        self.page_size_cap = page_size_cap
        self.clock = clock
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # exceptions raised inside the server: a bug in this fake
        self._faults: list[Fault] = []
        self._tokens: dict[str, _Cursor] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        if expire_tokens_after is not None:
            self.fail(page=expire_tokens_after + 1, token_expired=True, permanent=True)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeRegistry:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.registry = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is None:
            return
        self._closing.set()  # wakes handlers that hang
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None

    def __enter__(self) -> FakeRegistry:
        return self.start()

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        self.close()
        if exc_type is None and self.errors:
            raise AssertionError("FakeRegistry crashed while serving:\n" + "\n".join(self.errors))

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeRegistry is not started; use `with` or .start()")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{API_PREFIX}"

    # -- scripting -------------------------------------------------------------------------

    def fail(
        self,
        *,
        page: int,
        times: int = 1,
        permanent: bool = False,
        status: int | None = None,
        retry_after: float | str | None = None,
        message: str | None = None,
        hang: float | None = None,
        truncate: bool = False,
        malformed_study: bool = False,
        token_expired: bool = False,
        body: object = None,
        raw: bytes | None = None,
    ) -> Fault:
        """Make the next `times` requests for `page` of a walk fail (see the module docstring)."""
        kinds = [status, hang, body, raw]
        flags = [truncate, malformed_study, token_expired]
        if sum(k is not None for k in kinds) + sum(flags) != 1:
            raise ValueError(
                "fail() takes exactly one of status, hang, truncate, malformed_study, "
                "token_expired, body, raw"
            )
        if (retry_after is not None or message is not None) and status is None:
            raise ValueError("retry_after and message go with status")
        if page < 1 or (token_expired and page == 1):
            raise ValueError("page is 1-based; page 1 has no token to expire")
        fault = Fault(
            page=page,
            remaining=None if permanent else times,
            status=status,
            retry_after=retry_after,
            message=message,
            hang=hang,
            truncate=truncate,
            malformed_study=malformed_study,
            token_expired=token_expired,
            body=body,
            raw=raw,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Forget every fault, permanent ones too (the registry has recovered)."""
        with self._lock:
            self._faults.clear()

    def requests_for(self, page: int) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/studies" and r.page == page]

    # -- serving ---------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        path = parts.path.removeprefix(API_PREFIX) if parts.path.startswith(API_PREFIX) else None
        with self._lock:
            page, reply = self._route(path, params)
            self.requests.append(
                RecordedRequest(
                    path=path if path is not None else parts.path,
                    params=params,
                    headers=dict(handler.headers.items()),
                    time=self.clock(),
                    page=page,
                )
            )
            fault = self._take_fault(page) if page is not None and reply.status == 200 else None
        if fault is not None:
            reply = self._apply(fault, reply)
        _send(handler, reply)

    def _route(self, path: str | None, params: dict[str, str]) -> tuple[int | None, _Reply]:
        if path == "/studies":
            return self._studies(params)
        match = re.fullmatch(r"/studies/(NCT\d{8})", path or "", re.IGNORECASE)
        if match:
            nct_id = match.group(1).upper()
            for study in self.studies:
                if _nct_id(study) == nct_id:
                    return None, _json_reply(study)
            return None, _text_reply(404, f"Study {nct_id} not found")
        return None, _text_reply(404, "Not Found")

    def _studies(self, params: dict[str, str]) -> tuple[int | None, _Reply]:
        for name in params:
            if name in _UNIMPLEMENTED_PARAMS:
                return None, _text_reply(400, f"`{name}` is not implemented by FakeRegistry")
            is_query = name.startswith("query.") and name[6:] in _QUERY_AREAS
            if not (is_query or name in _SERVED_PARAMS or name in _PER_PAGE_PARAMS):
                return None, _text_reply(400, f"`{name}` is unknown parameter")
        if params.get("format", "json") != "json":
            return None, _text_reply(400, "FakeRegistry serves only format=json")
        try:
            size = int(params.get("pageSize") or 0)
        except ValueError:
            return None, _text_reply(400, "pageSize must be an integer")
        if size < 0:
            return None, _text_reply(400, "pageSize must not be negative")
        size = min(size or DEFAULT_PAGE_SIZE, self.page_size_cap)
        query = tuple(sorted((k, v) for k, v in params.items() if k not in _PER_PAGE_PARAMS))

        token = params.get("pageToken")
        if token is None:
            cursor = _Cursor(page=1, offset=0, query=query)
        else:
            cursor = self._tokens.get(token)
            if cursor is None:
                return None, _text_reply(400, EXPIRED_TOKEN_MESSAGE)
            if cursor.query != query:
                return cursor.page, _text_reply(
                    400, "FakeRegistry: parameters differ from the first page of this walk"
                )

        studies = self._matching(params.get("filter.advanced"))
        if studies is None:
            return cursor.page, _text_reply(
                400,
                "FakeRegistry supports only "
                "filter.advanced=AREA[LastUpdatePostDate]RANGE[YYYY-MM-DD,MAX]",
            )
        body: dict = {}
        if cursor.page == 1 and params.get("countTotal", "").lower() == "true":
            body["totalCount"] = len(studies)
        end = cursor.offset + size
        body["studies"] = studies[cursor.offset : end]
        if end < len(studies):
            next_token = secrets.token_urlsafe(18)
            self._tokens[next_token] = _Cursor(page=cursor.page + 1, offset=end, query=query)
            body["nextPageToken"] = next_token
        return cursor.page, _json_reply(body)

    def _matching(self, advanced: str | None) -> list[dict] | None:
        if advanced is None:
            return list(self.studies)
        match = _SINCE_FILTER_RE.match(advanced)
        if not match:
            return None
        since = date.fromisoformat(match.group(1))
        return [s for s in self.studies if (day := _last_update(s)) is not None and day >= since]

    def _take_fault(self, page: int) -> Fault | None:
        for fault in self._faults:
            if fault.page == page and fault.remaining != 0:
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault
        return None

    def _apply(self, fault: Fault, reply: _Reply) -> _Reply:
        if fault.hang is not None:
            self._closing.wait(fault.hang)
            return reply
        if fault.truncate:
            return _Reply(200, reply.body[: len(reply.body) // 2])
        if fault.malformed_study:
            body = json.loads(reply.body)
            if body["studies"]:
                broken = copy.deepcopy(body["studies"][0])
                module = broken.get("protocolSection", {}).get("identificationModule", {})
                module.pop("nctId", None)
                body["studies"][0] = broken
            return _json_reply(body)
        if fault.token_expired:
            return _text_reply(400, EXPIRED_TOKEN_MESSAGE)
        if fault.body is not None:
            return _json_reply(fault.body)
        if fault.raw is not None:
            return _Reply(200, fault.raw)
        assert fault.status is not None
        headers = () if fault.retry_after is None else (("Retry-After", str(fault.retry_after)),)
        text = fault.message if fault.message is not None else f"Fake failure {fault.status}"
        return _text_reply(fault.status, text, headers=headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hanging handler must not hold up close()
    registry: FakeRegistry

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the client gave up (a timeout test) or went away: expected
        self.registry.errors.append(f"{type(error).__name__}: {error}")
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a benchmark against the real API would see
    timeout = 10  # idle keep-alive connections end instead of holding a thread forever
    disable_nagle_algorithm = True  # headers and body go out in two writes: don't stall 40 ms
    server: _Server

    def do_GET(self) -> None:
        self.server.registry._handle(self)

    def log_message(self, format: str, *args: object) -> None:
        pass  # requests are recorded in FakeRegistry.requests; stderr stays quiet


def _send(handler: BaseHTTPRequestHandler, reply: _Reply) -> None:
    handler.send_response(reply.status)
    handler.send_header("Content-Type", reply.content_type)
    handler.send_header("Content-Length", str(len(reply.body)))
    for name, value in reply.headers:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(reply.body)


def _json_reply(body: object) -> _Reply:
    return _Reply(200, json.dumps(body).encode())


def _text_reply(status: int, text: str, headers: tuple[tuple[str, str], ...] = ()) -> _Reply:
    return _Reply(status, text.encode(), "text/plain; charset=utf-8", headers)


def _nct_id(study: dict) -> str | None:
    return study.get("protocolSection", {}).get("identificationModule", {}).get("nctId")


def _last_update(study: dict) -> date | None:
    status = study.get("protocolSection", {}).get("statusModule", {})
    parsed = parse_partial_date(status.get("lastUpdatePostDateStruct", {}).get("date"))
    return parsed[0] if parsed else None


@pytest.fixture
def fake_registry() -> Iterator[Callable[..., FakeRegistry]]:
    """Factory: `reg = fake_registry(studies, **options)` starts a FakeRegistry, closed after."""
    started: list[FakeRegistry] = []

    def start(studies: list[dict] | tuple = (), **options: object) -> FakeRegistry:
        registry = FakeRegistry(list(studies), **options).start()
        started.append(registry)
        return registry

    yield start
    for registry in started:
        registry.close()
    errors = [error for registry in started for error in registry.errors]
    assert not errors, "FakeRegistry crashed while serving:\n" + "\n".join(errors)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()
