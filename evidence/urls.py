from django.urls import path

from evidence.browsing import views

app_name = "evidence"

urlpatterns = [
    path("", views.overview, name="overview"),
]
