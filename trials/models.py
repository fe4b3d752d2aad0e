"""Trials as the registry describes them, the labels we derive, and the runs that import them.

Three kinds of data live side by side and never overwrite each other:

- registry fields (copied from ClinicalTrials.gov by the importer, and only by it);
- automatic labels (`AutoLabel`, and `Trial.auto_*`, written by the importer's classifier);
- curations (`Curation`, written only by curators, append-only, never touched by an import).

The *effective* values (`Trial.is_cell_therapy`, `Trial.donor`, `TrialFacet` rows) are the
curated value when there is one, else the automatic one. They are derived, and stored only so
that filters and facet counts are single indexed queries;
`trials.effective.refresh_effective_labels` is the one place that writes them.

Beside them, two append-only records: `TrialChange` (what changed in a trial, when, and by which
import run or curator; written by the services that make the change) and `Review` (a curator
looked at the automatic labels and the registry text they came from).
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery
from django.urls import reverse

from trials import labels
from trials.registries.ctgov import enums

DATE_PRECISIONS = [("day", "day"), ("month", "month"), ("year", "year")]


class ImportRun(models.Model):
    """One run of the importer, from a file, a folder or the registry, and what it did."""

    class Mode(models.TextChoices):
        FULL = "full", "full"
        INCREMENTAL = "incremental", "incremental"
        FILE = "file", "file"

    class Status(models.TextChoices):
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        PARTIAL = "partial", "partial (some records rejected or pages failed)"
        FAILED = "failed", "failed"

    mode = models.CharField(max_length=12, choices=Mode.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    query = models.JSONField(default=dict, blank=True, help_text="Registry query or file sources.")
    since = models.DateField(null=True, blank=True, help_text="Incremental runs: updates from.")
    dry_run = models.BooleanField(default=False)
    received = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    older = models.PositiveIntegerField(
        default=0, help_text="Records older than the version already held, so skipped."
    )
    rejected = models.PositiveIntegerField(default=0)
    flagged_missing = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(
        default=list, blank=True, help_text='[{"nct_id": ..., "reason": ..., "source": ...}]'
    )
    errors = models.JSONField(default=list, blank=True)
    watermark = models.DateField(
        null=True,
        blank=True,
        help_text="Newest last-update-posted date fully imported; the next incremental run "
        "starts from the last successful run's watermark.",
    )
    # Whose run this is, so that a run left `running` by a process that died can be told from a
    # live one (trials.importing.runs).
    pid = models.PositiveIntegerField(null=True, blank=True, help_text="The importing process.")
    host = models.CharField(max_length=255, blank=True, help_text="Where that process ran.")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} import {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def summary(self) -> str:
        return (
            f"received {self.received}, created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, older skipped {self.older}, rejected {self.rejected}"
        )


# Columns a list of trials never shows; loading them for 25 or 50,000 rows costs time and memory.
LONG_TEXTS = ("raw_record", "detailed_description", "eligibility_criteria", "search_text")


class TrialQuerySet(models.QuerySet):
    def visible(self):
        """Trials shown in the tracker: not excluded by a curator."""
        return self.filter(excluded=False)

    def cell_therapies(self):
        return self.visible().filter(is_cell_therapy=True)

    def in_status_group(self, *groups: str):
        statuses = [s for g in groups for s in labels.STATUS_GROUPS.get(g, ())]
        return self.filter(overall_status__in=statuses)

    def recruiting(self):
        return self.in_status_group("recruiting")

    def with_facet(self, facet: str, values):
        """Trials having any of `values` for a multi-valued facet (cell_types, routes, phases…)."""
        return self.filter(
            Exists(TrialFacet.objects.filter(trial=OuterRef("pk"), facet=facet, value__in=values))
        )

    def content_hashes(self, nct_ids) -> dict[str, str]:
        """NCT id → content hash of the stored record, for the trials among `nct_ids`."""
        return dict(self.filter(nct_id__in=list(nct_ids)).values_list("nct_id", "content_hash"))

    def for_listing(self):
        """What a list of trials shows: the facets prefetched, the long texts left behind."""
        return self.defer(*LONG_TEXTS).prefetch_related("facets")

    def for_detail(self):
        """Everything the trial page reads, prefetched: the page then costs no further query."""
        return self.prefetch_related(
            "facets",
            "arms",
            "interventions",
            "locations",
            "references",
            "auto_labels",
            models.Prefetch(
                "curations",
                queryset=Curation.objects.current().select_related("curator"),
                to_attr="curations_in_force",
            ),
        )

    def reported_in(self, *places: str):
        """Trials whose results were reported in any of these places: "registry" (posted
        results), "publication" (a RESULT reference in the record), "none" (neither)."""
        result_reference = Reference.objects.filter(trial=OuterRef("pk"), type="RESULT")
        conditions = {
            "registry": Q(has_results=True),
            "publication": Q(has_result_reference=True),
            "none": Q(has_results=False, has_result_reference=False),
        }
        wanted = Q(pk__in=[])
        for place in places:
            wanted |= conditions[place]
        return self.annotate(has_result_reference=Exists(result_reference)).filter(wanted)

    def recently_changed(self):
        return self.order_by("-last_changed", "nct_id")

    def still_in_registry(self):
        return self.filter(missing_since__isnull=True)

    def with_review_state(self):
        """Annotate the last review (when, and the registry text it saw) and the lowest confidence
        of the trial's automatic labels, for the review queue."""
        latest = Review.objects.filter(trial=OuterRef("pk")).order_by("-pk")
        lowest = (
            AutoLabel.objects.filter(trial=OuterRef("pk"))
            .order_by()
            .values("trial")
            .annotate(lowest=Min("confidence"))
            .values("lowest")
        )
        return self.annotate(
            last_reviewed_at=Subquery(latest.values("reviewed_at")[:1]),
            reviewed_text_hash=Subquery(latest.values("text_hash")[:1]),
            lowest_confidence=Subquery(lowest),
        )

    def needing_review(self):
        """The review queue: shown trials never reviewed, or whose registry text changed since
        their last review; the least sure classifications first."""
        return (
            self.visible()
            .with_review_state()
            .filter(
                Q(last_reviewed_at__isnull=True) | ~Q(reviewed_text_hash=F("text_hash")),
            )
            .order_by(F("lowest_confidence").asc(nulls_last=True), "nct_id")
        )


