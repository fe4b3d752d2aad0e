from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from trials.browsing.api import views
from trials.browsing.api.docs import RedocPage, SwaggerPage

urlpatterns = [
    path("trials/", views.TrialList.as_view(), name="api-trial-list"),
    path("trials/<str:nct_id>/", views.TrialDetail.as_view(), name="api-trial-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerPage.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocPage.as_view(url_name="api-schema"), name="api-redoc"),
]
