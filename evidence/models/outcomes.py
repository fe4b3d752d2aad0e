"""Registered outcomes and posted outcome results of a trial."""

from django.db import models

from evidence.models.base import ORIGINS, GroupLinkFields
from trials.labels import OUTCOME_DOMAINS
from trials.models import Trial

DOMAIN_CHOICES = list(OUTCOME_DOMAINS.items())


class TrialEvidence(models.Model):
    """What a trial's evidence rows were built from, and the adverse-event module's own fields."""

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="evidence")
    content_hash = models.CharField(
        max_length=64, help_text="The trial's content hash when these rows were built."
    )
    built_at = models.DateTimeField()
    has_results = models.BooleanField(help_text="The record carries a resultsSection.")
    has_adverse_events = models.BooleanField(help_text="The record has an adverse-events module.")
    ae_frequency_threshold = models.TextField(
        blank=True, help_text="% above which other (non-serious) events are listed, as written."
    )
    ae_time_frame = models.TextField(blank=True)
    ae_description = models.TextField(blank=True)
    all_cause_mortality_comment = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True, help_text="What the parser reported.")

    def __str__(self) -> str:
        return f"evidence of {self.trial_id}"


class DomainFields(models.Model):
    """The outcome domain of a registered or posted outcome: effective, automatic, and why."""

    measure_key = models.TextField(help_text="The normalised measure: what curations key on.")
    domain = models.CharField(max_length=20, choices=DOMAIN_CHOICES, db_index=True)
    domain_origin = models.CharField(max_length=7, choices=ORIGINS, default="auto")
    auto_domain = models.CharField(max_length=20, choices=DOMAIN_CHOICES)
    domain_phrase = models.TextField(blank=True, help_text="The text that decided it, as written.")
    domain_source = models.CharField(max_length=12, blank=True, help_text="measure/description")
    domain_confidence = models.FloatField(default=0.0)

    class Meta:
        abstract = True


class RegisteredOutcome(DomainFields):
    """An outcome as registered in the protocol: what the trial said it would measure."""

    TYPES = [("primary", "primary"), ("secondary", "secondary"), ("other", "other")]

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="registered_outcomes")
    order = models.PositiveSmallIntegerField(help_text="Place in the record: primary first.")
    type = models.CharField(max_length=10, choices=TYPES)
    position = models.PositiveSmallIntegerField(help_text="1-based place in its own list.")
    measure = models.TextField()
    description = models.TextField(blank=True)
    time_frame = models.TextField(blank=True)

    class Meta:
        ordering = ["trial", "order"]

    def __str__(self) -> str:
        return f"{self.trial_id} {self.type} {self.position}: {self.measure[:60]}"


class OutcomeMeasure(DomainFields):
    """A posted outcome measure (resultsSection.outcomeMeasuresModule), one results table."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="outcome_measures")
    position = models.PositiveSmallIntegerField(help_text="1-based place among posted measures.")
    type = models.CharField(max_length=30, help_text="PRIMARY, SECONDARY, … as the registry says.")
    title = models.TextField()
    description = models.TextField(blank=True)
    population_description = models.TextField(blank=True)
    reporting_status = models.CharField(max_length=20, blank=True)
    anticipated_posting_date = models.CharField(max_length=20, blank=True)
    param_type = models.CharField(max_length=40, blank=True, help_text="MEAN, MEDIAN, …")
    dispersion_type = models.CharField(max_length=100, blank=True)
    unit_of_measure = models.TextField(blank=True)
    calculate_pct = models.BooleanField(null=True)
    time_frame = models.TextField(blank=True)
    type_units_analyzed = models.TextField(blank=True)
    denom_units_selected = models.TextField(blank=True)

    class Meta:
        ordering = ["trial", "position"]

    def __str__(self) -> str:
        return f"{self.trial_id} measure {self.position}: {self.title[:60]}"


class OutcomeGroup(GroupLinkFields):
    """A group (column) of one posted measure; registry ids such as OG000 are local to it."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.DO_NOTHING, related_name="groups")
    position = models.PositiveSmallIntegerField()
    registry_id = models.CharField(max_length=20, blank=True)
    title = models.TextField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["measure", "position"]

    def __str__(self) -> str:
        return self.title or self.registry_id


