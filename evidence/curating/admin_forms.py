"""The curation forms of the evidence admin: a curated value (empty: automatic) and a note.

The forms only work out whether the curated value changes and check that a change has a note;
the admin writes it through evidence.curating.services. The evidence rows themselves are never saved
from a form: they are rebuilt from the registry record on every import.
"""

from __future__ import annotations

from django import forms

from trials import labels

NOTE_HELP = (
    "Why: the evidence for the correction (the phrase, the publication). Required when the value "
    "changes; kept with the correction, with who and when."
)


class ValueCurationForm(forms.ModelForm):
    """`value`: the curator's slug, or "" for the automatic value; `note`: why."""

    vocabulary: dict[str, str] = {}
    value = forms.ChoiceField(required=False)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=NOTE_HELP
    )

    class Meta:
        fields: list[str] = []

    def curated_in_force(self) -> str:
        raise NotImplementedError

    def automatic(self) -> str:
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        auto = self.automatic()
        field = self.fields["value"]
        field.choices = [
            ("", f"automatic ({self.vocabulary.get(auto, auto)})"),
            *self.vocabulary.items(),
        ]
        field.initial = self.curated_in_force()
        self.curated_value: str | None = None  # what the admin writes; None: automatic
        self.curation_changed = False

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("value") or ""
        self.curated_value = value or None
        self.curation_changed = value != self.curated_in_force()
        if self.curation_changed and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say why: every correction needs a note.")
        return cleaned


class OutcomeDomainForm(ValueCurationForm):
    """The domain of a registered outcome or posted measure (its model set by the admin)."""

    vocabulary = labels.OUTCOME_DOMAINS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].label = "Curated domain"

    def curated_in_force(self) -> str:
        row = self.instance
        return row.domain if row.domain_origin == "curated" else ""

    def automatic(self) -> str:
        return self.instance.auto_domain


class EventCategoryForm(ValueCurationForm):
    """The category of an adverse-event term, in every trial that reports it."""

    vocabulary = labels.EVENT_CATEGORIES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].label = "Curated category (every trial)"

    def curated_in_force(self) -> str:
        event = self.instance
        return event.category if event.category_origin == "curated" else ""

    def automatic(self) -> str:
        return self.instance.auto_category
