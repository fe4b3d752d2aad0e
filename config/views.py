"""The site's error pages."""

from django.http import HttpResponseServerError
from django.template import loader


def server_error(request):
    """The 500 page, with the request id to quote: the log line of the error carries the same.

    Rendered without context processors, as Django's own: they may be what failed.
    """
    request_id = getattr(request, "request_id", "")
    html = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponseServerError(html)
