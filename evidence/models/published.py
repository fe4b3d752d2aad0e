"""Results read from publications by curators (a curated extraction), one number per row."""

from django.db import models

from trials.models import Trial

FLAGS = {
    "link-inferred": "LINK-INFERRED: no NCT id in the source; matched by sponsor, design, dates",
    "secondary-source": "SECONDARY SOURCE: a news report of the paper, not the paper",
    "pre-correction": "PRE-CORRECTION: figures superseded by an erratum",
    "counts-events": "counts events rather than participants",
}


class PublishedResultQuerySet(models.QuerySet):
    def poolable(self):
        """Rows a pool may use: unflagged, or flagged and cleared by a curator."""
        return self.filter(models.Q(flags=[]) | models.Q(cleared=True))


class PublishedResult(models.Model):
    """One number a publication reports about a trial, exactly as extracted, with where it was
    read. Loaded and corrected through evidence.curating.published (never edited in place
    otherwise); every change is in the trial's history."""

    KINDS = [("group_value", "group value"), ("difference", "difference"), ("events", "events")]
    ROLES = [
        ("cell-therapy", "cell therapy"),
        ("control", "control"),
        ("single-arm-before", "single arm, before"),
        ("single-arm-after", "single arm, after"),
        ("all", "all"),
    ]

    key = models.CharField(max_length=64, unique=True, help_text="What identifies the row.")
    nct_ids = models.CharField(max_length=200, blank=True, help_text='"A; B" when pooled.')
    trial = models.ForeignKey(
        Trial, null=True, blank=True, on_delete=models.SET_NULL, related_name="published_results"
    )
    citation = models.TextField()
    pmid_or_doi = models.TextField(blank=True)
    source_url = models.URLField(max_length=500)
    location = models.TextField(blank=True, help_text="Where in the source: table, figure, text.")
    quote = models.TextField(blank=True)
    design = models.TextField(blank=True)
    outcome_domain = models.CharField(max_length=20, blank=True)
    measure = models.TextField()
    timepoint = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=KINDS)
    group_label = models.TextField(blank=True)
    group_role = models.CharField(max_length=20, choices=ROLES)
    n = models.FloatField(null=True, blank=True)
    n_cell = models.FloatField(null=True, blank=True)
    n_control = models.FloatField(null=True, blank=True)
    value = models.FloatField(null=True, blank=True)
    dispersion_type = models.CharField(max_length=30, blank=True)
    dispersion_or_lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    p_value = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    flags = models.JSONField(default=list, blank=True, help_text="Slugs of FLAGS.")
    cleared = models.BooleanField(
        default=False, help_text="A curator cleared the flags: the row may be pooled."
    )
    preferred = models.BooleanField(
        default=False, help_text="A curator chose this over the registry's numbers for pooling."
    )
    curator_note = models.TextField(blank=True, help_text="Why it was cleared or preferred.")
    curator_name = models.CharField(max_length=150, blank=True)
    row_number = models.PositiveIntegerField(help_text="Its line in the file it came from.")
    updated_at = models.DateTimeField()

    objects = PublishedResultQuerySet.as_manager()

    class Meta:
        ordering = ["nct_ids", "citation", "row_number"]

    def __str__(self) -> str:
        return f"{self.nct_ids or 'no NCT id'}: {self.measure[:50]} ({self.citation[:40]})"

    @property
    def flag_labels(self) -> list[str]:
        return [FLAGS.get(f, f) for f in self.flags]

    @staticmethod
    def flag_text(flag: str) -> str:
        return FLAGS.get(flag, flag)