class OutcomeDenom(models.Model):
    """How many units a group contributed to a measure (class_index set: to one class of it)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.DO_NOTHING, related_name="denoms")
    group = models.ForeignKey(
        OutcomeGroup, null=True, on_delete=models.DO_NOTHING, related_name="denoms"
    )
    group_registry_id = models.CharField(max_length=20, blank=True)
    class_index = models.PositiveSmallIntegerField(
        null=True, help_text="Empty: the measure's own denominators; else the class's (0-based)."
    )
    position = models.PositiveSmallIntegerField()
    units = models.TextField(blank=True, help_text='Usually "Participants".')
    value_text = models.TextField(blank=True)
    value = models.FloatField(null=True)

    class Meta:
        ordering = ["measure", "position"]

    def __str__(self) -> str:
        return f"{self.group_registry_id}: {self.value_text} {self.units}"


class OutcomeMeasurement(models.Model):
    """One value of a posted measure: a group in a class (row block) and category (row)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(
        OutcomeMeasure, on_delete=models.DO_NOTHING, related_name="measurements"
    )
    group = models.ForeignKey(
        OutcomeGroup, null=True, on_delete=models.DO_NOTHING, related_name="measurements"
    )
    group_registry_id = models.CharField(max_length=20, blank=True)
    position = models.PositiveIntegerField(help_text="Place in the measure, registry order.")
    class_index = models.PositiveSmallIntegerField()
    class_title = models.TextField(blank=True)
    category_index = models.PositiveSmallIntegerField()
    category_title = models.TextField(blank=True)
    value_text = models.TextField(blank=True, help_text='As written: "12.5", "NA", "<0.01".')
    value = models.FloatField(null=True)
    value_qualifier = models.CharField(max_length=2, blank=True, help_text='"<", ">=", … a bound')
    spread_text = models.TextField(blank=True)
    spread = models.FloatField(null=True)
    lower_limit_text = models.TextField(blank=True)
    lower_limit = models.FloatField(null=True)
    upper_limit_text = models.TextField(blank=True)
    upper_limit = models.FloatField(null=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["measure", "position"]

    def __str__(self) -> str:
        return f"{self.group_registry_id}: {self.value_text}"


class OutcomeAnalysis(models.Model):
    """A statistical analysis posted for a measure, comparing the groups of `group_ids`."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(
        OutcomeMeasure, on_delete=models.DO_NOTHING, related_name="analyses"
    )
    position = models.PositiveSmallIntegerField()
    group_ids = models.JSONField(default=list, help_text="Registry group ids of the measure.")
    group_description = models.TextField(blank=True)
    param_type = models.TextField(blank=True, help_text="The estimate: 'Mean Difference', …")
    param_value_text = models.TextField(blank=True)
    param_value = models.FloatField(null=True)
    dispersion_type = models.CharField(max_length=40, blank=True)
    dispersion_value_text = models.TextField(blank=True)
    dispersion_value = models.FloatField(null=True)
    statistical_method = models.TextField(blank=True)
    statistical_comment = models.TextField(blank=True)
    p_value_text = models.TextField(blank=True, help_text='As written: "0.03", "<0.001".')
    p_value = models.FloatField(null=True)
    p_value_qualifier = models.CharField(max_length=2, blank=True)
    p_value_comment = models.TextField(blank=True)
    ci_pct_value = models.FloatField(null=True)
    ci_num_sides = models.CharField(max_length=20, blank=True)
    ci_lower_limit_text = models.TextField(blank=True)
    ci_lower_limit = models.FloatField(null=True)
    ci_upper_limit_text = models.TextField(blank=True)
    ci_upper_limit = models.FloatField(null=True)
    ci_lower_limit_comment = models.TextField(blank=True)
    ci_upper_limit_comment = models.TextField(blank=True)
    estimate_comment = models.TextField(blank=True)
    tested_non_inferiority = models.BooleanField(null=True)
    non_inferiority_type = models.CharField(max_length=40, blank=True)
    non_inferiority_comment = models.TextField(blank=True)
    other_analysis_description = models.TextField(blank=True)

    class Meta:
        ordering = ["measure", "position"]
        verbose_name_plural = "outcome analyses"

    def __str__(self) -> str:
        return f"{self.statistical_method or 'analysis'} p={self.p_value_text or '?'}"
