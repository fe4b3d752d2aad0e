"""Curators' corrections of outcome domains and adverse-event categories (append-only).

The latest row of a key is in force; a row whose value is "" hands the key back to the
classifier. Imports never write here, and the rebuilt evidence rows read them every time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from trials.labels import EVENT_CATEGORIES, OUTCOME_DOMAINS
from trials.models import Trial


class CurationFields(models.Model):
    note = models.TextField(help_text="Why: the evidence for this value.")
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    curator_name = models.CharField(
        max_length=150, blank=True, help_text="Who, as written in a curation file."
    )
    created_at = models.DateTimeField()

    class Meta:
        abstract = True

    @property
    def who(self) -> str:
        if self.curator_id:
            return self.curator.get_username()
        return self.curator_name or "unknown"


class OutcomeDomainCurationQuerySet(models.QuerySet):
    def current(self):
        """The latest curation of each (trial, outcome kind, measure): the one in force."""
        newer = OutcomeDomainCuration.objects.filter(
            trial=OuterRef("trial"),
            outcome_kind=OuterRef("outcome_kind"),
            measure_key=OuterRef("measure_key"),
            pk__gt=OuterRef("pk"),
        )
        return self.filter(~Exists(newer))


class OutcomeDomainCuration(CurationFields):
    """A curator's domain for the outcomes of one trial with this kind and measure.

    Keyed on (trial, outcome kind, normalised measure): it applies to the registered outcome and
    to the posted measure of that kind with the same text, and to them again after every
    re-import, whatever their position.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="+")
    outcome_kind = models.CharField(
        max_length=10, help_text="primary, secondary, other or post-hoc"
    )
    measure_key = models.TextField(help_text="evidence.keys.text_key of the measure.")
    measure = models.TextField(help_text="The measure as the curator gave it.")
    domain = models.CharField(
        max_length=20,
        blank=True,
        choices=list(OUTCOME_DOMAINS.items()),
        help_text="Empty: back to the automatic domain.",
    )

    objects = OutcomeDomainCurationQuerySet.as_manager()

    class Meta:
        ordering = ["trial", "outcome_kind", "measure_key", "-pk"]
        indexes = [models.Index(fields=["trial", "outcome_kind", "measure_key", "-id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="domain_curation_requires_note"),
        ]

    def __str__(self) -> str:
        return f"{self.trial_id} {self.outcome_kind} {self.measure[:40]!r} → {self.domain}"


class EventCategoryCurationQuerySet(models.QuerySet):
    def current(self):
        """The latest curation of each normalised term: the one in force."""
        newer = EventCategoryCuration.objects.filter(
            term_key=OuterRef("term_key"), pk__gt=OuterRef("pk")
        )
        return self.filter(~Exists(newer))


class EventCategoryCuration(CurationFields):
    """A curator's category for an adverse-event term, in every trial that reports it.

    It overrides the ae_categories.csv mapping for exactly this term (normalised: case and
    punctuation ignored), whatever its organ system.
    """

    term_key = models.TextField(help_text="evidence.keys.text_key of the term.")
    term = models.TextField(help_text="The term as the curator gave it.")
    category = models.CharField(
        max_length=20,
        blank=True,
        choices=list(EVENT_CATEGORIES.items()),
        help_text="Empty: back to the ae_categories.csv mapping.",
    )

    objects = EventCategoryCurationQuerySet.as_manager()

    class Meta:
        ordering = ["term_key", "-pk"]
        indexes = [models.Index(fields=["term_key", "-id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="category_curation_requires_note"),
        ]

    def __str__(self) -> str:
        return f"{self.term!r} → {self.category}"


class MeasureFamilyCurationQuerySet(models.QuerySet):
    def current(self):
        """The latest curation of each (trial, outcome kind, measure): the one in force."""
        newer = MeasureFamilyCuration.objects.filter(
            trial=OuterRef("trial"),
            outcome_kind=OuterRef("outcome_kind"),
            measure_key=OuterRef("measure_key"),
            pk__gt=OuterRef("pk"),
        )
        return self.filter(~Exists(newer))


class MeasureFamilyCuration(CurationFields):
    """A curator's measure family (evidence/data/measure_families.csv) for one trial's posted
    measures of this kind and text, which decides how its effects are pooled and read."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="+")
    outcome_kind = models.CharField(
        max_length=10, help_text="primary, secondary, other or post-hoc"
    )
    measure_key = models.TextField(help_text="evidence.keys.text_key of the measure.")
    measure = models.TextField(help_text="The measure as the curator gave it.")
    family = models.CharField(
        max_length=40, blank=True, help_text="A family slug of the CSV; empty: back to automatic."
    )

    objects = MeasureFamilyCurationQuerySet.as_manager()

    class Meta:
        ordering = ["trial", "outcome_kind", "measure_key", "-pk"]
        indexes = [models.Index(fields=["trial", "outcome_kind", "measure_key", "-id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="family_curation_requires_note"),
        ]

    def __str__(self) -> str:
        return f"{self.trial_id} {self.outcome_kind} {self.measure[:40]!r} → {self.family}"


class DesignCurationQuerySet(models.QuerySet):
    def current(self):
        """The latest curation of each (trial, field): the one in force."""
        newer = DesignCuration.objects.filter(
            trial=OuterRef("trial"), field=OuterRef("field"), pk__gt=OuterRef("pk")
        )
        return self.filter(~Exists(newer))


class DesignCuration(CurationFields):
    """A curator's correction of the design shown beside a trial's effects (the control type,
    whether it was randomized, its masking), when the registry's record misleads."""

    FIELDS = ("control_type", "randomized", "masking")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=20, help_text="control_type, randomized or masking")
    value = models.CharField(max_length=20, blank=True, help_text="Empty: back to the registry.")

    objects = DesignCurationQuerySet.as_manager()

    class Meta:
        ordering = ["trial", "field", "-pk"]
        indexes = [models.Index(fields=["trial", "field", "-id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="design_curation_requires_note"),
        ]

    def __str__(self) -> str:
        return f"{self.trial_id} {self.field} → {self.value or 'registry'}"
