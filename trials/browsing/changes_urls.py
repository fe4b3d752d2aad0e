from django.urls import path

from trials.browsing import changes

app_name = "changes"

urlpatterns = [
    path("changes/", changes.change_list, name="list"),
    path("feeds/changes/", changes.change_feed, name="feed"),
]
