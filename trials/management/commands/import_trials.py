"""Import ClinicalTrials.gov records: from files and folders now, from the live registry later.

Exit codes: 0 every record imported; 1 some records rejected (the rest imported);
2 the run failed (nothing after the failing batch was imported); 3 bad usage.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trials import services
from trials.ctgov.files import study_files

EXIT_REJECTED = 1
EXIT_FAILED = 2


class Command(BaseCommand):
    help = (
        "Import registry records (API v2 study JSON or recorded /studies pages) from files or "
        "folders. Prints a one-line summary; exits 1 when any record was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-file",
            dest="files",
            action="append",
            default=[],
            type=Path,
            metavar="PATH",
            help="A study JSON file or a recorded /studies page (repeatable).",
        )
        parser.add_argument(
            "--from-dir",
            dest="dirs",
            action="append",
            default=[],
            type=Path,
            metavar="DIR",
            help="Every *.json file in this folder, by name (repeatable).",
        )

    def handle(self, *args, files, dirs, **options):
        if not files and not dirs:
            raise CommandError(
                "Give --from-file PATH or --from-dir DIR (live registry sync is not available yet)."
            )
        try:
            paths = study_files(files=files, dirs=dirs)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        try:
            run = services.import_files(paths=paths)
        except Exception as exc:  # the run is recorded as failed; say so in one line
            self.stderr.write(f"import failed: {type(exc).__name__}: {exc}")
            raise SystemExit(EXIT_FAILED) from exc
        for rejection in run.rejections:
            self.stderr.write(
                f"rejected {rejection['nct_id'] or '(no NCT id)'} from {rejection['source']}: "
                f"{rejection['reason']}"
            )
        self.stdout.write(f"import {run.status}: {run.summary}")
        if run.rejected:
            raise SystemExit(EXIT_REJECTED)
