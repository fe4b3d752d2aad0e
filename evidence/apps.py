from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence"

    def ready(self):
        # trials never imports evidence: evidence plugs itself into trials' seams here (every
        # seam is described in trials/extensions.py).
        from evidence import admin
        from evidence.browsing import exports
        from evidence.browsing.trial import trial_evidence
        from evidence.curating import files as curation_files
        from evidence.importing import ahead
        from evidence.importing.services import sync_trial_evidence
        from trials import extensions
        from trials.browsing.exports import COLUMNS as TRIAL_COLUMNS

        extensions.register_record_handler(sync_trial_evidence, prepare=ahead.outcome_domains)
        extensions.register_export_columns(
            columns=exports.COLUMNS,
            prefetch=exports.PREFETCH,
            row=exports.trial_evidence_row,
            taken=TRIAL_COLUMNS,
        )
        extensions.register_page_section(
            template="evidence/_trial_evidence.html", context=trial_evidence
        )
        for handler in curation_files.HANDLERS:
            extensions.register_file_field(handler)
        extensions.register_curator_permissions(*admin.CURATOR_PERMISSIONS)
