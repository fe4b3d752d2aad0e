"""Monitoring for the nightly import: exit 0 when the registry data is fresh, 1 when the last
registry sync failed or the last successful one is older than --max-age-hours (one line says
which). Run it from cron or a systemd timer after the nightly import (see deploy/).

First it marks failed (interrupted) the runs left `running` by processes that died
(trials.importing.runs), so a sync killed after a success is reported, not hidden."""

import sys

from django.core.management.base import BaseCommand, CommandError

from trials.importing import health, runs

EXIT_UNHEALTHY = 1


class Command(BaseCommand):
    help = (
        "Check the nightly registry import: exit 1 with one line when the last sync failed or "
        "the last successful one is too old, else 0."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age-hours",
            type=float,
            default=None,
            metavar="HOURS",
            help="How old the last successful sync may be (default: IMPORT_MAX_AGE_HOURS, 36).",
        )

    def handle(self, *args, max_age_hours, **options):
        if max_age_hours is not None and max_age_hours <= 0:
            raise CommandError("--max-age-hours must be positive")
        for run in runs.close_dead_runs():
            self.stderr.write(f"marked {run.mode} import run #{run.pk} failed: {run.errors[-1]}")
        verdict = health.import_health(max_age_hours=max_age_hours)
        if verdict.healthy:
            self.stdout.write(verdict.message)
            return
        self.stderr.write(verdict.message)
        sys.exit(EXIT_UNHEALTHY)
