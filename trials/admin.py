from django.contrib import admin

from trials.models import AutoLabel, Curation, ImportRun, Trial


class AutoLabelInline(admin.TabularInline):
    model = AutoLabel
    extra = 0
    can_delete = False
    fields = ["field", "value", "arm", "phrase", "source", "confidence", "accepted"]
    readonly_fields = fields


class CurationInline(admin.TabularInline):
    model = Curation
    extra = 0
    can_delete = False
    fields = ["field", "value", "note", "curator", "curator_name", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    list_display = ["nct_id", "brief_title", "overall_status", "is_cell_therapy", "donor"]
    list_filter = ["is_cell_therapy", "overall_status", "study_type", "donor", "excluded"]
    search_fields = ["nct_id", "brief_title", "official_title", "lead_sponsor"]
    inlines = [AutoLabelInline, CurationInline]
    readonly_fields = [f.name for f in Trial._meta.fields if f.name != "excluded"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "mode", "status", "received", "created", "updated", "rejected"]
    list_filter = ["mode", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
