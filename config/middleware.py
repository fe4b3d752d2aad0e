"""Site-wide middleware: a request id on every request, response and log line; the
Content-Security-Policy of every response.

The id is the proxy's `X-Request-ID` when it sends a well-formed one (so that the proxy's access
log and ours name the same request), else a new one; the response carries it back, and every log
record made while the request is answered (`django.request`'s errors included) is stamped with it
by RequestIdFilter, so an error a visitor reports can be found in the log.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from django.conf import settings

REQUEST_ID_HEADER = "X-Request-ID"
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
NO_REQUEST = "-"

_current_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = given if WELL_FORMED_ID.fullmatch(given) else uuid.uuid4().hex
        token = _current_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the record's request's, else the current request's."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or _current_id.get()
        return True


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY unless the view set a policy of its own.

    The pages load nothing from elsewhere and hold no inline script or style, so the policy
    allows only the site's own files: injected markup can neither run a script nor send data
    off. (The Redoc page relaxes styles for itself: trials/browsing/api/docs.py.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def client_ip(request) -> str | None:
    """The visitor's address, for login throttling: CLIENT_IP_HEADER's when set, else the peer's."""
    if settings.CLIENT_IP_HEADER:
        forwarded = request.META.get(settings.CLIENT_IP_HEADER, "")
        # X-Forwarded-For style lists: the proxy appends the peer it saw last.
        return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR")
    return request.META.get("REMOTE_ADDR")