class Trial(models.Model):
    # Registry fields: written by the importer only (trials.importing.upsert.upsert_studies).
    nct_id = models.CharField("NCT id", max_length=11, unique=True)
    brief_title = models.TextField()
    official_title = models.TextField(blank=True)
    acronym = models.CharField(max_length=100, blank=True)
    organization = models.CharField(max_length=300, blank=True)
    overall_status = models.CharField(max_length=40, blank=True, db_index=True)
    last_known_status = models.CharField(max_length=40, blank=True)
    why_stopped = models.TextField(blank=True)

    # Partial dates: the first day of the period the registry gave, and how much it gave.
    start_date = models.DateField(null=True, blank=True, db_index=True)
    start_date_precision = models.CharField(max_length=5, choices=DATE_PRECISIONS, blank=True)
    start_date_type = models.CharField(max_length=10, blank=True)
    primary_completion_date = models.DateField(null=True, blank=True)
    primary_completion_date_precision = models.CharField(
        max_length=5, choices=DATE_PRECISIONS, blank=True
    )
    primary_completion_date_type = models.CharField(max_length=10, blank=True)
    completion_date = models.DateField(null=True, blank=True)
    completion_date_precision = models.CharField(max_length=5, choices=DATE_PRECISIONS, blank=True)
    completion_date_type = models.CharField(max_length=10, blank=True)
    first_posted = models.DateField(null=True, blank=True)
    first_posted_precision = models.CharField(max_length=5, choices=DATE_PRECISIONS, blank=True)
    last_update_posted = models.DateField(null=True, blank=True, db_index=True)
    last_update_posted_precision = models.CharField(
        max_length=5, choices=DATE_PRECISIONS, blank=True
    )
    results_first_posted = models.DateField(null=True, blank=True)
    results_first_posted_precision = models.CharField(
        max_length=5, choices=DATE_PRECISIONS, blank=True
    )

    phases = models.JSONField(default=list, blank=True, help_text='e.g. ["PHASE1", "PHASE2"]')
    phase_rank = models.PositiveSmallIntegerField(
        default=0, db_index=True, help_text="The highest phase as a number, for sorting."
    )
    study_type = models.CharField(max_length=20, blank=True, db_index=True)
    allocation = models.CharField(max_length=20, blank=True)
    intervention_model = models.CharField(max_length=20, blank=True)
    masking = models.CharField(max_length=20, blank=True)
    primary_purpose = models.CharField(max_length=30, blank=True)
    enrollment = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    enrollment_type = models.CharField(max_length=10, blank=True)
    has_results = models.BooleanField(default=False)
    lead_sponsor = models.CharField(max_length=300, blank=True)
    lead_sponsor_class = models.CharField(max_length=20, blank=True)
    collaborators = models.JSONField(default=list, blank=True, help_text='[{"name", "class"}]')
    conditions = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    brief_summary = models.TextField(blank=True)
    detailed_description = models.TextField(blank=True)
    sex = models.CharField(max_length=10, blank=True)
    minimum_age = models.CharField(max_length=30, blank=True)
    maximum_age = models.CharField(max_length=30, blank=True)
    healthy_volunteers = models.BooleanField(null=True, blank=True)
    eligibility_criteria = models.TextField(blank=True)
    officials = models.JSONField(
        default=list, blank=True, help_text='[{"name", "affiliation", "role"}]'
    )
    countries = models.JSONField(default=list, blank=True, help_text="Sorted, from the locations.")
    search_text = models.TextField(
        blank=True,
        help_text="Conditions, keywords, interventions and sponsors in one text, for search.",
    )

    # Provenance.
    raw_record = models.JSONField(help_text="The registry record exactly as received.")
    content_hash = models.CharField(max_length=64)
    text_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Hash of the free text the classifier reads (titles, summary, description, arms, "
        "interventions, keywords); a review is due again when it changes.",
    )
    version_date = models.DateField(
        null=True, blank=True, help_text="The registry's data version of the record imported."
    )
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    last_changed = models.DateTimeField(help_text="When an import last changed this trial.")
    missing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when a full registry run no longer returned this trial; never deleted.",
    )
    last_import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Automatic labels (the classifier's trial-level verdict; details in AutoLabel).
    auto_is_cell_therapy = models.BooleanField(default=False)
    auto_donor = models.CharField(max_length=20, default="unknown")

    # Effective values: curated when curated, else automatic (see the module docstring).
    is_cell_therapy = models.BooleanField(default=False, db_index=True)
    donor = models.CharField(max_length=20, default="unknown", db_index=True)
    excluded = models.BooleanField(
        default=False,
        help_text="A curator excluded this study from the tracker (effective value of the "
        "'excluded' curation).",
    )

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["nct_id"]

    def __str__(self) -> str:
        return f"{self.nct_id}: {self.brief_title}"

    def get_absolute_url(self) -> str:
        return reverse("trials:detail", args=[self.nct_id])

    @property
    def registry_url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"

    def partial_date(self, name: str) -> str:
        """A date as precise as the registry gave it: '2020', '2020-12' or '2020-12-31'."""
        value = getattr(self, name)
        if value is None:
            return ""
        precision = getattr(self, f"{name}_precision", "day")
        if precision == "year":
            return f"{value.year:04d}"
        if precision == "month":
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()

    @property
    def start_date_display(self) -> str:
        return self.partial_date("start_date")

    @property
    def status_group(self) -> str:
        for group, statuses in labels.STATUS_GROUPS.items():
            if self.overall_status in statuses:
                return group
        return "unknown"

    def facet_values(self, facet: str) -> list[str]:
        """Effective values of a multi-valued facet; uses prefetched facets when present."""
        return sorted(f.value for f in self.facets.all() if f.facet == facet)


class TrialFacet(models.Model):
    """One effective value of a multi-valued facet of a trial (derived; see module docstring).

    Facets: every value researchers filter on — the label sets (cell_types, cell_sources,
    routes), donor, and the registry's phases, status, study type, countries, sponsor class and
    whether results were posted — so that all facet counts of a page come from one indexed
    query, the same way on PostgreSQL and SQLite.

    `FACETS` are written by `trials.effective.refresh_effective_labels`; the facets of
    `labels.EVIDENCE_FACETS` (outcome domains, posted-result domains, adverse-event categories)
    are written by the evidence app when it rebuilds a trial's evidence. Each writer deletes and
    rewrites only its own facets.
    """

    FACETS = (
        "cell_types",
        "cell_sources",
        "routes",
        "donor",
        "phases",
        "status",
        "study_type",
        "countries",
        "sponsor_class",
        "has_results",
    )

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trial", "facet", "value"], name="unique_trial_facet")
        ]
        indexes = [models.Index(fields=["facet", "value", "trial"])]

    def __str__(self) -> str:
        return f"{self.trial_id} {self.facet}={self.value}"


