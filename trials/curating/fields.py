"""The fields a curator can override: one registry for the admin form, `services.curate` and the
curation files.

Each entry says what values the field takes (a boolean, one slug, or a set of slugs from a
vocabulary) and how it is written in a curation file. Each is one of the trial's own effective
values (trials.effective), so adding one means adding it there too. The evidence app's curations
(outcome domains, adverse-event categories) are not trial fields: they reach curation files
through trials.extensions.register_file_field.

Curation-file syntax of a value: `true`/`false` for a boolean, the slug for a single value,
`;`-separated slugs for a set (empty: none), and `auto` for every kind: hand the field back to
the automatic value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trials import labels

AUTO = "auto"


class CurationError(ValueError):
    """A curation that cannot be applied; the message says why."""


class Kind(StrEnum):
    BOOL = "bool"
    SLUG = "slug"
    SLUGS = "slugs"


@dataclass(frozen=True)
class CuratedField:
    name: str
    label: str
    kind: Kind
    vocabulary: Mapping[str, str] = field(default_factory=dict)  # slug → label shown to people

    def clean(self, value: Any) -> Any:
        """Check a value against the field's kind and vocabulary; return it normalised."""
        if value is None:
            return None
        if self.kind is Kind.BOOL:
            if not isinstance(value, bool):
                raise CurationError(f"{self.name} takes true or false")
            return value
        if self.kind is Kind.SLUG:
            if not isinstance(value, str) or value not in self.vocabulary:
                raise CurationError(
                    f"unknown {self.name} {value!r} (one of {', '.join(self.vocabulary)})"
                )
            return value
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise CurationError(f"{self.name} takes a list of slugs")
        unknown = sorted(str(v) for v in set(value) - set(self.vocabulary))
        if unknown:
            raise CurationError(
                f"unknown {self.name} slug(s) {', '.join(unknown)} "
                f"(one of {', '.join(self.vocabulary)})"
            )
        return sorted(set(value))

    def parse(self, text: str) -> Any:
        """A value as written in a curation file → the value (None for `auto`)."""
        text = text.strip()
        if text.lower() == AUTO:
            return None
        if self.kind is Kind.BOOL:
            if text.lower() not in {"true", "false"}:
                raise CurationError(f"{self.name} takes true, false or {AUTO}, not {text!r}")
            return text.lower() == "true"
        if self.kind is Kind.SLUG:
            return self.clean(text)
        return self.clean([part.strip() for part in text.split(";") if part.strip()])

    def format(self, value: Any) -> str:
        """A value → how a curation file writes it (the inverse of `parse`)."""
        if value is None:
            return AUTO
        if self.kind is Kind.BOOL:
            return "true" if value else "false"
        if self.kind is Kind.SLUG:
            return str(value)
        return ";".join(sorted(value))

    def display(self, value: Any) -> str:
        """A value in words, for the timeline, the change feed and the admin."""
        if value is None:
            return "automatic"
        if self.kind is Kind.BOOL:
            return "yes" if value else "no"
        if self.kind is Kind.SLUG:
            return self.vocabulary.get(value, value)
        # An empty curated set is a value a curator chose ("the record states no route"), not
        # "not yet curated" (None, above).
        empty = "not stated in the record" if self.name == "routes" else "none"
        return ", ".join(self.vocabulary.get(v, v) for v in sorted(value)) or empty


def _label_field(name: str) -> CuratedField:
    """One of the trial's own label fields, as trials.labels describes it."""
    vocabulary = labels.LABEL_FIELDS[name]
    if vocabulary is None:
        kind = Kind.BOOL
    else:
        kind = Kind.SLUGS if name in labels.SET_FIELDS else Kind.SLUG
    return CuratedField(name, labels.LABEL_FIELD_TITLES[name], kind, vocabulary or {})


FIELDS: dict[str, CuratedField] = {
    spec.name: spec
    for spec in (
        *(_label_field(name) for name in labels.LABEL_FIELDS),
        CuratedField("excluded", "Excluded from the tracker", Kind.BOOL),
    )
}


def get(name: str) -> CuratedField:
    try:
        return FIELDS[name]
    except KeyError:
        raise CurationError(f"unknown field {name!r} (one of {', '.join(FIELDS)})") from None


def all_fields() -> list[CuratedField]:
    """Every curated field, in the order of the admin form."""
    return list(FIELDS.values())
