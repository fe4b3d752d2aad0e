"""The site's error pages."""

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def server_error(request):
    """The 500 page, with the request id to quote: the log line of the error carries the same.

    Rendered without context processors, as Django's own: they may be what failed.
    """
    request_id = getattr(request, "request_id", "")
    html = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponseServerError(html)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login refused for too many failures (AXES_LOCKOUT_CALLABLE)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": f"{settings.AXES_COOLOFF_MINUTES:g}",
        "username": (credentials or {}).get("username") or request.POST.get("username", ""),
    }
    return render(request, "axes/locked_out.html", context, status=429)