class Arm(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="arms")
    position = models.PositiveSmallIntegerField()
    label = models.TextField()
    type = models.CharField(max_length=30, blank=True)
    description = models.TextField(blank=True)
    intervention_names = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["trial", "position"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_control(self) -> bool:
        return self.type in enums.CONTROL_ARM_TYPES


class Intervention(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="interventions")
    position = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=30, blank=True)
    name = models.TextField()
    description = models.TextField(blank=True)
    other_names = models.JSONField(default=list, blank=True)
    arm_labels = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["trial", "position"]

    def __str__(self) -> str:
        return f"{self.type}: {self.name}" if self.type else self.name


class Location(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="locations")
    position = models.PositiveIntegerField()
    facility = models.TextField(blank=True)
    city = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["trial", "country", "position"]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.facility, self.city, self.country) if part)


class Reference(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveSmallIntegerField()
    pmid = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    citation = models.TextField(blank=True)

    class Meta:
        ordering = ["trial", "position"]

    def __str__(self) -> str:
        return self.pmid or self.citation[:60]

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


class AutoLabel(models.Model):
    """One label the classifier proposed, with the phrase that decided it and how sure it was.

    Labels below the classifier's acceptance threshold are kept too: they are the "unsure"
    suggestions a curator reviews, but they do not count towards the automatic value.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="auto_labels")
    field = models.CharField(max_length=20)
    value = models.CharField(max_length=40)
    arm = models.TextField(blank=True, help_text="Arm label, or empty for the trial as a whole.")
    phrase = models.TextField(blank=True)
    source = models.CharField(max_length=60, blank=True, help_text="Where the phrase stands.")
    confidence = models.FloatField()
    accepted = models.BooleanField(help_text="Counted towards the automatic value.")

    class Meta:
        ordering = ["trial", "field", "arm", "-confidence", "value"]
        indexes = [models.Index(fields=["accepted", "confidence"])]

    def __str__(self) -> str:
        return f"{self.field}={self.value} ({self.confidence:.2f})"

    @property
    def value_label(self) -> str:
        return labels.label_for(self.field, self.value)


class CurationQuerySet(models.QuerySet):
    def current(self):
        """The latest curation of each (trial, field): the one in force."""
        newer = Curation.objects.filter(
            trial=OuterRef("trial"), field=OuterRef("field"), pk__gt=OuterRef("pk")
        )
        return self.filter(~Exists(newer))


class Curation(models.Model):
    """A curator's value for one label field of one trial, with who, when and why.

    Append-only: a correction adds a row, so the history of every curated field is kept. The
    latest row of a (trial, field) is in force; a row whose `value` is null hands the field back
    to the classifier. Imports never write here.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="curations")
    # Validated by the registry in trials.curating.fields, not by choices, so that another app can
    # add a curated field without a migration here.
    field = models.CharField(max_length=40)
    value = models.JSONField(
        null=True, blank=True, help_text="A list of slugs, a slug, a boolean, or null to revert."
    )
    note = models.TextField(help_text="Why: the evidence for this value.")
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    curator_name = models.CharField(
        max_length=150, blank=True, help_text="Who, as written in a curation file."
    )
    created_at = models.DateTimeField()

    objects = CurationQuerySet.as_manager()

    class Meta:
        ordering = ["trial", "field", "-pk"]
        indexes = [models.Index(fields=["trial", "field", "-id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="curation_requires_note"),
        ]

    def __str__(self) -> str:
        return f"{self.trial_id} {self.field}={self.value!r}"

    @property
    def who(self) -> str:
        if self.curator_id:
            return self.curator.get_username()
        return self.curator_name or "unknown"


class TrialChangeQuerySet(models.QuerySet):
    def of_trials(self, trials):
        """Changes of the trials in a Trial queryset (e.g. `TrialFilter(...).qs`)."""
        return self.filter(trial__in=trials.order_by().values("pk"))

    def of_kinds(self, *kinds: str):
        return self.filter(kind__in=kinds) if kinds else self

    def newest_first(self):
        return self.order_by("-at", "-pk").select_related("trial", "curator", "import_run")

    def oldest_first(self):
        return self.order_by("at", "pk").select_related("curator", "import_run")


class TrialChange(models.Model):
    """One change to one field of a trial, with its old and new values and who made it.

    Written by the services that make the change (the importer's upsert, `curate`), not by
    signals: the importer writes in bulk, where signals never fire. A registry change names the
    import run; a curation names the curator and the note. `kind` says what changed:

    - first-seen: the importer created the trial (`new_value`: its tracked registry fields);
    - registry: a tracked registry field (trials.history.recording.REGISTRY_FIELDS) changed in an
      import;
    - label: an import changed an effective label (the classifier's, as nothing was curated);
    - curation: a curator set or reverted a value (old/new: the effective values around it).
    """

    class Kind(models.TextChoices):
        FIRST_SEEN = "first-seen", "first seen"
        REGISTRY = "registry", "registry update"
        LABEL = "label", "automatic label"
        CURATION = "curation", "curator"

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    curator_name = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)

    objects = TrialChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["trial", "at"]),
            models.Index(fields=["-at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.trial_id} {self.kind} {self.field} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def who(self) -> str:
        if self.curator_id:
            return self.curator.get_username()
        if self.curator_name:
            return self.curator_name
        if self.import_run_id:
            return f"import run {self.import_run_id}"
        return "importer"


class Review(models.Model):
    """A curator reviewed a trial's automatic labels against the registry text they came from.

    Append-only; the latest row is in force. `text_hash` is the trial's `text_hash` at the review,
    so a registry text changed since puts the trial back in the review queue.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewed_at = models.DateTimeField()
    text_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        indexes = [models.Index(fields=["trial", "-id"])]

    def __str__(self) -> str:
        return f"{self.trial_id} reviewed {self.reviewed_at:%Y-%m-%d %H:%M}"


class TrialToReview(Trial):
    """The review queue as an admin page of its own (a proxy, no table; see needing_review)."""

    class Meta:
        proxy = True
        verbose_name = "trial to review"
        verbose_name_plural = "review queue"
