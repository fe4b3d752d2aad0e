from django.shortcuts import render
from django.views.decorators.http import require_safe

from evidence.browsing.overview import evidence_overview
from trials.browsing.filters import TrialFilter
from trials.browsing.listing import selection_context


@require_safe
def overview(request):
    """Cell type × route, safety by route and functional results of the trials selected."""
    filterset = TrialFilter(request.GET)
    errors = filterset.errors
    params = {
        name: request.GET.getlist(name)
        for name in filterset.filters
        if name in request.GET and name not in errors and name != "sort"
    }
    context = evidence_overview(filterset.qs, params)
    return render(
        request,
        "evidence/overview.html",
        {
            **context,
            **selection_context(filterset, request.GET),
            "filterset": filterset,
            "ignored": sorted(errors),
            "params": params,
        },
    )
