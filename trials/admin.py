"""The curators' workspace: trials with their automatic labels and the phrases that decided them,
curated overrides (each with a note, written through the curation services), the review queue,
the history of every trial, and the import runs (read-only).

Curators need no superuser: `python manage.py setup_curators --add USERNAME` gives a staff user
exactly the permissions of trials.curating.files.curator_permissions(). Nothing here deletes a trial
or writes a registry field; those are the importer's.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Exists, F, OuterRef, Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from trials import labels
from trials.browsing.display import source_label
from trials.browsing.trial_page import FIELD_NAMES, value_label
from trials.curating import files as curation
from trials.curating.admin_forms import curation_fieldset_rows, curation_form
from trials.effective import effective_values
from trials.history import timeline
from trials.models import (
    AutoLabel,
    Curation,
    ImportRun,
    Review,
    Trial,
    TrialChange,
    TrialToReview,
)

admin.site.site_header = "ALS cell-therapy trials: curation"
admin.site.site_title = "ALS trials curation"
admin.site.index_title = "Curation and imports"


class ReadOnlyMixin:
    """Rows only services write (imports, curations, reviews): looked at, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Filters --------------------------------------------------------------------------------


class FacetFilter(admin.SimpleListFilter):
    """An effective multi-valued label or registry facet (TrialFacet), as on the trial list."""

    facet = ""
    vocabulary: dict[str, str] = {}  # not `choices`: SimpleListFilter.choices() is a method

    def lookups(self, request, model_admin):
        return list(self.vocabulary.items())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.with_facet(self.facet, [self.value()])
        return queryset


class CellTypeFilter(FacetFilter):
    title = labels.LABEL_FIELD_NAMES["cell_types"].lower()
    parameter_name, facet, vocabulary = "cell_type", "cell_types", labels.CELL_TYPES


class CellSourceFilter(FacetFilter):
    title = labels.LABEL_FIELD_NAMES["cell_sources"].lower()
    parameter_name, facet, vocabulary = "cell_source", "cell_sources", labels.CELL_SOURCES


class RouteFilter(FacetFilter):
    title = labels.LABEL_FIELD_NAMES["routes"].lower()
    parameter_name, facet, vocabulary = "route", "routes", labels.ROUTES


class PhaseFilter(FacetFilter):
    title, parameter_name, facet, vocabulary = "phase", "phase", "phases", labels.PHASE_LABELS


class CuratedFilter(admin.SimpleListFilter):
    title = "curated"
    parameter_name = "curated"

    def lookups(self, request, model_admin):
        return [("yes", "has curated values"), ("no", "automatic only")]

    def queryset(self, request, queryset):
        curated = Exists(
            Curation.objects.current().filter(trial=OuterRef("pk"), value__isnull=False)
        )
        if self.value() == "yes":
            return queryset.filter(curated)
        if self.value() == "no":
            return queryset.filter(~curated)
        return queryset


class ReviewStateFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "due (never, or text changed)"), ("done", "reviewed")]

    def queryset(self, request, queryset):
        due = Trial.objects.needing_review().order_by().values("pk")
        if self.value() == "due":
            return queryset.filter(pk__in=due)
        if self.value() == "done":
            return queryset.exclude(pk__in=due)
        return queryset


# --- Inlines (all read-only) ------------------------------------------------------------------


class AutoLabelInline(ReadOnlyMixin, admin.TabularInline):
    model = AutoLabel
    extra = 0
    verbose_name_plural = "automatic labels (accepted at confidence ≥ 0.6; below: suggestions)"
    fields = ["label", "value_label", "arm", "phrase", "where", "confidence", "accepted"]
    readonly_fields = fields

    # In a curator's words: "Cell source", "Intervention 1 description", not the names in code.
    @admin.display(description="label")
    def label(self, obj):
        return FIELD_NAMES.get(obj.field, obj.field)

    @admin.display(description="value")
    def value_label(self, obj):
        return value_label(obj.field, obj.value)

    @admin.display(description="where")
    def where(self, obj):
        return source_label(obj.source) or "—"


class CurationInline(ReadOnlyMixin, admin.TabularInline):
    model = Curation
    extra = 0
    verbose_name_plural = "curations (newest first per field; the newest is in force)"
    fields = ["field", "value", "note", "who", "created_at"]
    readonly_fields = fields

    @admin.display(description="curator")
    def who(self, obj):
        return obj.who


class TrialChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = TrialChange
    extra = 0
    verbose_name_plural = "history"
    fields = ["at", "change", "who", "note"]
    readonly_fields = fields
    ordering = ["at", "pk"]

    @admin.display(description="change")
    def change(self, obj):
        entry = timeline.describe(obj)
        return f"{entry.title}: {entry.detail}" if entry.detail else entry.title

    @admin.display(description="by")
    def who(self, obj):
        return obj.who


class ReviewInline(ReadOnlyMixin, admin.TabularInline):
    model = Review
    extra = 0
    fields = ["reviewed_at", "reviewer"]
    readonly_fields = fields


# --- Actions ----------------------------------------------------------------------------------


@admin.action(permissions=["change"], description="Mark the selected trials reviewed")
def mark_reviewed(modeladmin, request, queryset):
    count = curation.mark_reviewed(trials=list(queryset), reviewer=request.user)
    modeladmin.message_user(request, f"Marked {count} trial(s) reviewed.", messages.SUCCESS)


# --- Trials -----------------------------------------------------------------------------------

REGISTRY_FIELDS = [
    "nct_id",
    "registry_link",
    "brief_title",
    "official_title",
    "overall_status",
    "phases",
    "study_type",
    "enrollment",
    "enrollment_type",
    "lead_sponsor",
    "start_date",
    "completion_date",
    "has_results",
    "last_update_posted",
    "first_seen",
    "last_changed",
    "missing_since",
]


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    list_display = [
        "nct_id",
        "brief_title",
        "overall_status",
        "is_cell_therapy",
        "cell_types",
        "routes",
        "donor",
        "excluded",
    ]
    list_filter = [
        "is_cell_therapy",
        "excluded",
        CuratedFilter,
        ReviewStateFilter,
        CellTypeFilter,
        CellSourceFilter,
        "donor",
        RouteFilter,
        PhaseFilter,
        "overall_status",
        "study_type",
        "has_results",
    ]
    search_fields = ["nct_id", "brief_title", "official_title", "acronym", "lead_sponsor"]
    readonly_fields = [*REGISTRY_FIELDS, "labels_in_force"]
    inlines = [AutoLabelInline, CurationInline, ReviewInline, TrialChangeInline]
    actions = [mark_reviewed]
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("facets")

    def get_fieldsets(self, request, obj=None):
        return [
            ("Registry (read-only: the importer's)", {"fields": REGISTRY_FIELDS}),
            ("Labels in force", {"fields": ["labels_in_force"]}),
            (
                "Curate",
                {
                    "fields": [*curation_fieldset_rows(), "note", "mark_reviewed"],
                    "description": "Tick “curate” to set a value yourself; untick it to hand "
                    "the field back to the automatic value. Every change needs a note.",
                },
            ),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        return super().get_form(request, obj, change, form=curation_form(), **kwargs)

    def has_add_permission(self, request):
        return False  # trials come from the registry

    def has_delete_permission(self, request, obj=None):
        return False  # never deleted: a trial gone from the registry is flagged missing

    def save_model(self, request, obj, form, change):
        # Not obj.save(): every field of the trial is the importer's or derived; curations are
        # the only thing this form writes, through the service that records their history.
        made = curation.curate_fields(
            trial=obj,
            values=form.curation_changes,
            note=form.cleaned_data.get("note", ""),
            curator=request.user,
        )
        if form.cleaned_data.get("mark_reviewed"):
            obj.refresh_from_db(fields=["text_hash"])
            curation.mark_reviewed(trials=[obj], reviewer=request.user)
        if made:
            fields = ", ".join(c.field for c in made)
            self.message_user(request, f"Recorded {len(made)} correction(s): {fields}.")

    @admin.display(description="cell types")
    def cell_types(self, obj):
        return ", ".join(obj.facet_values("cell_types"))

    @admin.display(description="routes")
    def routes(self, obj):
        return ", ".join(obj.facet_values("routes"))

    @admin.display(description="on ClinicalTrials.gov")
    def registry_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.registry_url, obj.registry_url)

    @admin.display(description="labels")
    def labels_in_force(self, obj):
        in_force = {c.field: c for c in obj.curations.current()}
        values = effective_values(obj, {f: c.value for f, c in in_force.items()})
        rows = []
        for name in [*labels.LABEL_FIELDS, "excluded"]:
            origin = (
                "curated" if in_force.get(name) and in_force[name].value is not None else "auto"
            )
            rows.append((timeline.field_name(name), timeline.display(name, values[name]), origin))
        return format_html(
            "<table><tr><th>field</th><th>value in force</th><th>from</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


@admin.register(TrialToReview)
class ReviewQueueAdmin(admin.ModelAdmin):
    """Automatic classifications nobody has reviewed, and trials whose registry text changed since
    their last review; the least sure first. Review a trial on its page, then mark it here."""

    list_display = [
        "trial_link",
        "brief_title",
        "reason",
        "lowest",
        "least_sure_label",
        "is_cell_therapy",
    ]
    list_display_links = None
    list_filter = ["is_cell_therapy", "overall_status"]

    class Media:
        # Long titles and phrases wrap, so that every column fits a 1400 px screen.
        css = {"all": ["css/admin_review.css"]}

    def changelist_view(self, request, extra_context=None):
        title = "Review queue: trials whose automatic labels need a curator, least sure first"
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    search_fields = ["nct_id", "brief_title", "lead_sponsor"]
    actions = [mark_reviewed]
    list_per_page = 100

    def get_queryset(self, request):
        return TrialToReview.objects.needing_review().prefetch_related(
            Prefetch("auto_labels", queryset=AutoLabel.objects.order_by("confidence", "pk"))
        )

    def get_ordering(self, request):
        # As TrialQuerySet.needing_review orders; the changelist would otherwise replace it.
        return [F("lowest_confidence").asc(nulls_last=True), "nct_id"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="trial")
    def trial_link(self, obj):
        url = reverse("admin:trials_trial_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.nct_id)

    @admin.display(description="why")
    def reason(self, obj):
        if obj.last_reviewed_at is None:
            return "never reviewed"
        return f"registry text changed since the review of {obj.last_reviewed_at:%Y-%m-%d}"

    @admin.display(description="lowest confidence", ordering="lowest_confidence")
    def lowest(self, obj):
        return "—" if obj.lowest_confidence is None else f"{obj.lowest_confidence:.2f}"

    @admin.display(description="least sure label")
    def least_sure_label(self, obj):
        label = next(iter(obj.auto_labels.all()), None)
        if label is None:
            return "—"
        said = value_label(label.field, label.value)
        text = f"{FIELD_NAMES.get(label.field, label.field)}: {said} ({label.confidence:.2f})"
        if not label.phrase:
            return f"{text}, the record does not say"
        return f"{text}, from “{label.phrase}” in {source_label(label.source).lower()}"


# --- History and imports ----------------------------------------------------------------------


@admin.register(TrialChange)
class TrialChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "trial_id_link", "kind", "field", "change", "who"]
    list_filter = ["kind", "field"]
    search_fields = ["=trial__nct_id"]
    date_hierarchy = "at"
    list_select_related = ["trial", "curator", "import_run"]

    @admin.display(description="trial")
    def trial_id_link(self, obj):
        url = reverse("admin:trials_trial_change", args=[obj.trial_id])
        return format_html('<a href="{}">{}</a>', url, obj.trial.nct_id)

    @admin.display(description="change")
    def change(self, obj):
        entry = timeline.describe(obj)
        return f"{entry.title}: {entry.detail}" if entry.detail else entry.title

    @admin.display(description="by")
    def who(self, obj):
        return obj.who


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "started_at",
        "mode",
        "status",
        "received",
        "created",
        "updated",
        "unchanged",
        "older",
        "rejected",
        "flagged_missing",
        "finished_at",
    ]
    list_filter = ["mode", "status", "dry_run"]
    date_hierarchy = "started_at"
    fields = [
        "mode",
        "status",
        "dry_run",
        "started_at",
        "finished_at",
        "pid",
        "host",
        "since",
        "watermark",
        "query",
        "received",
        "created",
        "updated",
        "unchanged",
        "older",
        "rejected",
        "flagged_missing",
        "rejected_records",
        "error_list",
    ]
    readonly_fields = fields

    @admin.display(description="rejected records")
    def rejected_records(self, obj):
        if not obj.rejections:
            return "none"
        rows = [
            (r.get("nct_id") or "(no NCT id)", r.get("source", ""), r.get("reason", ""))
            for r in obj.rejections
        ]
        return format_html(
            "<table><tr><th>NCT id</th><th>source</th><th>reason</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="errors")
    def error_list(self, obj):
        if not obj.errors:
            return "none"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((e,) for e in obj.errors))
        )
