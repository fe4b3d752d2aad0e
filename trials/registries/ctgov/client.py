"""ClinicalTrials.gov API v2 client: the only code in the project that touches the network.

It walks `/studies` page by page and fetches single studies, with timeouts, bounded retries
(exponential backoff with full jitter, `Retry-After` honoured) and a polite request rate. It
returns the registry's JSON untouched; reading it is `parse.py`'s job. What the caller should do
with each error is in README.md next to this file.

Not thread-safe: one client walks one query at a time.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from trials.registries.ctgov.parse import NCT_ID_RE

logger = logging.getLogger(__name__)

VERSION = "0.1.0"
USER_AGENT = (
    f"als-cell-trials/{VERSION} "
    "(+https://github.com/als-cell-trials; evidence tracker for ALS cell-therapy trials)"
)
MAX_PAGE_SIZE = 1000  # the registry coerces larger values down to this

DEFAULT_QUERY: dict[str, str] = {
    "query.cond": "amyotrophic lateral sclerosis OR motor neuron disease",
    "query.intr": " OR ".join(
        [
            '"stem cell"',
            '"stem cells"',
            "mesenchymal",
            "stromal",
            "progenitor",
            "mononuclear",
            '"cell therapy"',
            "NurOwn",
            '"MSC-NTF"',
            "lenzumestrocel",
            '"Neuronata-R"',
            '"NSI-566"',
            "astrocytes",
            '"glial restricted"',
            '"T-regulatory"',
            '"regulatory T cells"',
        ]
    ),
}
"""Why DEFAULT_QUERY reads as it does (Essie syntax, the registry's search language).

- Two search areas, which the registry ANDs: `query.cond` (ConditionSearch: conditions, their
  MeSH terms and MeSH ancestors, keywords, titles) finds the disease; `query.intr`
  (InterventionSearch: intervention names, other names and descriptions, arm labels and
  descriptions, keywords, titles) finds the cell therapy. Summaries and detailed descriptions are
  in neither area, so an ALS drug trial that mentions stem cells only in its background is left
  out.
- `query.cond`: "amyotrophic lateral sclerosis" OR "motor neuron disease". Unquoted, so the
  area's synonym expansion applies (ALS, Lou Gehrig's disease). Motor neuron disease is ALS's
  MeSH ancestor and the name some trials register under (e.g. NCT03067857); it also brings in
  other motor neuron diseases (PLS, SMA), which the classifier and curators sort out.
- `query.intr`: one OR-list (`OR` in capitals, as Essie writes its operators). Multi-word and
  hyphenated names are quoted so they match as phrases and the hyphen is never parsed:
  - "stem cell", "stem cells": the generic wording of most MSC, NSC and bone-marrow trials;
  - mesenchymal, stromal: MSC products ("mesenchymal stromal cells", "bone marrow stromal
    cells") and stromal vascular fraction;
  - progenitor: neural and glial-restricted progenitors (CNS10-NPC-GDNF, Q-Cells);
  - mononuclear: unexpanded bone-marrow or blood mononuclear cells (e.g. NCT03085706);
  - "cell therapy": products named only by that phrase;
  - NurOwn, "MSC-NTF", lenzumestrocel, "Neuronata-R", "NSI-566": product names a record may use
    without any of the words above;
  - astrocytes, "glial restricted": AstroRx and glial-restricted progenitors;
  - "T-regulatory", "regulatory T cells": Treg infusions are cell therapies though not stem
    cells; the tracker lists them (cell type `other-cell`).
  Over-matching is cheap (the classifier decides what is a cell therapy); a missed trial is not.
"""

_RETRYABLE_STATUS = frozenset({429}) | frozenset(range(500, 600))
_TRANSIENT_EXCEPTIONS = (
    requests.ConnectionError,  # includes ConnectTimeout
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,  # connection dropped mid-body
    requests.exceptions.ContentDecodingError,
)
_ERROR_TEXT_LIMIT = 200


def incremental_filter(since: datetime.date) -> str:
    """`filter.advanced` value for studies whose last update was posted on or after `since`."""
    return f"AREA[LastUpdatePostDate]RANGE[{since:%Y-%m-%d},MAX]"


class RegistryError(Exception):
    """Base of every failure to get data from the registry. str() is one line for the operator.

    `url` is the full request URL, `page` the 1-based page of the walk (None for a single
    study), `attempts` how many requests were made before giving up.
    """

    def __init__(self, message: str, *, url: str, page: int | None = None, attempts: int = 1):
        super().__init__(message)
        self.url = url
        self.page = page
        self.attempts = attempts


class RegistryHTTPError(RegistryError):
    """The registry refused the request with a status that retrying will not change (4xx but 429).

    `token_expired` is True when it was a 400 that names the page token, i.e. the registry no
    longer accepts the `pageToken` of a walk in progress: restart the walk from page 1.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int,
        page: int | None = None,
        attempts: int = 1,
        token_expired: bool = False,
    ):
        super().__init__(message, url=url, page=page, attempts=attempts)
        self.status = status
        self.token_expired = token_expired


