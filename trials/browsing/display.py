"""Pure text helpers for the pages: registry enums in words (the words are trials.labels'), label
sources, highlighted phrases."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trials.labels import STATUS_GROUP_LABELS, enum_label

_PHASE_NUMBER = re.compile(r"^PHASE(\d)$")
_SOURCE = re.compile(r"^(arm|intervention)\[(\d+)\]\.(\w+)$")


def phases_label(phases) -> str:
    """['PHASE1', 'PHASE2'] → 'Phase 1/2'; ['NA'] → 'Not applicable'."""
    numbers = [m.group(1) for p in phases if (m := _PHASE_NUMBER.match(p))]
    if len(numbers) > 1 and len(numbers) == len(phases):
        return "Phase " + "/".join(sorted(numbers))
    return ", ".join(enum_label(p) for p in phases)


def status_group_label(group: str) -> str:
    return STATUS_GROUP_LABELS.get(group, enum_label(group))


def source_label(source: str) -> str:
    """Where a classifier phrase stands, in words: 'arm[0].description' → 'Arm 1 description'."""
    if not source:
        return ""
    match = _SOURCE.match(source)
    if match:
        kind, index, part = match.groups()
        return f"{kind.capitalize()} {int(index) + 1} {part.replace('_', ' ')}"
    return source.replace("_", " ").capitalize()


def highlight(text: str, phrase: str, *, context: int = 90) -> SafeString:
    """The phrase marked in its sentence: up to `context` characters either side, with ellipses.

    Case-insensitive; the text keeps its own spelling. Empty when the phrase is not in the text
    (the caller then shows the phrase alone).
    """
    if not text or not phrase:
        return mark_safe("")
    start = text.lower().find(phrase.lower())
    if start < 0:
        return mark_safe("")
    end = start + len(phrase)
    left = max(0, start - context)
    right = min(len(text), end + context)
    # Cut at a word boundary rather than inside a word.
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    before = ("…" if left > 0 else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) else "")
    # Safe: the three parts are escaped; only the <mark> tags are markup.
    return mark_safe(f"{escape(before)}<mark>{escape(text[start:end])}</mark>{escape(after)}")
