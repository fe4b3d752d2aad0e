"""The sections other apps add to the trial page (registered in trials.extensions), rendered."""

from __future__ import annotations

from django.template.loader import render_to_string

from trials import extensions
from trials.models import Trial


def sections_for(trial: Trial, request=None) -> list[str]:
    """Each registered section rendered for this trial, in the order registered."""
    return [
        render_to_string(section.template, section.context(trial), request=request)
        for section in extensions.page_sections()
    ]
