"""The read-only JSON API: trials filtered by the very TrialFilter of the /trials/ page."""

from __future__ import annotations

import re

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import PageNumberPagination

from trials.browsing import exports, query_guard
from trials.browsing.api.serializers import TrialDetailSerializer, TrialRowSerializer
from trials.browsing.filters import TrialFilter
from trials.models import Trial

# Parameters of the API itself, beside the filters.
API_PARAMS = {"page", "page_size", "format"}


WHOLE_NUMBER = re.compile(r"[0-9]+")

# The answers besides 200, as the schema declares them (schemathesis holds the API to it).
PROBLEMS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="Parameters that cannot be used, each with what is wrong: an invalid value, an "
    f"unknown parameter, a control character, more than {query_guard.MAX_VALUES} values of one "
    f"parameter, a query string longer than {query_guard.MAX_QUERY_LENGTH:,} characters.",
)
NOT_FOUND = OpenApiResponse(
    response={
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    description="No such trial, or a page past the last one.",
)


class TrialPagination(PageNumberPagination):
    """DRF's page numbers, strictly: `page_size=null`, `0` or `500` is a 400, not the default.

    DRF would quietly answer 25 (or at most 100) trials to a script that asked for something
    else; a page past the last one stays DRF's 404.
    """

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}, not “{raw}”."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and (not WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1):
            raise ValidationError({"page": [f"A page number, 1 or more, not “{raw}”."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class TrialFilterBackend(DjangoFilterBackend):
    """TrialFilter, strictly: an invalid value or an unknown parameter is a 400, never ignored.

    A script with a typo (`cel_type=msc`) would otherwise get every trial back and not know.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = TrialFilter(request.query_params)
        errors = {name: list(messages) for name, messages in filterset.errors.items()}
        for name in sorted(set(request.query_params) - set(filterset.filters) - API_PARAMS):
            errors[name] = ["Unknown parameter."]
        if errors:
            raise ValidationError(errors)
        return filterset.paginable(load=exports.export_queryset)


class TrialList(ListAPIView):
    """Trials matching the filters, with the export columns; the page's parameters apply."""

    serializer_class = TrialRowSerializer
    pagination_class = TrialPagination
    filter_backends = [TrialFilterBackend]
    filterset_class = TrialFilter
    queryset = Trial.objects.none()  # the filter backend builds the real queryset

    @extend_schema(
        summary="List trials",
        description="The same filter parameters as the /trials/ page (repeat a parameter to "
        "select several values). Invalid values and unknown parameters give a 400 that names "
        "them. Cell therapies only unless scope=all.",
        responses={200: TrialRowSerializer, 400: PROBLEMS, 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TrialDetail(RetrieveAPIView):
    """One trial: the export columns, arms, interventions, locations, references and labels."""

    serializer_class = TrialDetailSerializer
    queryset = Trial.objects.visible().for_detail()
    filter_backends = []

    @extend_schema(
        summary="One trial, by NCT id",
        responses={200: TrialDetailSerializer, 400: PROBLEMS, 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        nct_id = self.kwargs["nct_id"].upper()
        trial = self.get_queryset().filter(nct_id=nct_id).first()
        if trial is None:
            raise NotFound(f"No trial {nct_id} in the tracker.")
        return trial
