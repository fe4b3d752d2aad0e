"""The curators' evidence screens: correct an outcome's domain or an adverse-event term's category.

Each screen shows the automatic value with what decided it beside the value in force, a form
with the curated value and a note, and the curation history. The form writes nothing itself:
save_model calls evidence.curating.services, which records the curation (who, when, why) and
applies it. The evidence rows are the importer's: nothing here adds or deletes one. The permissions
the curators group needs are registered with trials.curating.files from EvidenceConfig.ready().
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from evidence.curating.admin_forms import EventCategoryForm, OutcomeDomainForm
from evidence.curating.published import clear_published_result
from evidence.curating.services import curate_event_category, curate_outcome_domain
from evidence.keys import outcome_kind
from evidence.models import (
    AdverseEvent,
    EventCategoryCuration,
    EventTerm,
    OutcomeDomainCuration,
    OutcomeMeasure,
    PublishedResult,
    RegisteredOutcome,
)
from trials import labels
from trials.admin import ReadOnlyMixin

CURATOR_PERMISSIONS = [
    "evidence.view_registeredoutcome",
    "evidence.change_registeredoutcome",
    "evidence.view_outcomemeasure",
    "evidence.change_outcomemeasure",
    "evidence.view_eventterm",
    "evidence.change_eventterm",
    "evidence.view_outcomedomaincuration",
    "evidence.view_eventcategorycuration",
    "evidence.view_publishedresult",
    "evidence.change_publishedresult",
]


def _history_table(curations, vocabulary: dict[str, str], value: str) -> str:
    rows = []
    for c in curations:
        slug = getattr(c, value)
        shown = vocabulary.get(slug, slug) if slug else "automatic"
        rows.append((c.created_at.strftime("%Y-%m-%d %H:%M"), shown, c.who, c.note))
    if not rows:
        return "none yet"
    return format_html(
        "<table><tr><th>when</th><th>value</th><th>by</th><th>note</th></tr>{}</table>",
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )


def _trial_link(trial):
    url = reverse("admin:trials_trial_change", args=[trial.pk])
    return format_html('<a href="{}">{}</a>', url, trial.nct_id)


class CurateOnlyMixin:
    """Rows the importer writes: curators change their curated value, nobody adds or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Outcome domains --------------------------------------------------------------------------


