"""Links from the evidence pages to the trials list and trial pages.

The trials list lives at /trials/ and a trial at /trials/<NCT id>/ (the trials app's views; the
paths are the public contract of the tracker's URLs, so they are written here rather than
reversed from view names the evidence app does not own).
"""

from __future__ import annotations

from urllib.parse import urlencode

TRIALS_PATH = "/trials/"


def trial_url(nct_id: str) -> str:
    return f"{TRIALS_PATH}{nct_id}/"


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
        return f"{TRIALS_PATH}?{query}" if query else TRIALS_PATH
