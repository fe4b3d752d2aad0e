"""The change list (`/changes/`) and its Atom feed (`/feeds/changes/`): recent changes of the
trials a researcher's filters select — the same TrialFilter, with the same parameters, as the
trial list — so a saved search can be followed as a feed."""

from __future__ import annotations

from django import forms
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from trials.browsing import listing
from trials.browsing.filters import TrialFilter
from trials.history import timeline
from trials.models import TrialChange

PAGE_SIZE = 50
FEED_SIZE = 50


class ChangeOptions(forms.Form):
    """The parameters of the change list beside TrialFilter's."""

    kind = forms.MultipleChoiceField(choices=TrialChange.Kind.choices, required=False)
    page = forms.IntegerField(min_value=1, required=False)


def _selected(request):
    """(changes, filterset, errors): the changes of the trials the filters select, newest first."""
    filterset = TrialFilter(request.GET)
    options = ChangeOptions(request.GET)
    errors = {**filterset.errors, **(options.errors if not options.is_valid() else {})}
    if errors:
        return None, filterset, errors
    changes = (
        TrialChange.objects.of_trials(filterset.qs)
        .of_kinds(*options.cleaned_data["kind"])
        .newest_first()
    )
    return changes, filterset, {}


def _bad_request(errors) -> HttpResponseBadRequest:
    lines = [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
    return HttpResponseBadRequest(
        "Some filter parameters are not valid:\n" + "\n".join(lines),
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def change_list(request):
    changes, filterset, errors = _selected(request)
    if errors:
        response = render(request, "trials/changes.html", {"errors": errors}, status=400)
        return response
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "trials/changes.html",
        {
            "page": page,
            "entries": timeline.describe_all(page.object_list),
            "filterset": filterset,
            **listing.selection_context(filterset, request.GET),
            "query": query.urlencode(),
            "feed_url": _with_query(reverse("changes:feed"), query.urlencode()),
        },
    )


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    description_template = None

    def get_object(self, request):
        return request

    def title(self, request):
        return "ALS cell-therapy trials: changes" + (
            " (filtered)" if _filter_query(request) else ""
        )

    def link(self, request):
        return _with_query(reverse("changes:list"), _filter_query(request))

    def feed_url(self, request):
        return _with_query(reverse("changes:feed"), _filter_query(request))

    def subtitle(self, request):
        return (
            "Registry updates, automatic label changes and curator corrections of the trials "
            "this search selects."
        )

    def items(self, request):
        changes, _filterset, _errors = _selected(request)
        return timeline.describe_all(changes[:FEED_SIZE])

    def item_title(self, entry):
        return f"{entry.trial.nct_id}: {entry.title}"

    def item_description(self, entry):
        parts = [entry.trial.brief_title, entry.detail, f"by {entry.who}"]
        if entry.note:
            parts.append(f"Note: {entry.note}")
        return " — ".join(p for p in parts if p)

    def item_link(self, entry):
        return entry.url

    def item_pubdate(self, entry):
        return entry.at

    def item_updateddate(self, entry):
        return entry.at

    def item_author_name(self, entry):
        return entry.who


_feed = ChangesFeed()


@require_safe
def change_feed(request):
    _changes, _filterset, errors = _selected(request)
    if errors:
        return _bad_request(errors)
    return _feed(request)


def _filter_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url