class RegistryUnavailable(RegistryError):
    """Connection errors, timeouts, 5xx or 429 that lasted through every retry. Try again later.

    `status` is the last HTTP status, or None when the last attempt got no answer at all.
    """

    def __init__(self, message: str, *, url: str, status: int | None, **kwargs: Any):
        super().__init__(message, url=url, **kwargs)
        self.status = status


class RegistryBadResponse(RegistryError):
    """A body still not valid JSON after every retry, or JSON that is not the expected shape."""


@dataclass(frozen=True)
class Page:
    studies: list[dict]  # raw study objects exactly as received
    next_page_token: str | None
    total_count: int | None  # only on the first page, as the registry sends it only there
    number: int  # 1-based page number in this walk


def backoff_delay(
    attempt: int, *, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after failed attempt `attempt` (1-based): full jitter under an
    exponential ceiling, uniform in [0, min(cap, base * 2**(attempt - 1))).

    Full jitter spreads the retries of many clients hit by the same outage instead of having them
    come back in lockstep.
    """
    return backoff_ceiling(attempt, base=base, cap=cap) * rand()


def backoff_ceiling(attempt: int, *, base: float, cap: float) -> float:
    return min(cap, base * 2.0 ** min(attempt - 1, 64))


def parse_retry_after(value: str | None, *, now: datetime.datetime | None = None) -> float | None:
    """A `Retry-After` header (delay-seconds or HTTP-date) as seconds from now; None if absent
    or unreadable. A date in the past gives 0."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        seconds = (when - (now or datetime.datetime.now(datetime.UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class _Transient:
    """A failed attempt that may succeed if repeated."""

    reason: str
    status: int | None = None
    retry_after: float | None = None
    bad_body: bool = False


class RegistryClient:
    """Reads ClinicalTrials.gov API v2. Every argument left as None comes from settings."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        backoff_base: float | None = None,
        backoff_max: float | None = None,
        max_total_wait: float | None = None,
        min_interval: float | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        url = str(_setting(base_url, "CTGOV_API_URL", "https://clinicaltrials.gov/api/v2"))
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"CTGOV_API_URL={url!r} must be an http(s):// URL")
        self.base_url = url.rstrip("/")
        self.timeout = _number(timeout, "CTGOV_TIMEOUT", 30.0, positive=True)
        self.max_retries = int(_number(max_retries, "CTGOV_MAX_RETRIES", 5, integer=True))
        self.backoff_base = _number(backoff_base, "CTGOV_BACKOFF_BASE", 1.0)
        self.backoff_max = _number(backoff_max, "CTGOV_BACKOFF_MAX", 60.0)
        self.max_total_wait = _number(max_total_wait, "CTGOV_MAX_TOTAL_WAIT", 300.0)
        self.min_interval = _number(min_interval, "CTGOV_MIN_INTERVAL", 1.0)
        self._own_session = session is None
        self._session = session or requests.Session()
        self._sleep = sleep
        self._clock = clock
        self._last_request_at: float | None = None

    def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._own_session:
            self._session.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def iter_pages(self, *, params: dict[str, str], page_size: int = 1000) -> Iterator[Page]:
        """Walk `/studies` for `params`, one Page per request, until no `nextPageToken` comes back.

        Every request repeats the same parameters (plus `format=json`, `pageSize`,
        `countTotal=true`); pages after the first add `pageToken`. Lazy: page N+1 is requested only
        when the caller asks for it, so a caller that is slow between pages may see its token
        expire (RegistryHTTPError with `token_expired`); restart the walk then.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, got {page_size}")
        if "pageToken" in params:
            raise ValueError("iter_pages manages pageToken itself; do not pass it in params")
        query = {**params, "format": "json", "pageSize": str(page_size), "countTotal": "true"}
        url = f"{self.base_url}/studies"
        token: str | None = None
        number = 0
        while True:
            number += 1
            page_params = query if token is None else {**query, "pageToken": token}
            full_url = _full_url(url, page_params)
            body = self._get_json(
                url, page_params, full_url=full_url, what=f"page {number}", page=number
            )
            page = _read_page(body, number=number, full_url=full_url)
            if page.next_page_token is not None and page.next_page_token == token:
                raise RegistryBadResponse(
                    f"ClinicalTrials.gov returned the same nextPageToken for page {number} as for "
                    f"page {number - 1}; stopping rather than walking in a circle; GET {full_url}",
                    url=full_url,
                    page=number,
                )
            yield page
            if page.next_page_token is None:
                return
            token = page.next_page_token

    def fetch_study(self, nct_id: str) -> dict:
        """One study as the registry sends it (`GET /studies/{nct_id}`); 404 → RegistryHTTPError."""
        if not NCT_ID_RE.fullmatch(nct_id):
            raise ValueError(f"{nct_id!r} is not an NCT id (NCT followed by 8 digits)")
        url = f"{self.base_url}/studies/{nct_id}"
        params = {"format": "json"}
        full_url = _full_url(url, params)
        body = self._get_json(url, params, full_url=full_url, what=f"study {nct_id}", page=None)
        if not isinstance(body, dict):
            raise RegistryBadResponse(
                f"ClinicalTrials.gov sent {type(body).__name__} instead of a study object for "
                f"{nct_id}; GET {full_url}",
                url=full_url,
            )
        return body

    def _get_json(
        self, url: str, params: dict[str, str], *, full_url: str, what: str, page: int | None
    ) -> Any:
        """GET and decode JSON, retrying transient faults until max_retries or max_total_wait."""
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            self._wait_for_turn()
            logger.debug("GET %s (%s, attempt %d)", full_url, what, attempt)
            try:
                response = self._session.get(
                    url,
                    params=params,
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                    timeout=(self.timeout, self.timeout),
                )
            except _TRANSIENT_EXCEPTIONS as exc:
                fault = _Transient(reason=f"{type(exc).__name__}: {_one_line(str(exc))}")
            except requests.RequestException as exc:
                raise RegistryError(
                    f"Cannot request {what} from ClinicalTrials.gov: {type(exc).__name__}: "
                    f"{_one_line(str(exc))}; GET {full_url}",
                    url=full_url,
                    page=page,
                ) from exc
            else:
                fault = self._check(response, full_url=full_url, what=what, page=page)
                if fault is None:
                    try:
                        return response.json()
                    except (ValueError, RecursionError) as exc:  # deep nesting: RecursionError
                        fault = _Transient(reason=f"invalid JSON ({exc})", bad_body=True)

            delay = self._retry_delay(attempt, fault)
            out_of_time = self._clock() + delay - started > self.max_total_wait
            if attempt > self.max_retries or out_of_time:
                raise _give_up(fault, full_url=full_url, what=what, page=page, attempts=attempt)
            logger.warning(
                "ClinicalTrials.gov %s failed (%s); retry %d of %d in %.1f s",
                what,
                fault.reason,
                attempt,
                self.max_retries,
                delay,
            )
            self._sleep(delay)

    def _check(
        self, response: requests.Response, *, full_url: str, what: str, page: int | None
    ) -> _Transient | None:
        """None for a success; a _Transient to retry; raises for a status retrying won't change."""
        status = response.status_code
        if 200 <= status < 300:
            return None
        text = _error_text(response)
        reason = f"HTTP {status}" + (f": {text}" if text else "")
        if status in _RETRYABLE_STATUS:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return _Transient(reason=reason, status=status, retry_after=retry_after)
        # The registry gives no error code; its message is the only sign of a stale token.
        token_expired = status == 400 and (
            "pagetoken" in text.lower() or "page token" in text.lower()
        )
        hint = " (the page token is no longer valid: restart the walk from page 1)"
        raise RegistryHTTPError(
            f"ClinicalTrials.gov refused {what} with {reason}{hint if token_expired else ''}; "
            f"GET {full_url}",
            url=full_url,
            status=status,
            page=page,
            token_expired=token_expired,
        )

    def _retry_delay(self, attempt: int, fault: _Transient) -> float:
        if fault.retry_after is not None:
            return min(fault.retry_after, self.backoff_max)
        return backoff_delay(attempt, base=self.backoff_base, cap=self.backoff_max)

    def _wait_for_turn(self) -> None:
        """Keep at least min_interval between the starts of two requests."""
        if self._last_request_at is not None:
            wait = self._last_request_at + self.min_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_request_at = self._clock()


def _read_page(body: Any, *, number: int, full_url: str) -> Page:
    def bad(problem: str) -> RegistryBadResponse:
        return RegistryBadResponse(
            f"ClinicalTrials.gov sent an unexpected body for page {number}: {problem}; "
            f"GET {full_url}",
            url=full_url,
            page=number,
        )

    if not isinstance(body, dict):
        raise bad(f"a JSON {type(body).__name__}, not an object")
    studies = body.get("studies")
    if not isinstance(studies, list):
        raise bad("no `studies` list")
    if not all(isinstance(study, dict) for study in studies):
        raise bad("a study that is not a JSON object")
    token = body.get("nextPageToken") or None
    if token is not None and not isinstance(token, str):
        raise bad("`nextPageToken` is not a string")
    total = body.get("totalCount")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int)):
        raise bad("`totalCount` is not an integer")
    return Page(studies=studies, next_page_token=token, total_count=total, number=number)