class OutcomeDomainAdmin(CurateOnlyMixin, admin.ModelAdmin):
    form = OutcomeDomainForm
    text_field = ""  # the measure's text: "measure" or "title"
    list_filter = ["domain", "domain_origin", "type"]
    list_select_related = ["trial"]
    list_per_page = 100

    def get_fieldsets(self, request, obj=None):
        return [
            ("Outcome (read-only: the registry's)", {"fields": self.outcome_fields}),
            ("Domain", {"fields": ["domain_in_force", "automatic"]}),
            (
                "Curate",
                {
                    "fields": ["value", "note"],
                    "description": "The domain of every outcome of this trial with this type and "
                    "measure (registered and posted alike), now and after every re-import. "
                    "Automatic: hand it back to the classifier.",
                },
            ),
            ("History", {"fields": ["curation_history"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.outcome_fields, "domain_in_force", "automatic", "curation_history"]

    def save_model(self, request, obj, form, change):
        # Not obj.save(): the row is rebuilt from the registry on every import; the curation is
        # what lasts, and the service applies it to the row.
        if form.curation_changed:
            curate_outcome_domain(
                trial=obj.trial,
                outcome_type=obj.type,
                measure=getattr(obj, self.text_field),
                domain=form.curated_value,
                note=form.cleaned_data["note"],
                curator=request.user,
            )

    @admin.display(description="trial", ordering="trial__nct_id")
    def trial_link(self, obj):
        return _trial_link(obj.trial)

    @admin.display(description="domain in force")
    def domain_in_force(self, obj):
        return f"{obj.get_domain_display()} ({obj.get_domain_origin_display()})"

    @admin.display(description="automatic")
    def automatic(self, obj):
        return format_html(
            "{} — decided by “{}” in the {} (confidence {})",
            labels.OUTCOME_DOMAINS.get(obj.auto_domain, obj.auto_domain),
            obj.domain_phrase or "no phrase",
            obj.domain_source or "text",
            f"{obj.domain_confidence:.2f}",
        )

    @admin.display(description="curations (newest first; the newest is in force)")
    def curation_history(self, obj):
        curations = OutcomeDomainCuration.objects.filter(
            trial=obj.trial_id, outcome_kind=outcome_kind(obj.type), measure_key=obj.measure_key
        ).order_by("-pk")
        return _history_table(curations.select_related("curator"), labels.OUTCOME_DOMAINS, "domain")


@admin.register(RegisteredOutcome)
class RegisteredOutcomeAdmin(OutcomeDomainAdmin):
    text_field = "measure"
    outcome_fields = ["trial_link", "type", "position", "measure", "description", "time_frame"]
    list_display = ["trial_link", "type", "position", "measure", "domain", "domain_origin"]
    search_fields = ["trial__nct_id", "measure"]
    ordering = ["trial__nct_id", "order"]


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(OutcomeDomainAdmin):
    text_field = "title"
    outcome_fields = ["trial_link", "type", "position", "title", "description", "time_frame"]
    list_display = ["trial_link", "type", "position", "title", "domain", "domain_origin"]
    search_fields = ["trial__nct_id", "title"]
    ordering = ["trial__nct_id", "position"]


# --- Adverse-event terms ----------------------------------------------------------------------


def _per_term(aggregate):
    """A subquery: `aggregate` over the countable events with the outer row's term key."""
    return Subquery(
        AdverseEvent.objects.countable()
        .filter(term_key=OuterRef("term_key"))
        .order_by()
        .values("term_key")
        .annotate(result=aggregate)
        .values("result")
    )


@admin.register(EventTerm)
class EventTermAdmin(CurateOnlyMixin, admin.ModelAdmin):
    """One row per normalised term (its first event stands for it), with its trials counted."""

    form = EventCategoryForm
    list_display = ["term", "automatic_category", "trials", "curated", "category"]
    list_filter = ["category", "category_origin"]
    search_fields = ["term"]
    ordering = ["term_key"]
    list_per_page = 100
    readonly_fields = ["term", "category_in_force", "automatic", "trials", "curation_history"]

    def get_queryset(self, request):
        first_of_each_term = (
            AdverseEvent.objects.countable()
            .order_by()
            .values("term_key")
            .annotate(first=Min("pk"))
            .values("first")
        )
        in_force = EventCategoryCuration.objects.filter(term_key=OuterRef("term_key")).order_by(
            "-pk"
        )
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=first_of_each_term)
            .annotate(
                trial_count=_per_term(Count("trial_id", distinct=True)),
                auto_low=_per_term(Min("auto_category")),
                auto_high=_per_term(Max("auto_category")),
                curated_category=Subquery(in_force.values("category")[:1]),
            )
        )

    def get_fieldsets(self, request, obj=None):
        return [
            ("Term", {"fields": ["term", "trials"]}),
            ("Category", {"fields": ["category_in_force", "automatic"]}),
            (
                "Curate",
                {
                    "fields": ["value", "note"],
                    "description": "The category of this term (case and punctuation ignored) in "
                    "every trial that reports it, now and later. Automatic: back to the "
                    "ae_categories.csv mapping.",
                },
            ),
            ("History", {"fields": ["curation_history"]}),
        ]

    def save_model(self, request, obj, form, change):
        # Not obj.save(): see OutcomeDomainAdmin.save_model.
        if form.curation_changed:
            curate_event_category(
                term=obj.term,
                category=form.curated_value,
                note=form.cleaned_data["note"],
                curator=request.user,
            )

    @admin.display(description="automatic category")
    def automatic_category(self, obj):
        if obj.auto_low == obj.auto_high:
            return obj.auto_low
        return f"{obj.auto_low} … {obj.auto_high} (by organ system)"

    @admin.display(description="trials", ordering="trial_count")
    def trials(self, obj):
        return obj.trial_count

    @admin.display(description="curated")
    def curated(self, obj):
        return obj.curated_category or "—"

    @admin.display(description="category in force")
    def category_in_force(self, obj):
        return f"{obj.get_category_display()} ({obj.get_category_origin_display()})"

    @admin.display(description="automatic (ae_categories.csv)")
    def automatic(self, obj):
        rows = (
            AdverseEvent.objects.countable()
            .filter(term_key=obj.term_key)
            .order_by("auto_category", "category_pattern", "organ_system")
            .values_list("auto_category", "category_pattern", "organ_system")
            .distinct()
        )
        return format_html(
            "<table><tr><th>category</th><th>decided by pattern</th><th>organ system</th></tr>"
            "{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((c, p or "no pattern: default", o) for c, p, o in rows),
            ),
        )

    @admin.display(description="curations (newest first; the newest is in force)")
    def curation_history(self, obj):
        curations = EventCategoryCuration.objects.filter(term_key=obj.term_key).order_by("-pk")
        return _history_table(
            curations.select_related("curator"), labels.EVENT_CATEGORIES, "category"
        )


