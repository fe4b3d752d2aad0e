"""Sections that other apps add to the trial page, without trials importing them.

The evidence app registers its outcomes, results, adverse events and publications here from its
AppConfig.ready(), as it registers its import handler and export columns. The trial page renders
each registered section, in the order registered, between the arms and the eligibility.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from trials.models import Trial


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable[[Trial], dict[str, Any]]  # a fixed number of queries per trial


_sections: list[Section] = []


def register_section(*, template: str, context: Callable[[Trial], dict[str, Any]]) -> None:
    section = Section(template=template, context=context)
    if section not in _sections:
        _sections.append(section)


def sections_for(trial: Trial, request=None) -> list[str]:
    """Each registered section rendered for this trial, in the order registered."""
    return [
        render_to_string(section.template, section.context(trial), request=request)
        for section in _sections
    ]
