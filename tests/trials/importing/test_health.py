"""Import health: `import_health` fails with one line when the last registry sync failed or the
last successful one is too old, and the home page partial warns when the data is stale."""

import contextlib
import io
import os
import socket
import subprocess
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.utils import timezone

from trials.importing import health
from trials.importing.lock import import_lock, lock_is_held
from trials.models import ImportRun

pytestmark = pytest.mark.django_db


def run(hours_ago: float, status="succeeded", mode="incremental", **fields) -> ImportRun:
    finished = timezone.now() - timedelta(hours=hours_ago)
    return ImportRun.objects.create(
        mode=mode,
        status=status,
        started_at=finished - timedelta(minutes=5),
        finished_at=finished,
        **fields,
    )


def check(*args) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `import_health`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_health", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_info:
        code = exit_info.code
    return code, out.getvalue(), err.getvalue()


def test_a_recent_successful_sync_is_healthy():
    run(hours_ago=5, mode="full")

    code, out, err = check()

    assert code == 0
    assert out.startswith("import healthy: last successful registry sync full #")
    assert out.count("\n") == 1 and err == ""


def test_a_sync_with_rejected_records_still_refreshed_the_data():
    run(hours_ago=5, status="partial")

    assert check()[0] == 0


def test_a_failed_last_sync_is_unhealthy_with_its_error_in_one_line():
    run(hours_ago=30)
    run(hours_ago=2, status="failed", errors=["RegistryUnavailable: 503 after 5 attempts"])

    code, out, err = check()

    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "import unhealthy: last registry sync #" in err
    assert "failed" in err and "RegistryUnavailable: 503 after 5 attempts" in err


def test_a_successful_sync_older_than_the_allowed_age_is_unhealthy():
    run(hours_ago=40)

    code, _out, err = check()

    assert code == 1
    assert "(40 hours ago, more than 36 hours)" in err


def test_the_allowed_age_is_an_option():
    run(hours_ago=40)

    assert check("--max-age-hours", "48")[0] == 0
    assert check("--max-age-hours", "24")[0] == 1


def test_the_allowed_age_must_be_positive():
    with pytest.raises(CommandError, match="positive"):
        call_command("import_health", "--max-age-hours", "0")


def test_no_sync_at_all_is_unhealthy():
    code, _out, err = check()

    assert code == 1
    assert err == "import unhealthy: no registry sync has succeeded yet\n"


def test_file_imports_and_dry_runs_are_not_registry_syncs():
    run(hours_ago=1, mode="file")
    run(hours_ago=1, mode="incremental", dry_run=True)

    assert check()[0] == 1


@contextlib.contextmanager
def lock_held_by_another_process():
    """A sync alive elsewhere: the import lock held from another connection (another thread)."""
    holding, release = threading.Event(), threading.Event()

    def hold():
        from django.db import connection

        try:
            with import_lock():
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        yield
    finally:
        release.set()
        thread.join()


def test_a_run_still_running_does_not_hide_the_last_failure():
    run(hours_ago=3, status="failed", errors=["boom"])
    live = ImportRun.objects.create(mode="incremental", status="running", started_at=timezone.now())

    with lock_held_by_another_process():
        code, _out, err = check()

    assert code == 1 and "boom" in err
    live.refresh_from_db()
    assert live.status == ImportRun.Status.RUNNING  # its process holds the lock: alive


def test_the_lock_probe_sees_a_lock_held_elsewhere_and_leaves_it_free():
    assert not lock_is_held()
    with lock_held_by_another_process():
        assert lock_is_held()
    assert not lock_is_held()
    with import_lock():  # asking left nothing held
        pass


def test_a_sync_killed_after_a_success_is_marked_and_reported_unhealthy():
    run(hours_ago=5, mode="full")
    killed = ImportRun.objects.create(
        mode="incremental", status="running", started_at=timezone.now(), pid=123, host="gone"
    )

    code, _out, err = check()

    assert code == 1
    assert f"marked incremental import run #{killed.pk} failed: interrupted" in err
    assert f"import unhealthy: last registry sync #{killed.pk} failed at" in err
    assert "process 123 on gone" in err
    killed.refresh_from_db()
    assert killed.status == ImportRun.Status.FAILED and killed.finished_at is not None
    assert killed.errors[-1].startswith("interrupted: its process ended")
    assert check()[2].count("marked") == 0  # marked once; still reported
    assert "interrupted" in check()[2]


def test_a_file_import_whose_process_is_gone_is_marked_and_a_live_or_foreign_one_left():
    host = socket.gethostname()
    dead_pid = _pid_of_a_finished_process()
    dead = ImportRun.objects.create(
        mode="file", status="running", started_at=timezone.now(), pid=dead_pid, host=host
    )
    alive = ImportRun.objects.create(
        mode="file", status="running", started_at=timezone.now(), pid=os.getpid(), host=host
    )
    foreign = ImportRun.objects.create(
        mode="file", status="running", started_at=timezone.now(), pid=dead_pid, host="elsewhere"
    )
    run(hours_ago=1)

    code, _out, err = check()

    assert code == 0  # file imports are not registry syncs: still healthy, but said
    assert f"marked file import run #{dead.pk} failed: interrupted" in err
    statuses = dict(ImportRun.objects.values_list("pk", "status"))
    assert statuses[dead.pk] == "failed"
    assert statuses[alive.pk] == statuses[foreign.pk] == "running"


def _pid_of_a_finished_process() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_assess_is_stale_exactly_past_the_allowed_age():
    now = timezone.now()
    refresh = ImportRun(
        pk=1, mode="full", status="succeeded", finished_at=now - timedelta(hours=36)
    )

    at_limit = health.assess(
        last_finished=refresh, last_refresh=refresh, now=now, max_age=timedelta(hours=36)
    )
    past_limit = health.assess(
        last_finished=refresh,
        last_refresh=refresh,
        now=now + timedelta(seconds=1),
        max_age=timedelta(hours=36),
    )

    assert (at_limit.healthy, past_limit.healthy) == (True, False)


def test_the_home_page_partial_warns_only_when_the_data_is_stale(settings):
    settings.IMPORT_MAX_AGE_HOURS = 36
    never = render_to_string("trials/_import_health.html", health.import_health_context())
    run(hours_ago=50)
    stale = render_to_string("trials/_import_health.html", health.import_health_context())
    run(hours_ago=1)
    fresh = render_to_string("trials/_import_health.html", health.import_health_context())

    assert "has not been refreshed from ClinicalTrials.gov yet" in never
    assert "may be out of date" in stale and "last refreshed from ClinicalTrials.gov on" in stale
    assert fresh.strip() == ""
