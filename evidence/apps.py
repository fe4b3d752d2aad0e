from django.apps import AppConfig


def trial_evidence_section(trial):
    """The trial page's evidence section (evidence.browsing.trial.trial_evidence).

    Imported when a page first asks for it: the section computes effects with statsmodels, which
    with scipy and pandas costs about 100 MB, and the importer and its classify worker, which set
    Django up too, must not carry it.
    """
    from evidence.browsing.trial import trial_evidence

    return trial_evidence(trial)


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence"

    def ready(self):
        # trials never imports evidence: evidence plugs itself into trials' seams here (every
        # seam is described in trials/extensions.py).
        from evidence import admin
        from evidence.browsing import exports
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
            template="evidence/_trial_evidence.html", context=trial_evidence_section
        )
        for handler in curation_files.HANDLERS:
            extensions.register_file_field(handler)
        extensions.register_curator_permissions(*admin.CURATOR_PERMISSIONS)
