from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence"

    def ready(self):
        # trials never imports evidence: evidence plugs itself into the trials importer here.
        from evidence import admin
        from evidence.browsing import exports
        from evidence.browsing.trial import trial_evidence
        from evidence.curating import files as curation_files
        from evidence.importing import ahead
        from evidence.importing.services import sync_trial_evidence
        from trials.browsing.exports import register_export_extension
        from trials.browsing.page_sections import register_section
        from trials.curating.files import register_curator_permissions, register_file_field
        from trials.importing.upsert import register_record_handler

        register_record_handler(sync_trial_evidence, prepare=ahead.outcome_domains)
        register_export_extension(
            columns=exports.COLUMNS, prefetch=exports.PREFETCH, row=exports.trial_evidence_row
        )
        register_section(template="evidence/_trial_evidence.html", context=trial_evidence)
        for handler in curation_files.HANDLERS:
            register_file_field(handler)
        register_curator_permissions(*admin.CURATOR_PERMISSIONS)
