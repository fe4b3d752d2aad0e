"""The effects and pools in the read-only API: /api/evidence/effects/ and /api/evidence/pooled/.

The same rows as the downloads (evidence.browsing.downloads), filtered by TrialFilter strictly,
as /api/trials/ is: an invalid value or an unknown parameter is a 400 that names it.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence.browsing.downloads import EFFECT_COLUMNS, POOL_COLUMNS
from evidence.browsing.views import effect_rows, pooled_rows
from trials.browsing.api.views import PROBLEMS
from trials.browsing.filters import TrialFilter

API_PARAMS = {"format"}


def _rows(columns, description: str) -> OpenApiResponse:
    """A list of rows, each with exactly these columns (values documented in
    docs/evidence-method.md#4-downloads-and-api; a number, text, a list or null)."""
    return OpenApiResponse(
        response={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {column: {} for column in columns},
                "required": list(columns),
                "additionalProperties": False,
            },
        },
        description=description,
    )


def _trials(request):
    filterset = TrialFilter(request.query_params)
    errors = {name: list(messages) for name, messages in filterset.errors.items()}
    for name in sorted(set(request.query_params) - set(filterset.filters) - API_PARAMS):
        errors[name] = ["Unknown parameter."]
    if errors:
        raise ValidationError(errors)
    return filterset.qs


class EffectList(APIView):
    @extend_schema(
        summary="Effects per comparison",
        description="One row per comparison (MD, RR, RD or a single arm's change) of the trials "
        "the filters select; the columns of /evidence/effects.json.",
        responses={200: _rows(EFFECT_COLUMNS, "One row per comparison."), 400: PROBLEMS},
    )
    def get(self, request):
        return Response(effect_rows(_trials(request)))


class PoolList(APIView):
    @extend_schema(
        summary="Pooled effects",
        description="One row per pool (random effects per measure family and timepoint window, "
        "overall and by cell type, route and donor; adverse events by Mantel-Haenszel and "
        "pooled incidence); the columns of /evidence/pooled.json.",
        responses={200: _rows(POOL_COLUMNS, "One row per pool."), 400: PROBLEMS},
    )
    def get(self, request):
        return Response(pooled_rows(_trials(request)))
