"""Template filters that put registry enums and label slugs into words (see
trials.browsing.display)."""

from django import template

from trials import labels
from trials.browsing import display, listing

register = template.Library()


@register.filter
def enum_label(value: str) -> str:
    return display.enum_label(value)


@register.filter
def phases_label(phases) -> str:
    return display.phases_label(phases or [])


@register.filter
def slug_label(slug: str, field: str) -> str:
    """`{{ value|slug_label:"routes" }}` → 'Intrathecal (CSF, lumbar puncture)'."""
    return labels.label_for(field, slug)


@register.filter
def source_label(source: str) -> str:
    return display.source_label(source)


@register.simple_tag
def page_url(query, page: int) -> str:
    """The current query string at another page: `{% page_url query 3 %}`."""
    return listing.page_url(query, page)


@register.filter
def facet_values(trial, facet: str) -> list[str]:
    """A trial's effective values of one facet, from its prefetched facet rows."""
    return trial.facet_values(facet)


@register.filter
def partial_date(trial, name: str) -> str:
    """A date as precise as the registry gave it: '2020', '2020-12' or '2020-12-31'."""
    return trial.partial_date(name)