# --- Curation logs (read-only) ----------------------------------------------------------------


@admin.register(OutcomeDomainCuration)
class OutcomeDomainCurationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "trial", "outcome_kind", "measure", "domain", "who", "note"]
    list_filter = ["domain", "outcome_kind"]
    search_fields = ["trial__nct_id", "measure", "note"]
    list_select_related = ["trial", "curator"]
    date_hierarchy = "created_at"

    @admin.display(description="by")
    def who(self, obj):
        return obj.who


@admin.register(EventCategoryCuration)
class EventCategoryCurationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "term", "category", "who", "note"]
    list_filter = ["category"]
    search_fields = ["term", "note"]
    list_select_related = ["curator"]
    date_hierarchy = "created_at"

    @admin.display(description="by")
    def who(self, obj):
        return obj.who


# --- Published results -----------------------------------------------------------------------


class PublishedResultForm(forms.ModelForm):
    """Clear a flagged row for pooling, or prefer it over the registry: always with a note."""

    note = forms.CharField(widget=forms.Textarea, help_text="Why: the evidence for this decision.")

    class Meta:
        model = PublishedResult
        fields = ["cleared", "preferred"]


@admin.register(PublishedResult)
class PublishedResultAdmin(admin.ModelAdmin):
    form = PublishedResultForm
    list_display = ["nct_ids", "measure", "timepoint", "group_label", "value", "flags", "cleared"]
    list_filter = ["kind", "cleared", "preferred", "outcome_domain"]
    search_fields = ["nct_ids", "citation", "measure"]
    list_per_page = 100
    readonly_fields = [
        "key",
        "nct_ids",
        "citation",
        "pmid_or_doi",
        "source_url",
        "location",
        "quote",
        "design",
        "outcome_domain",
        "measure",
        "timepoint",
        "kind",
        "group_label",
        "group_role",
        "n",
        "n_cell",
        "n_control",
        "value",
        "dispersion_type",
        "dispersion_or_lower",
        "upper",
        "p_value",
        "note_as_extracted",
        "flags",
        "curator_note",
        "curator_name",
        "updated_at",
    ]
    fields = [*readonly_fields, "cleared", "preferred", "note"]

    def has_add_permission(self, request, obj=None):
        return False  # rows come from extraction files (load_published_results), checked whole

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="note (as extracted)")
    def note_as_extracted(self, obj):
        return obj.note

    def save_model(self, request, obj, form, change):
        # Through the service, so that the decision is noted and in the trial's history.
        stored = PublishedResult.objects.get(pk=obj.pk)
        clear_published_result(
            result=stored,
            cleared=form.cleaned_data["cleared"],
            preferred=form.cleaned_data["preferred"],
            note=form.cleaned_data["note"],
            curator=request.user,
        )
