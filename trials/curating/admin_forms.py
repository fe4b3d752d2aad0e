"""The curation form of the trial admin, built from trials.curating.fields at request time (so the
fields other apps register in their ready() are there too).

Per curated field: a "curate" checkbox and the value. Checked: the value is the curator's;
unchecked: the automatic value is in force (unchecking a curated field hands it back). The form
only works out what changed; the admin writes it through trials.curating.files.curate_fields.
"""

from __future__ import annotations

from typing import Any

from django import forms

from trials.curating import fields as curated_fields
from trials.curating.fields import CuratedField, CurationError, Kind
from trials.effective import effective_values
from trials.models import Trial


def value_field_name(name: str) -> str:
    # Prefixed: "donor", "excluded"… are Trial columns too, which a ModelForm would write.
    return f"curate_{name}"


def override_field_name(name: str) -> str:
    return f"curate_{name}_override"


def _value_field(spec: CuratedField) -> forms.Field:
    if spec.kind is Kind.BOOL:
        return forms.TypedChoiceField(
            label=spec.label,
            choices=[("true", "yes"), ("false", "no")],
            coerce=lambda text: text == "true",
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )
    choices = list(spec.vocabulary.items())
    if spec.kind is Kind.SLUG:
        return forms.ChoiceField(label=spec.label, choices=[("", "—"), *choices], required=False)
    return forms.MultipleChoiceField(
        label=spec.label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def _as_initial(spec: CuratedField, value: Any) -> Any:
    if spec.kind is Kind.BOOL:
        return None if value is None else ("true" if value else "false")
    return value


class BaseCurationForm(forms.ModelForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Why: the evidence for the corrections (the phrase, the source). Required when "
        "anything above changes; kept with every correction.",
    )
    mark_reviewed = forms.BooleanField(
        required=False,
        label="Mark reviewed",
        help_text="I checked every automatic label of this trial against its registry text.",
    )

    class Meta:
        model = Trial
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        trial = self.instance
        self.in_force = {c.field: c.value for c in trial.curations.current()}
        own = effective_values(trial, self.in_force)
        for spec in curated_fields.all_fields():
            effective = own[spec.name]
            self.fields[override_field_name(spec.name)].initial = (
                self.in_force.get(spec.name) is not None
            )
            self.fields[value_field_name(spec.name)].initial = _as_initial(spec, effective)
        self.curation_changes: dict[str, Any] = {}

    def clean(self):
        cleaned = super().clean()
        changes: dict[str, Any] = {}
        for spec in curated_fields.all_fields():
            value = None
            if cleaned.get(override_field_name(spec.name)):
                raw = cleaned.get(value_field_name(spec.name))
                if raw in (None, "") and spec.kind is not Kind.SLUGS:
                    self.add_error(value_field_name(spec.name), "Choose the curated value.")
                    continue
                try:
                    value = spec.clean(raw)
                except CurationError as exc:
                    self.add_error(value_field_name(spec.name), str(exc))
                    continue
            if value != self.in_force.get(spec.name):
                changes[spec.name] = value
        if changes and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say why: every correction needs a note.")
        self.curation_changes = changes
        return cleaned


def curation_form() -> type[BaseCurationForm]:
    """The form class with a checkbox and a value field for every curated field registered."""
    declared: dict[str, forms.Field] = {}
    for spec in curated_fields.all_fields():
        declared[override_field_name(spec.name)] = forms.BooleanField(
            required=False, label=f"Curate {spec.label.lower()}"
        )
        declared[value_field_name(spec.name)] = _value_field(spec)
    return type("CurationForm", (BaseCurationForm,), declared)


def curation_fieldset_rows() -> list[tuple[str, str]]:
    """The form's rows for the admin fieldsets: (checkbox, value) per curated field."""
    return [
        (override_field_name(spec.name), value_field_name(spec.name))
        for spec in curated_fields.all_fields()
    ]