def _give_up(
    fault: _Transient, *, full_url: str, what: str, page: int | None, attempts: int
) -> RegistryError:
    summary = f"{what} failed after {attempts} attempts, last: {fault.reason}; GET {full_url}"
    if fault.bad_body:
        return RegistryBadResponse(
            f"ClinicalTrials.gov sent no valid JSON: {summary}",
            url=full_url,
            page=page,
            attempts=attempts,
        )
    return RegistryUnavailable(
        f"ClinicalTrials.gov unavailable: {summary}",
        url=full_url,
        status=fault.status,
        page=page,
        attempts=attempts,
    )


def _full_url(url: str, params: dict[str, str]) -> str:
    return requests.Request("GET", url, params=params).prepare().url or url


def _error_text(response: requests.Response) -> str:
    """The registry's own error message (plain text), on one line and truncated."""
    text = _one_line(response.text)
    if len(text) > _ERROR_TEXT_LIMIT:
        return text[: _ERROR_TEXT_LIMIT - 1] + "…"
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _setting(value: Any, name: str, default: Any) -> Any:
    return getattr(settings, name, default) if value is None else value


def _number(
    value: float | None, name: str, default: float, *, positive: bool = False, integer: bool = False
) -> float:
    """A setting (or the argument that overrides it) that must be a number ≥ 0 (or > 0)."""
    raw = _setting(value, name, default)
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if integer and not number.is_integer():
        raise ValueError(f"{name}={raw!r} must be a whole number")
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise ValueError(f"{name}={raw!r} must be {'> 0' if positive else '≥ 0'}")
    return number
