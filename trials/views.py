from django.shortcuts import render

from trials.models import Trial


def home(request):
    trials = Trial.objects.visible().order_by("nct_id")
    return render(request, "trials/home.html", {"trials": trials})
