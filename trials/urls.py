from django.urls import path, re_path

from trials.browsing import views

app_name = "trials"

urlpatterns = [
    path("", views.home, name="home"),
    path("trials/", views.trial_list, name="list"),
    re_path(r"^trials/export\.(?P<fmt>csv|json)$", views.trial_export, name="export"),
    path("trials/<str:nct_id>/", views.trial_detail, name="detail"),
    path("trials/<str:nct_id>/record.json", views.trial_record, name="record"),
]
