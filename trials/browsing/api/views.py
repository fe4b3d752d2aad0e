"""The read-only JSON API: trials filtered by the very TrialFilter of the /trials/ page."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import PageNumberPagination

from trials.browsing import exports
from trials.browsing.api.serializers import TrialDetailSerializer, TrialRowSerializer
from trials.browsing.filters import TrialFilter
from trials.models import Trial

# Parameters of the API itself, beside the filters.
API_PARAMS = {"page", "page_size", "format"}


class TrialPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


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
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TrialDetail(RetrieveAPIView):
    """One trial: the export columns, arms, interventions, locations, references and labels."""

    serializer_class = TrialDetailSerializer
    queryset = Trial.objects.visible().for_detail()
    filter_backends = []

    @extend_schema(summary="One trial, by NCT id")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        nct_id = self.kwargs["nct_id"].upper()
        trial = self.get_queryset().filter(nct_id=nct_id).first()
        if trial is None:
            raise NotFound(f"No trial {nct_id} in the tracker.")
        return trial
