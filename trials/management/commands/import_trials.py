"""Import ClinicalTrials.gov records: from the live registry (default) or from files.

Exit codes (documented in docs/operating.md#exit-codes; the nightly job's monitoring relies on
them): 0 the run fully succeeded; 1 some records were rejected (the rest imported); 2 bad usage;
3 the run failed (pages committed before the failure are kept); 4 another import is running;
143 stopped by SIGTERM (the run is marked failed, interrupted; committed pages are kept).
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trials.importing import runs, sync
from trials.importing.lock import ImportAlreadyRunning
from trials.importing.upsert import import_files
from trials.models import ImportRun
from trials.registries.ctgov.files import study_files

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_LOCKED = 4
EXIT_INTERRUPTED = runs.EXIT_INTERRUPTED


# Argument types raise argparse's own error: argparse turns it into a usage message and exit
# code 2 (a CommandError raised while arguments are parsed would escape as a stack trace).
def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: use YYYY-MM-DD") from None


def _param(value: str) -> tuple[str, str]:
    key, sep, text = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{value!r}: use KEY=VALUE, e.g. query.cond=ALS")
    return key.strip(), text


class ProgressReport:
    """A progress bar on a terminal; a log line every `every` seconds otherwise.

    `stream` is a management command's OutputWrapper (its write takes `ending`).
    """

    def __init__(self, stream, every: float = 30.0):
        self.stream = stream
        self.tty = stream.isatty()
        self.every = every
        self.last = 0.0

    def __call__(self, progress: sync.Progress) -> None:
        total = progress.total
        if self.tty:
            if total:
                done = min(progress.received / total, 1.0)
                bar = "#" * int(done * 30)
                line = f"\r[{bar:<30}] {progress.received}/{total} studies, page {progress.page}"
            else:
                line = f"\r{progress.received} studies, page {progress.page}"
            self.stream.write(line, ending="")
            self.stream.flush()
            return
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            of_total = f" of {total}" if total else ""
            self.stream.write(f"page {progress.page}: {progress.received}{of_total} studies")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("")


class Command(BaseCommand):
    help = (
        "Import ClinicalTrials.gov records. Without --from-file/--from-dir: sync from the registry "
        "(incremental from the last successful run; --full for everything). Prints a one-line "
        "summary. Exit codes: 0 ok, 1 records rejected, 2 usage, 3 failed, 4 already running, "
        "143 stopped by SIGTERM."
    )

    def add_arguments(self, parser):
        files = parser.add_argument_group("from files")
        files.add_argument(
            "--from-file",
            dest="files",
            action="append",
            default=[],
            type=Path,
            metavar="PATH",
            help="A study JSON file or a recorded /studies page (repeatable).",
        )
        files.add_argument(
            "--from-dir",
            dest="dirs",
            action="append",
            default=[],
            type=Path,
            metavar="DIR",
            help="Every *.json file in this folder, by name (repeatable).",
        )
        live = parser.add_argument_group("from the registry")
        live.add_argument("--full", action="store_true", help="Fetch every study of the query.")
        live.add_argument(
            "--since", type=_date, metavar="YYYY-MM-DD", help="Studies updated since this date."
        )
        live.add_argument(
            "--dry-run", action="store_true", help="Fetch and count, but write nothing."
        )
        live.add_argument("--limit", type=int, metavar="N", help="Stop after N studies.")
        live.add_argument(
            "--query",
            dest="query",
            action="append",
            type=_param,
            default=[],
            metavar="KEY=VALUE",
            help="A registry query parameter replacing the default query (repeatable), "
            "e.g. --query query.cond=ALS --query query.intr='stem cell'.",
        )

    def handle(self, *args, **options):
        try:
            with runs.stop_on_sigterm():
                self._handle(**options)
        except runs.Interrupted as exc:
            self.stderr.write(f"import interrupted ({exc}): the run is marked failed")
            sys.exit(EXIT_INTERRUPTED)

    def _handle(self, *, files, dirs, full, since, dry_run, limit, query, **options):
        if files or dirs:
            if full or since or dry_run or limit is not None or query:
                raise CommandError(
                    "--full, --since, --dry-run, --limit and --query are for registry syncs, "
                    "not file imports.",
                    returncode=EXIT_USAGE,
                )
            run = self._import_files(files, dirs)
        else:
            if full and since:
                raise CommandError("give --full or --since, not both", returncode=EXIT_USAGE)
            if limit is not None and limit < 1:
                raise CommandError("--limit must be at least 1", returncode=EXIT_USAGE)
            run = self._sync(full, since, dry_run, limit, dict(query) or None)
        self._report(run)

    def _import_files(self, files, dirs) -> ImportRun:
        try:
            paths = study_files(files=files, dirs=dirs)
        except FileNotFoundError as exc:
            raise CommandError(str(exc), returncode=EXIT_USAGE) from None
        try:
            return import_files(paths=paths)
        except Exception as exc:  # recorded as a failed run; say so in one line
            self.stderr.write(f"import failed: {type(exc).__name__}: {exc}")
            sys.exit(EXIT_FAILED)

    def _sync(self, full, since, dry_run, limit, query) -> ImportRun:
        progress = ProgressReport(self.stderr)
        try:
            return sync.sync_registry(
                full=full,
                since=since,
                dry_run=dry_run,
                limit=limit,
                query=query,
                on_progress=progress,
            )
        except ImportAlreadyRunning as exc:
            self.stderr.write(f"import not started: {exc}")
            sys.exit(EXIT_LOCKED)
        finally:
            progress.close()

    def _report(self, run: ImportRun) -> None:
        for rejection in run.rejections:
            self.stderr.write(
                f"rejected {rejection['nct_id'] or '(no NCT id)'} from {rejection['source']}: "
                f"{rejection['reason']}"
            )
        for error in run.errors:
            self.stderr.write(f"error: {error}")
        extra = ""
        if run.mode == ImportRun.Mode.FULL and not run.dry_run:
            extra += f", flagged missing {run.flagged_missing}"
        if run.watermark:
            extra += f", watermark {run.watermark}"
        dry = " (dry run: nothing written)" if run.dry_run else ""
        self.stdout.write(f"{run.mode} import {run.status}{dry}: {run.summary}{extra}")
        if run.status == ImportRun.Status.FAILED:
            sys.exit(EXIT_FAILED)
        if run.rejected:
            sys.exit(EXIT_REJECTED)
