"""The researchers' pages: the overview, the faceted trial list, a trial, and the downloads.

Thin: the filtering is TrialFilter's (shared with the API), the reads are QuerySet methods and
selectors, and what the templates show is built by the pure helpers of trials.browsing.listing,
trials.browsing.trial_page and trials.browsing.charts.
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from trials.browsing import exports, listing, page_sections, trial_page
from trials.browsing import home as selectors
from trials.browsing.filters import TrialFilter
from trials.browsing.home_charts import overview_charts
from trials.history import timeline
from trials.importing import health
from trials.models import Trial

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


@require_safe
def home(request):
    overview = selectors.overview()
    return render(
        request,
        "trials/home.html",
        {
            "overview": overview,
            "charts": overview_charts(overview),
            "recent_trials": selectors.recently_changed_trials(),
            "last_import": selectors.last_successful_import(),
            **health.import_health_context(),
        },
    )


@require_safe
def trial_list(request):
    canonical = listing.canonical_query(request.GET)
    if canonical != ("?" + request.GET.urlencode() if request.GET else ""):
        return redirect(request.path + canonical)
    filterset = TrialFilter(request.GET)
    params = listing.page_params(request.GET)
    trials = filterset.paginable(load=lambda trials: trials.for_listing())
    page = Paginator(trials, params.per_page).get_page(params.page)
    context = listing.page_context(filterset, request.GET, page, params)
    return render(request, "trials/trial_list.html", context)


@require_safe
def trial_export(request, fmt: str):
    """Every trial matching the filters, streamed as CSV or JSON in the export_trials format.

    Everything that can be checked is checked before the 200 is sent: the parameters (the
    query guard, then TrialFilter) and the query itself (`exports.started` reads the first row).
    """
    filterset = TrialFilter(request.GET)
    if filterset.errors:
        message = "\n".join(listing.problems(filterset, request.GET))
        return HttpResponse(
            f"Nothing was exported: fix these parameters.\n{message}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if request.method == "HEAD":  # a link checker: the headers, without running the export
        response = HttpResponse(content_type=EXPORT_TYPES[fmt])
    else:
        rows = exports.started(exports.iter_rows(filterset.qs))
        response = StreamingHttpResponse(
            exports.iter_download(rows, fmt, request), content_type=EXPORT_TYPES[fmt]
        )
    filename = f"als-cell-trials-{timezone.now():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _trial_or_none(nct_id: str) -> Trial | None:
    return Trial.objects.visible().for_detail().filter(nct_id=nct_id).first()


@require_safe
def trial_detail(request, nct_id: str):
    if nct_id != nct_id.upper():
        return redirect("trials:detail", nct_id=nct_id.upper(), permanent=True)
    trial = _trial_or_none(nct_id)
    if trial is None:
        return render(request, "trials/trial_not_found.html", {"nct_id": nct_id}, status=404)
    sections = page_sections.sections_for(trial, request)
    return render(
        request,
        "trials/trial_detail.html",
        {
            "trial": trial,
            "label_rows": trial_page.label_rows(trial),
            "arm_views": trial_page.arm_views(trial),
            "sections": sections,
            "timeline": timeline.timeline_for(trial),
            "raw_record_json": json.dumps(trial.raw_record, indent=2, ensure_ascii=False),
        },
    )


@require_safe
def trial_record(request, nct_id: str):
    """The registry record exactly as imported."""
    trial = Trial.objects.visible().filter(nct_id=nct_id.upper()).only("raw_record").first()
    if trial is None:
        return JsonResponse({"detail": f"No trial {nct_id} in the tracker."}, status=404)
    return JsonResponse(trial.raw_record, json_dumps_params={"ensure_ascii": False, "indent": 2})
