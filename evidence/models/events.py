"""Adverse events of a trial's posted results: event groups, terms and counts per group."""

from django.db import models

from evidence.models.base import ORIGINS, GroupLinkFields
from trials.labels import EVENT_CATEGORIES
from trials.models import Trial

CATEGORY_CHOICES = list(EVENT_CATEGORIES.items())


class EventGroup(GroupLinkFields):
    """A group adverse events are reported for, with its totals (empty when not given)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="event_groups")
    position = models.PositiveSmallIntegerField()
    registry_id = models.CharField(max_length=20, blank=True)
    title = models.TextField(blank=True)
    description = models.TextField(blank=True)
    deaths_num_affected = models.PositiveIntegerField(null=True)
    deaths_num_at_risk = models.PositiveIntegerField(null=True)
    serious_num_affected = models.PositiveIntegerField(null=True)
    serious_num_at_risk = models.PositiveIntegerField(null=True)
    other_num_affected = models.PositiveIntegerField(null=True)
    other_num_at_risk = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["trial", "position"]

    def __str__(self) -> str:
        return self.title or self.registry_id


class AdverseEventQuerySet(models.QuerySet):
    def countable(self):
        """Events that may be counted as events: not the legacy "Total, all-cause mortality" rows.

        Records converted from the legacy XML carry deaths as a serious event with organ system
        "Total"; it is the group's all-cause mortality, not an event term, so summing it with
        the serious events would count deaths twice. The rows are kept and shown as data.
        """
        return self.filter(is_legacy_total_row=False)


class AdverseEvent(models.Model):
    """One reported term, serious or other, exactly as written, with its category."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="adverse_events")
    position = models.PositiveIntegerField(help_text="Serious events first, registry order.")
    term = models.TextField()
    term_key = models.TextField(db_index=True, help_text="The normalised term: curations key.")
    serious = models.BooleanField()
    organ_system = models.TextField(blank=True)
    source_vocabulary = models.TextField(blank=True)
    assessment_type = models.CharField(max_length=30, blank=True)
    notes = models.TextField(blank=True)
    is_legacy_total_row = models.BooleanField(
        default=False, help_text='"Total, all-cause mortality" of legacy records: not summed.'
    )
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES, db_index=True)
    category_origin = models.CharField(max_length=7, choices=ORIGINS, default="auto")
    auto_category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    category_pattern = models.TextField(
        blank=True, help_text="The ae_categories.csv pattern that decided the automatic category."
    )

    objects = AdverseEventQuerySet.as_manager()

    class Meta:
        ordering = ["trial", "position"]

    def __str__(self) -> str:
        return f"{self.term} ({'serious' if self.serious else 'other'})"


class AdverseEventCount(models.Model):
    """How many participants of one event group had one event (registry `stats`)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="adverse_event_counts")
    event = models.ForeignKey(AdverseEvent, on_delete=models.DO_NOTHING, related_name="counts")
    group = models.ForeignKey(
        EventGroup, null=True, on_delete=models.DO_NOTHING, related_name="counts"
    )
    group_registry_id = models.CharField(max_length=20, blank=True)
    position = models.PositiveSmallIntegerField()
    num_events = models.PositiveIntegerField(null=True)
    num_affected = models.PositiveIntegerField(null=True)
    num_at_risk = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["event", "position"]

    def __str__(self) -> str:
        return f"{self.group_registry_id}: {self.num_affected}/{self.num_at_risk}"

    @property
    def percent(self) -> float | None:
        if self.num_affected is None or not self.num_at_risk:
            return None
        return 100.0 * self.num_affected / self.num_at_risk


class EventTerm(AdverseEvent):
    """An adverse-event term across trials, for the curators' admin (one row per term key).

    A proxy, so that curating a term's category has its own admin list and permission; the
    admin shows one representative event per normalised term (see evidence.admin).
    """

    class Meta:
        proxy = True
        verbose_name = "adverse-event term"

    def __str__(self) -> str:
        return self.term
