"""The API's docs pages (Swagger UI, Redoc): drf-spectacular's, held to the site's rules.

- Swagger UI's start-up script is served as a script of its own (the "split" view), not inline,
  so that the Content-Security-Policy can refuse every inline script (config/middleware.py).
- Redoc writes its styles into <style> elements as it renders and runs its search in a worker
  made from a blob: URL, so its page alone allows inline styles and blob: workers (scripts stay
  the site's own files only).
- OPTIONS is answered with the methods, as Django's own views do: DRF would describe the view
  with its metadata, which the pages' HTML renderer has no template for (a 500).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class _HtmlPageOptions:
    def options(self, request, *args, **kwargs):
        return HttpResponse(headers={"Allow": ", ".join(self.allowed_methods)})


class SwaggerPage(_HtmlPageOptions, SpectacularSwaggerSplitView):
    pass


def redoc_policy() -> str:
    """The site's policy with inline styles and blob: workers allowed, as Redoc needs."""
    policy = settings.CONTENT_SECURITY_POLICY
    policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", 1)
    return f"{policy}; worker-src 'self' blob:"


class RedocPage(_HtmlPageOptions, SpectacularRedocView):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.headers["Content-Security-Policy"] = redoc_policy()
        return response
