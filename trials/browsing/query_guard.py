"""The one check every request's path and query string pass before any view reads them.

Each page, download, feed and API call reads its parameters its own way (TrialFilter, the page
and change-list options, DRF's pagination, the admin's list filters), so the values no database
or output can carry are refused here, once, for every URL: a control character (PostgreSQL
rejects a NUL in any string literal, XML 1.0 most C0 controls), more than MAX_VALUES values of
one parameter (a page shows a chip and an option for each selected value: 1,000 countries made a
17 MB page), or a query string longer than MAX_QUERY_LENGTH. The answer is a 400 that names the
parameter: plain text for the pages, `{"parameter": ["message"]}` for the API, as DRF's own.
"""

from __future__ import annotations

import json
import re

from django.http import HttpRequest, HttpResponse, QueryDict

MAX_VALUES = 50
# Characters of the query string as sent (percent-encoded): 50 countries fit ten times over, and
# it stays under the 8 KB request line that common proxies accept.
MAX_QUERY_LENGTH = 4096
# C0 controls and DEL, but tab, line feed and carriage return (text pasted from elsewhere).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
API_PREFIX = "/api/"


def query_problems(query: QueryDict) -> dict[str, list[str]]:
    """Parameter → what is wrong with it; empty when every parameter can be used."""
    problems: dict[str, list[str]] = {}
    for name, values in query.lists():
        messages = []
        if CONTROL.search(name):
            name = CONTROL.sub("?", name)
            messages.append("A parameter name may not hold control characters.")
        if any(CONTROL.search(value) for value in values):
            messages.append("A value may not hold control characters (such as NUL).")
        if len(values) > MAX_VALUES:
            messages.append(f"At most {MAX_VALUES} values are accepted; {len(values)} were given.")
        if messages:
            problems.setdefault(name, []).extend(messages)
    return problems


def request_problems(request: HttpRequest) -> dict[str, list[str]]:
    """What makes this request unusable before any view reads it (see the module docstring)."""
    raw_query = request.META.get("QUERY_STRING", "")
    if len(raw_query) > MAX_QUERY_LENGTH:
        return {
            "query": [
                f"The query string is {len(raw_query):,} characters long; "
                f"at most {MAX_QUERY_LENGTH:,} are accepted."
            ]
        }
    problems = {}
    if CONTROL.search(request.path):
        problems["path"] = ["The address may not hold control characters (such as NUL)."]
    return {**problems, **query_problems(request.GET)}


def bad_request(request: HttpRequest, problems: dict[str, list[str]]) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return HttpResponse(
            json.dumps(problems), status=400, content_type="application/json; charset=utf-8"
        )
    lines = [f"{name}: {' '.join(messages)}" for name, messages in problems.items()]
    return HttpResponse(
        "This request cannot be answered: fix these parameters.\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


class QueryGuardMiddleware:
    """Answers 400 to a request whose path or query string fails `request_problems`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problems = request_problems(request)
        if problems:
            return bad_request(request, problems)
        return self.get_response(request)
