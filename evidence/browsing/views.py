import csv

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from evidence.browsing import downloads
from evidence.browsing.overview import evidence_overview
from evidence.synthesis.gaps import evidence_gaps
from evidence.synthesis.selectors import synthesis_of
from evidence.synthesis.summary import summary_rows
from trials import csv_cells
from trials.browsing import listing
from trials.browsing.exports import csv_value
from trials.browsing.filters import TrialFilter
from trials.browsing.listing import selection_context


def _page_params(request, filterset) -> dict[str, list[str]]:
    errors = filterset.errors
    return {
        name: request.GET.getlist(name)
        for name in filterset.filters
        if name in request.GET and name not in errors and name != "sort"
    }


@require_safe
def overview(request):
    """Cell type × route, pooled effects, safety and functional results of the trials selected."""
    filterset = TrialFilter(request.GET)
    params = _page_params(request, filterset)
    context = {**evidence_overview(filterset.qs, params), "gaps": evidence_gaps(filterset.qs)}
    return render(
        request,
        "evidence/overview.html",
        {
            **context,
            **selection_context(filterset, request.GET),
            "filterset": filterset,
            "ignored": sorted(filterset.errors),
            "params": params,
        },
    )


def effect_rows(trials) -> list[dict]:
    synthesis = synthesis_of(trials)
    used = {id(e) for p in synthesis.pools if p.subgroup == "all" for e in p.effects}
    return [downloads.effect_row(e, id(e) in used) for e in synthesis.effects]


def pooled_rows(trials) -> list[dict]:
    synthesis = synthesis_of(trials)
    rows = [downloads.pool_row(p) for p in synthesis.pools]
    for _subgroup, by_category in sorted(synthesis.safety.items()):
        for _category, pool in sorted(by_category.items()):
            rows += downloads.safety_rows(pool, synthesis.nct_ids)
    return rows


def _download(request, fmt: str, name: str, columns, rows_of):
    filterset = TrialFilter(request.GET)
    if filterset.errors:
        message = "\n".join(listing.problems(filterset, request.GET))
        return HttpResponse(
            f"Nothing was exported: fix these parameters.\n{message}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = rows_of(filterset.qs)
    filename = f"als-cell-trials-{name}-{timezone.now():%Y-%m-%d}.{fmt}"
    if fmt == "json":
        response = JsonResponse(rows, safe=False, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(csv_cells.neutralise_row(csv_value(row[c]) for c in columns))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def effects_download(request, fmt: str):
    """One row per comparison of the trials the filters select (docs/evidence-method.md)."""
    return _download(request, fmt, "effects", downloads.EFFECT_COLUMNS, effect_rows)


@require_safe
def pooled_download(request, fmt: str):
    """One row per pool of the trials the filters select (docs/evidence-method.md)."""
    return _download(request, fmt, "pooled", downloads.POOL_COLUMNS, pooled_rows)


@require_safe
def summary(request):
    """One row per question, for the trials the list's filters select (invalid ones ignored)."""
    filterset = TrialFilter(request.GET)
    params = _page_params(request, filterset)
    synthesis = synthesis_of(filterset.qs)
    return render(
        request,
        "evidence/summary.html",
        {
            "rows": summary_rows(synthesis),
            "gaps": evidence_gaps(filterset.qs),
            "trial_count": len(synthesis.nct_ids),
            "params": params,
            "ignored": sorted(filterset.errors),
        },
    )
