"""Is the registry data fresh? One verdict for the `import_health` command (monitoring) and the
stale-data warning of the home page (templates/trials/_import_health.html).

Only registry syncs count (full or incremental, not dry runs): a file import is not news from
the registry. A run that rejected some records (partial) still refreshed the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from trials.models import ImportRun

REFRESHED = (ImportRun.Status.SUCCEEDED, ImportRun.Status.PARTIAL)


@dataclass(frozen=True)
class ImportHealth:
    healthy: bool
    stale: bool  # no refresh within the allowed age (or never)
    last_failed: bool  # the latest finished sync failed
    message: str  # one line saying which, and since when
    last_refreshed_at: datetime | None
    max_age: timedelta


def assess(
    *,
    last_finished: ImportRun | None,
    last_refresh: ImportRun | None,
    now: datetime,
    max_age: timedelta,
) -> ImportHealth:
    """The verdict from the latest finished sync and the latest one that refreshed the data."""
    refreshed_at = last_refresh.finished_at if last_refresh else None
    stale = refreshed_at is None or now - refreshed_at > max_age
    failed = last_finished is not None and last_finished.status == ImportRun.Status.FAILED
    hours = max_age.total_seconds() / 3600
    if refreshed_at is None:
        message = "no registry sync has succeeded yet"
    else:
        message = (
            f"last successful registry sync {last_refresh.mode} #{last_refresh.pk} finished "
            f"{refreshed_at:%Y-%m-%d %H:%M} UTC ({_age(now - refreshed_at)} ago"
        )
        message += f", more than {hours:g} hours)" if stale else ")"
    if failed:
        error = last_finished.errors[-1] if last_finished.errors else "no error recorded"
        message = (
            f"last registry sync #{last_finished.pk} failed at "
            f"{last_finished.finished_at:%Y-%m-%d %H:%M} UTC: {error}; {message}"
        )
    healthy = not stale and not failed
    return ImportHealth(
        healthy=healthy,
        stale=stale,
        last_failed=failed,
        message=f"import {'healthy' if healthy else 'unhealthy'}: {message}",
        last_refreshed_at=refreshed_at,
        max_age=max_age,
    )


def import_health(*, max_age_hours: float | None = None, now: datetime | None = None):
    """The verdict for the database, allowing `max_age_hours` (default IMPORT_MAX_AGE_HOURS)."""
    if max_age_hours is None:
        max_age_hours = settings.IMPORT_MAX_AGE_HOURS
    syncs = ImportRun.objects.filter(
        mode__in=[ImportRun.Mode.FULL, ImportRun.Mode.INCREMENTAL],
        dry_run=False,
        finished_at__isnull=False,
    ).order_by("-finished_at", "-pk")
    return assess(
        last_finished=syncs.first(),
        last_refresh=syncs.filter(status__in=REFRESHED).first(),
        now=now or timezone.now(),
        max_age=timedelta(hours=max_age_hours),
    )


def import_health_context() -> dict:
    """Context for templates/trials/_import_health.html (the home page's stale-data warning)."""
    return {"import_health": import_health()}


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 48:
        return f"{hours:.0f} hours"
    return f"{hours / 24:.0f} days"
