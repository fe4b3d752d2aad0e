"""Runs that die: a run left `running` by a dead process is marked by the next one; SIGTERM ends a
run cleanly; killed with SIGTERM or SIGKILL, a real sync leaves no process and consistent data."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tests.helpers import registry_studies
from trials.importing import runs, sync, upsert
from trials.models import ImportRun, Trial
from trials.registries.ctgov.client import RegistryClient

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_SIZE = 5


@pytest.fixture
def registry(fake_registry):
    return fake_registry(registry_studies())


@pytest.fixture
def run_sync(registry, fake_clock):
    def run(**options):
        client = RegistryClient(
            base_url=registry.url, timeout=5, min_interval=0, sleep=fake_clock.sleep
        )
        options.setdefault("page_size", PAGE_SIZE)
        return sync.sync_registry(client=client, **options)

    return run


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_next_sync_marks_a_sync_left_running_by_a_dead_process(run_sync):
    before = timezone.now()
    dead = ImportRun.objects.create(
        mode="incremental", status="running", started_at=before, pid=dead_pid(), host="old-host"
    )

    run = run_sync()

    dead.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED
    assert dead.errors[-1].startswith("interrupted: its process ended without finishing the run")
    assert f"process {dead.pid} on old-host" in dead.errors[-1]
    assert before <= dead.finished_at <= run.started_at
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.pid, run.host) == (os.getpid(), socket.gethostname())


def test_an_interrupted_sync_is_marked_with_the_pages_it_committed_and_frees_the_lock(run_sync):
    def stop_after_the_second_page(progress):
        if progress.page == 2:
            raise runs.Interrupted("SIGTERM")

    with pytest.raises(runs.Interrupted):
        run_sync(on_progress=stop_after_the_second_page)

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert run.errors == ["interrupted: SIGTERM"]
    assert run.received == run.created == Trial.objects.count() == 2 * PAGE_SIZE
    assert run_sync().status == ImportRun.Status.SUCCEEDED  # the lock was released
    assert Trial.objects.count() == 42


def test_an_interrupted_file_import_is_marked(monkeypatch, tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(registry_studies()[0]))
    (tmp_path / "b.json").write_text(json.dumps(registry_studies()[1]))
    real_batch = upsert.import_batch
    batches = []

    def interrupted_after_one_batch(**kwargs):
        if batches:
            raise runs.Interrupted("SIGTERM")
        batches.append(real_batch(**kwargs))

    monkeypatch.setattr(upsert, "import_batch", interrupted_after_one_batch)

    with pytest.raises(runs.Interrupted):
        upsert.import_files(paths=sorted(tmp_path.glob("*.json")), batch_size=1)

    run = ImportRun.objects.get()
    assert (run.status, run.errors, run.created) == ("failed", ["interrupted: SIGTERM"], 1)


def test_sigterm_outside_a_transaction_interrupts_at_once():
    previous = signal.getsignal(signal.SIGTERM)
    started = time.monotonic()
    with pytest.raises(runs.Interrupted), runs.stop_on_sigterm():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    assert time.monotonic() - started < 2
    assert signal.getsignal(signal.SIGTERM) is previous


def test_sigterm_during_a_transaction_waits_for_its_commit():
    with pytest.raises(runs.Interrupted), runs.stop_on_sigterm():
        with transaction.atomic():
            ImportRun.objects.create(mode="file", started_at=timezone.now())
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.3)  # the handler runs, and defers
            ImportRun.objects.create(mode="file", started_at=timezone.now())
        time.sleep(5)  # interrupted here, right after the commit

    assert ImportRun.objects.count() == 2


# -- a real sync process, killed ---------------------------------------------------------------


class SyncDatabase:
    """The database a `manage.py` subprocess uses: on PostgreSQL the test database itself; on
    SQLite (whose test database lives in this process's memory) a migrated file of its own."""

    def __init__(self, tmp_path: Path):
        self.env = {"PATH": os.environ["PATH"], "DEBUG": "1", "SECRET_KEY": "test-only"}
        self.sqlite = None
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
            url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            self.env["DATABASE_URL"] = url
        else:
            self.sqlite = tmp_path / "db.sqlite3"
            self.env["DATABASE_URL"] = f"sqlite:///{self.sqlite}"
            self.manage("migrate", "--noinput", "-v0").check_returncode()

    def rows(self, sql: str) -> list[tuple]:
        if self.sqlite is None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        with sqlite3.connect(self.sqlite) as db:
            return db.execute(sql).fetchall()

    def runs(self) -> list[dict]:
        rows = self.rows(
            "SELECT id, status, received, created, errors FROM trials_importrun ORDER BY id"
        )
        return [
            {
                "id": pk,
                "status": status,
                "received": received,
                "created": created,
                "errors": json.loads(errors) if isinstance(errors, str) else errors,
            }
            for pk, status, received, created, errors in rows
        ]

    def trials(self) -> int:
        return self.rows("SELECT count(*) FROM trials_trial")[0][0]

    def command(self, *args: str, registry, **popen) -> subprocess.Popen:
        env = {
            **self.env,
            "CTGOV_API_URL": registry.url,
            "CTGOV_MIN_INTERVAL": "0",
            "CTGOV_PAGE_SIZE": str(PAGE_SIZE),
            "CTGOV_TIMEOUT": "60",
            "CTGOV_CLASSIFY_AHEAD": "1",
        }
        return subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, **popen
        )

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def children(pid: int) -> dict[int, str]:
    """pid → command line of the live processes whose parent is `pid`."""
    found = {}
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rpartition(")")[2].split()
            cmdline = (stat_path.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(stat_path.parent.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_sync_killed_mid_run_is_marked_leaves_no_process_and_keeps_consistent_data(
    registry, tmp_path, signum
):
    database = SyncDatabase(tmp_path)
    # Page 3 hangs: page 1 is written, page 2 is classified in the worker and waits for it.
    registry.fail(page=3, hang=60)
    log = (tmp_path / "sync.log").open("w")
    sync_process = database.command("import_trials", registry=registry, stdout=log, stderr=log)
    try:
        helpers = wait_for(
            lambda: (found := children(sync_process.pid)) and len(found) >= 2 and found,
            timeout=90,
            what="the classify worker and the resource tracker",
        )
        assert any("spawn_main" in cmd for cmd in helpers.values()), helpers
        assert any("resource_tracker" in cmd for cmd in helpers.values()), helpers
        wait_for(
            lambda: database.runs() and database.runs()[-1]["received"] >= PAGE_SIZE,
            timeout=60,
            what="the first page to be committed",
        )

        sync_process.send_signal(signum)
        code = sync_process.wait(timeout=30)
    finally:
        if sync_process.poll() is None:
            sync_process.kill()
        log.close()

    output = (tmp_path / "sync.log").read_text()
    wait_for(lambda: not any(alive(pid) for pid in helpers), timeout=15, what="no orphans")
    [killed] = database.runs()
    assert killed["received"] == killed["created"] == database.trials() == PAGE_SIZE
    if signum == signal.SIGTERM:
        assert code == runs.EXIT_INTERRUPTED, output
        assert "import interrupted (SIGTERM): the run is marked failed" in output
        assert killed["status"] == "failed"
        assert killed["errors"] == ["interrupted: SIGTERM"]
    else:
        assert code == -signal.SIGKILL
        assert killed["status"] == "running"  # nothing could say otherwise
        health = database.manage("import_health")
        assert health.returncode == 1
        assert f"marked full import run #{killed['id']} failed: interrupted" in health.stderr
        assert f"last registry sync #{killed['id']} failed" in health.stderr
        assert database.runs()[0]["status"] == "failed"

    registry.clear_faults()
    again = database.command("import_trials", registry=registry, stdout=subprocess.DEVNULL)
    assert again.wait(timeout=120) == 0  # the lock was released
    assert database.trials() == 42
    assert [r["status"] for r in database.runs()] == ["failed", "succeeded"]
