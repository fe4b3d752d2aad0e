"""Links from the evidence pages to the trials list and trial pages.

Paths are reversed from the trials app's URL names (evidence may depend on trials).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def trial_url(nct_id: str) -> str:
    return reverse("trials:detail", args=[nct_id])


class TrialsLinks:
    """Builds /trials/?… links that keep the page's own filters and set a few more.

    A value replaces the page's values of that parameter; callers only set values that are
    among the page's selection (or when it has none), so the link selects exactly the trials
    behind the number it is attached to.
    """

    def __init__(self, params: dict[str, list[str]]):
        self.params = {name: list(values) for name, values in params.items() if values}

    def selected(self, name: str) -> list[str]:
        return self.params.get(name, [])

    def url(self, **values: str) -> str:
        params = {**self.params, **{name: [value] for name, value in values.items()}}
        query = urlencode([(name, v) for name, vs in sorted(params.items()) for v in vs])
        path = reverse("trials:list")
        return f"{path}?{query}" if query else path
