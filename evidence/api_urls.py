from django.urls import path

from evidence.browsing import api

urlpatterns = [
    path("effects/", api.EffectList.as_view(), name="api-evidence-effects"),
    path("pooled/", api.PoolList.as_view(), name="api-evidence-pooled"),
]
