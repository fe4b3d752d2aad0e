from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("evidence/", include("evidence.urls")),
    path("api/", include("trials.api.urls")),
    path("", include("trials.urls")),
    path("", include("trials.changes_urls")),  # /changes/ and /feeds/changes/
]
