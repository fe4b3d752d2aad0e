"""The API's docs pages (Swagger UI, Redoc): drf-spectacular's, held to the site's rules.

- Swagger UI's start-up script is served as a script of its own (the "split" view), not inline,
  so that the Content-Security-Policy can refuse every inline script (config/middleware.py).
- OPTIONS is answered with the methods, as Django's own views do: DRF would describe the view
  with its metadata, which the pages' HTML renderer has no template for (a 500).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class _HtmlPageOptions:
    def options(self, request, *args, **kwargs):
        return HttpResponse(headers={"Allow": ", ".join(self.allowed_methods)})


class SwaggerPage(_HtmlPageOptions, SpectacularSwaggerSplitView):
    pass


class RedocPage(_HtmlPageOptions, SpectacularRedocView):
    pass
