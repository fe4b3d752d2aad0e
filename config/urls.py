from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("evidence/", include("evidence.urls")),
    path("api/evidence/", include("evidence.api_urls")),
    path("api/", include("trials.browsing.api.urls")),
    path("", include("trials.urls")),
    path("", include("trials.browsing.changes_urls")),  # /changes/ and /feeds/changes/
]

handler500 = "config.views.server_error"
