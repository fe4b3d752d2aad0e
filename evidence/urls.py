from django.urls import path, re_path

from evidence.browsing import views

app_name = "evidence"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("summary/", views.summary, name="summary"),
    re_path(r"^effects\.(?P<fmt>csv|json)$", views.effects_download, name="effects"),
    re_path(r"^pooled\.(?P<fmt>csv|json)$", views.pooled_download, name="pooled"),
]
