"""The API's trial representations: the export row for lists, the whole trial for one trial.

The list item IS the export row (trials.browsing.exports.trial_row), so the API, the CSV/JSON
downloads and `export_trials` can never drift apart. Fields are declared for the OpenAPI schema; a
test checks they are exactly the keys produced.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from trials import labels
from trials.browsing import exports
from trials.models import Arm, AutoLabel, Curation, Intervention, Location, Reference, Trial

PARTIAL_DATE = "As precise as the registry gave it: 2020, 2020-12 or 2020-12-31; empty if none."
ORIGIN = "auto (the classifier) or curated (a curator's value)."


def _slugs(vocabulary: dict[str, str], help_text: str):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=list(vocabulary)), help_text=help_text
    )


class TrialRowSerializer(serializers.Serializer):
    """One trial as an export row (the columns of `export_trials`), with links."""

    nct_id = serializers.CharField()
    brief_title = serializers.CharField()
    overall_status = serializers.CharField(help_text="Registry API v2 enum, e.g. COMPLETED.")
    phases = serializers.ListField(child=serializers.CharField(), help_text="e.g. [PHASE1, PHASE2]")
    study_type = serializers.CharField()
    enrollment = serializers.IntegerField(allow_null=True)
    enrollment_type = serializers.CharField(help_text="ACTUAL or ESTIMATED; empty if not given.")
    start_date = serializers.CharField(help_text=PARTIAL_DATE)
    completion_date = serializers.CharField(help_text=PARTIAL_DATE)
    last_update_posted = serializers.CharField(help_text=PARTIAL_DATE)
    has_results = serializers.BooleanField()
    lead_sponsor = serializers.CharField()
    lead_sponsor_class = serializers.CharField()
    countries = serializers.ListField(child=serializers.CharField())
    is_cell_therapy = serializers.BooleanField()
    cell_types = _slugs(labels.CELL_TYPES, "Effective cell types (docs/domain.md#cell-type slugs).")
    cell_sources = _slugs(labels.CELL_SOURCES, "Effective cell sources.")
    donor = serializers.ChoiceField(choices=list(labels.DONORS))
    routes = _slugs(labels.ROUTES, "Effective delivery routes.")
    is_cell_therapy_origin = serializers.ChoiceField(choices=["auto", "curated"], help_text=ORIGIN)
    cell_types_origin = serializers.ChoiceField(choices=["auto", "curated"], help_text=ORIGIN)
    cell_sources_origin = serializers.ChoiceField(choices=["auto", "curated"], help_text=ORIGIN)
    donor_origin = serializers.ChoiceField(choices=["auto", "curated"], help_text=ORIGIN)
    routes_origin = serializers.ChoiceField(choices=["auto", "curated"], help_text=ORIGIN)
    registry_url = serializers.URLField()
    url = serializers.URLField(help_text="This trial in the API.")
    page_url = serializers.URLField(help_text="This trial's page in the tracker.")

    def get_fields(self):
        # Columns other apps add to the export (evidence: outcomes, adverse_events,
        # publications) are arrays of objects; declared here so the schema shows them.
        fields = super().get_fields()
        for column in exports.extension_columns():
            fields[column] = serializers.ListField(
                child=serializers.DictField(),
                help_text="Added by another app; see docs/using.md#export-columns.",
            )
        return fields

    def to_representation(self, trial: Trial) -> dict:
        row = exports.trial_row(trial)
        request = self.context.get("request")
        api_path = reverse("api-trial-detail", args=[trial.nct_id])
        page_path = trial.get_absolute_url()
        row["url"] = request.build_absolute_uri(api_path) if request else api_path
        row["page_url"] = request.build_absolute_uri(page_path) if request else page_path
        return row


class ArmSerializer(serializers.ModelSerializer):
    class Meta:
        model = Arm
        fields = ["label", "type", "description", "intervention_names"]


class InterventionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Intervention
        fields = ["type", "name", "description", "other_names", "arm_labels"]


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["facility", "city", "state", "country", "status"]


class ReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reference
        fields = ["pmid", "type", "citation"]


class AutoLabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = AutoLabel
        fields = ["field", "value", "arm", "phrase", "source", "confidence", "accepted"]
        extra_kwargs = {
            "arm": {"help_text": "The arm's label, or empty for the trial as a whole."},
            "phrase": {"help_text": "The phrase of the record that decided this label."},
            "source": {"help_text": "Where the phrase stands, e.g. arm[0].description."},
            "accepted": {"help_text": "Counted towards the automatic value (else a suggestion)."},
        }


class CurationSerializer(serializers.ModelSerializer):
    curator = serializers.CharField(source="who")

    class Meta:
        model = Curation
        fields = ["field", "value", "note", "curator", "created_at"]


DETAIL_FIELDS = (
    "official_title",
    "acronym",
    "brief_summary",
    "detailed_description",
    "why_stopped",
    "allocation",
    "intervention_model",
    "masking",
    "primary_purpose",
    "collaborators",
    "conditions",
    "keywords",
    "sex",
    "minimum_age",
    "maximum_age",
    "eligibility_criteria",
)


class TrialDetailSerializer(TrialRowSerializer):
    """The export row, the registry's descriptive fields, and the trial's rows."""

    official_title = serializers.CharField()
    acronym = serializers.CharField()
    brief_summary = serializers.CharField()
    detailed_description = serializers.CharField()
    why_stopped = serializers.CharField()
    primary_completion_date = serializers.CharField(help_text=PARTIAL_DATE)
    first_posted = serializers.CharField(help_text=PARTIAL_DATE)
    results_first_posted = serializers.CharField(help_text=PARTIAL_DATE)
    allocation = serializers.CharField()
    intervention_model = serializers.CharField()
    masking = serializers.CharField()
    primary_purpose = serializers.CharField()
    collaborators = serializers.ListField(child=serializers.DictField())
    conditions = serializers.ListField(child=serializers.CharField())
    keywords = serializers.ListField(child=serializers.CharField())
    sex = serializers.CharField()
    minimum_age = serializers.CharField()
    maximum_age = serializers.CharField()
    eligibility_criteria = serializers.CharField()
    version_date = serializers.DateField(
        allow_null=True, help_text="The registry's data version this trial was imported from."
    )
    arms = ArmSerializer(many=True)
    interventions = InterventionSerializer(many=True)
    locations = LocationSerializer(many=True)
    references = ReferenceSerializer(many=True)
    auto_labels = AutoLabelSerializer(many=True, help_text="Every label the classifier proposed.")
    curations = CurationSerializer(many=True, help_text="The curated values in force.")

    def to_representation(self, trial: Trial) -> dict:
        data = super().to_representation(trial)
        data.update({name: getattr(trial, name) for name in DETAIL_FIELDS})
        for name in ("primary_completion_date", "first_posted", "results_first_posted"):
            data[name] = trial.partial_date(name)
        data["version_date"] = trial.version_date.isoformat() if trial.version_date else None
        data["arms"] = ArmSerializer(trial.arms.all(), many=True).data
        data["interventions"] = InterventionSerializer(trial.interventions.all(), many=True).data
        data["locations"] = LocationSerializer(trial.locations.all(), many=True).data
        data["references"] = ReferenceSerializer(trial.references.all(), many=True).data
        data["auto_labels"] = AutoLabelSerializer(trial.auto_labels.all(), many=True).data
        data["curations"] = CurationSerializer(trial.curations_in_force, many=True).data
        return data
