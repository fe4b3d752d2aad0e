"""The effects and pools in the read-only API: /api/evidence/effects/ and /api/evidence/pooled/.

The same rows as the downloads (evidence.browsing.downloads), filtered by TrialFilter strictly,
as /api/trials/ is: an invalid value or an unknown parameter is a 400 that names it.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence.browsing.views import effect_rows, pooled_rows
from trials.browsing.filters import TrialFilter

API_PARAMS = {"format"}


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
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(effect_rows(_trials(request)))


class PoolList(APIView):
    @extend_schema(
        summary="Pooled effects",
        description="One row per pool (random effects per measure family and timepoint window, "
        "overall and by cell type, route and donor; adverse events by Mantel-Haenszel and "
        "pooled incidence); the columns of /evidence/pooled.json.",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(pooled_rows(_trials(request)))
