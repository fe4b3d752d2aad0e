from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from trials.browsing.api import views

urlpatterns = [
    path("trials/", views.TrialList.as_view(), name="api-trial-list"),
    path("trials/<str:nct_id>/", views.TrialDetail.as_view(), name="api-trial-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
