"""The OpenAPI schema says what the API enforces (schemathesis holds the API to it).

drf-spectacular reads the filters' types but not their bounds: this hook adds what TrialFilter
and the query guard (trials.browsing.query_guard) check, so that a client generated from the
schema, or a fuzzer, knows the limits before it meets a 400.
"""

from __future__ import annotations

from trials.browsing import query_guard
from trials.browsing.filters import AnyValueMultipleFilter, TrialFilter, WholeNumberFilter

# Any character but the controls the guard refuses; a free value (country) also needs one that
# is not a space (AnyValueMultipleField).
CONTROLS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f"
NO_CONTROLS = rf"^[^{CONTROLS}]*$"
FREE_VALUE = rf"^[^{CONTROLS}]*[^\s{CONTROLS}][^{CONTROLS}]*$"


def _filter_bounds() -> dict[str, dict]:
    bounds = {}
    for name, filter_ in TrialFilter.base_filters.items():
        if isinstance(filter_, WholeNumberFilter):
            bounds[name] = {
                "type": "integer",
                "minimum": filter_.extra["min_value"],
                "maximum": filter_.extra["max_value"],
            }
    return bounds


def _bounded(schema: dict, pattern: str = NO_CONTROLS) -> dict:
    if schema.get("type") == "array":
        items = _bounded(schema["items"], pattern)
        return {**schema, "maxItems": query_guard.MAX_VALUES, "items": items}
    if schema.get("type") == "string" and "enum" not in schema:
        return {**schema, "pattern": pattern}
    return schema


def declare_bounds(result, generator, request, public):
    """Postprocessing hook (SPECTACULAR_SETTINGS): bounds of the filter parameters and path ids."""
    numbers = _filter_bounds()
    free = {n for n, f in TrialFilter.base_filters.items() if isinstance(f, AnyValueMultipleFilter)}
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                schema = numbers.get(name, parameter["schema"])
                parameter["schema"] = _bounded(schema, FREE_VALUE if name in free else NO_CONTROLS)
    return result
