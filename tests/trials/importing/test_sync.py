"""The registry sync against a local fake registry: paging, faults, watermark, locking, truth.

Real bundled records are served by tests/fakeregistry.py (a real HTTP server on 127.0.0.1); the
client's sleeps go to a fake clock so retries and rate limits cost no real time.
"""

import copy
import threading
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta

import pytest
from django.core.management import call_command

from evidence.importing import build as evidence_build
from evidence.models import OutcomeMeasure, RegisteredOutcome
from tests.helpers import database_content, registry_studies
from trials.curating.services import curate
from trials.importing import lock, plan, sync
from trials.importing.pipeline import Ahead, Classifier
from trials.models import AutoLabel, ImportRun, Trial
from trials.registries.ctgov.client import RegistryClient

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_SIZE = 5


def last_update(study: dict) -> str:
    return study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]


@pytest.fixture
def registry(fake_registry):
    return fake_registry(registry_studies())


@pytest.fixture
def run_sync(registry, fake_clock):
    def run(**options):
        client = RegistryClient(
            base_url=registry.url,
            timeout=0.5,
            max_retries=3,
            backoff_base=1.0,
            min_interval=0,
            sleep=fake_clock.sleep,
            clock=fake_clock.now,
        )
        options.setdefault("page_size", PAGE_SIZE)
        return sync.sync_registry(client=client, **options)

    return run


def test_a_first_run_is_full_and_walks_every_page(registry, run_sync):
    run = run_sync()

    assert run.mode == ImportRun.Mode.FULL
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.received, run.created, run.rejected) == (42, 42, 0)
    assert Trial.objects.count() == 42
    pages = [r for r in registry.requests if r.path == "/studies"]
    assert len(pages) == 9  # 42 studies in pages of 5
    assert all("filter.advanced" not in r.params for r in pages)
    assert str(run.watermark) == max(last_update(s) for s in registry.studies)


def test_the_next_run_is_incremental_from_the_watermark_minus_the_overlap(
    registry, run_sync, settings
):
    settings.CTGOV_SYNC_OVERLAP_DAYS = 2
    first = run_sync()
    changed = copy.deepcopy(registry.studies[0])
    changed["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2024-03-01"
    changed["protocolSection"]["statusModule"]["overallStatus"] = "TERMINATED"
    registry.studies[0] = changed
    registry.requests.clear()

    second = run_sync()

    assert second.mode == ImportRun.Mode.INCREMENTAL
    assert second.since == first.watermark - timedelta(days=2)
    assert registry.requests[0].params["filter.advanced"] == (
        f"AREA[LastUpdatePostDate]RANGE[{second.since.isoformat()},MAX]"
    )
    in_window = [s for s in registry.studies if last_update(s) >= second.since.isoformat()]
    assert len(in_window) >= 2  # the changed study and the overlap's re-read
    assert (second.received, second.updated, second.unchanged) == (
        len(in_window),
        1,
        len(in_window) - 1,
    )
    nct_id = changed["protocolSection"]["identificationModule"]["nctId"]
    assert Trial.objects.get(nct_id=nct_id).overall_status == "TERMINATED"
    assert str(second.watermark) == "2024-03-01"


def test_retryable_faults_are_survived_and_the_run_tells_the_truth(registry, run_sync, fake_clock):
    registry.fail(page=2, status=429, retry_after=7)
    registry.fail(page=3, status=500, times=2)
    registry.fail(page=4, hang=1.0)  # past the client's 0.5 s timeout
    registry.fail(page=5, truncate=True)

    run = run_sync()

    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.received, run.created) == (42, 42)
    assert 7 in fake_clock.sleeps  # Retry-After honoured


def test_a_malformed_study_is_rejected_the_rest_imported_and_the_watermark_holds(
    registry, run_sync
):
    good = run_sync()
    registry.fail(page=2, malformed_study=True)

    run = run_sync(full=True)

    assert run.status == ImportRun.Status.PARTIAL
    assert run.rejected == 1
    assert run.rejections[0]["reason"].startswith("no NCT id")
    assert run.received == 42
    assert sync.last_successful_watermark() == good.watermark


def test_a_page_that_fails_for_good_keeps_earlier_pages_and_the_next_run_catches_up(
    registry, run_sync
):
    registry.fail(page=3, status=503, permanent=True)

    failed = run_sync()

    assert failed.status == ImportRun.Status.FAILED
    assert failed.received == 2 * PAGE_SIZE  # pages 1 and 2 committed
    assert Trial.objects.count() == 2 * PAGE_SIZE
    assert "503" in failed.errors[-1]
    assert failed.watermark is None
    assert sync.last_successful_watermark() is None

    registry.clear_faults()
    caught_up = run_sync()

    assert caught_up.mode == ImportRun.Mode.FULL  # no successful run yet: everything again
    assert caught_up.status == ImportRun.Status.SUCCEEDED
    assert Trial.objects.count() == 42


def test_an_expired_page_token_restarts_the_walk(registry, run_sync):
    registry.fail(page=4, token_expired=True)

    run = run_sync()

    assert run.status == ImportRun.Status.SUCCEEDED
    assert Trial.objects.count() == 42
    assert any("restarted the walk" in e for e in run.errors)


def test_importing_twice_leaves_the_database_content_identical(run_sync):
    run_sync(full=True)
    before = database_content()

    again = run_sync(full=True)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 42)
    assert database_content() == before


def labels_by_trial():
    """Every trial's automatic labels and effective values, without ids or timestamps."""
    rows = AutoLabel.objects.order_by("trial__nct_id", "field", "arm", "value")
    labels = list(
        rows.values_list(
            "trial__nct_id", "field", "arm", "value", "phrase", "source", "confidence", "accepted"
        )
    )
    trials = list(
        Trial.objects.order_by("nct_id").values_list(
            "nct_id", "auto_is_cell_therapy", "auto_donor", "is_cell_therapy", "donor", "excluded"
        )
    )
    domains = [
        list(
            model.objects.order_by("trial__nct_id", "measure_key", "pk").values_list(
                "trial__nct_id",
                "measure_key",
                "domain",
                "auto_domain",
                "domain_phrase",
                "domain_confidence",
            )
        )
        for model in (RegisteredOutcome, OutcomeMeasure)
    ]
    return labels, trials, domains


def test_pages_after_the_first_are_classified_in_a_worker_with_the_same_result(
    run_sync, settings, monkeypatch
):
    inline_calls, inline_domains = [], []
    inline = plan.classify
    monkeypatch.setattr(plan, "classify", lambda study: inline_calls.append(study) or inline(study))
    domain_of = evidence_build.classify_outcome_domain
    monkeypatch.setattr(
        evidence_build,
        "classify_outcome_domain",
        lambda *text: inline_domains.append(text) or domain_of(*text),
    )
    settings.CTGOV_CLASSIFY_AHEAD = False
    run_sync()
    assert len(inline_calls) == 42
    in_one_process = labels_by_trial()
    domains_in_one_process = len(inline_domains)
    Trial.objects.all().delete()
    inline_calls.clear()
    inline_domains.clear()

    settings.CTGOV_CLASSIFY_AHEAD = True
    run = run_sync(full=True)

    assert run.created == 42
    assert len(inline_calls) == PAGE_SIZE  # only the first page was classified here
    assert len(inline_domains) < domains_in_one_process / 2  # the evidence's domains too
    assert labels_by_trial() == in_one_process


def test_an_unchanged_re_import_sends_nothing_to_the_worker(run_sync, monkeypatch):
    run_sync()
    sent = []
    submit = Classifier.submit
    monkeypatch.setattr(
        Classifier,
        "submit",
        lambda self, records: sent.append(len(records)) or submit(self, records),
    )

    again = run_sync(full=True)

    assert again.unchanged == 42
    assert sent and set(sent) == {0}


def test_a_worker_that_fails_costs_no_record(run_sync, monkeypatch):
    dead = Future()
    dead.set_exception(BrokenProcessPool("the worker died"))
    monkeypatch.setattr(Classifier, "submit", lambda self, records: Ahead(dead))

    run = run_sync()

    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.received, run.created) == (42, 42)


def test_a_full_run_flags_trials_it_no_longer_finds_and_never_deletes_them(registry, run_sync):
    run_sync(full=True)
    gone = registry.studies.pop()
    gone_id = gone["protocolSection"]["identificationModule"]["nctId"]

    run = run_sync(full=True)

    assert run.flagged_missing == 1
    trial = Trial.objects.get(nct_id=gone_id)
    assert trial.missing_since is not None

    registry.studies.append(gone)
    run_sync(full=True)
    trial.refresh_from_db()
    assert trial.missing_since is None
    listed = trial.changes.filter(field="in_registry").order_by("at", "pk")
    assert list(listed.values_list("new_value", flat=True)) == [False, True]


def test_curated_values_survive_full_and_incremental_runs(registry, run_sync):
    run_sync()
    trial = Trial.objects.get(nct_id="NCT03280056")
    curate(trial=trial, field_name="routes", value=["intramuscular"], note="test", curator_name="t")
    index = next(
        i
        for i, s in enumerate(registry.studies)
        if s["protocolSection"]["identificationModule"]["nctId"] == "NCT03280056"
    )
    changed = copy.deepcopy(registry.studies[index])
    changed["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2025-01-01"
    changed["protocolSection"]["descriptionModule"]["briefSummary"] += " Intravenous booster."
    registry.studies[index] = changed

    incremental = run_sync()
    full = run_sync(full=True)

    assert incremental.mode == ImportRun.Mode.INCREMENTAL and incremental.updated == 1
    assert full.mode == ImportRun.Mode.FULL
    trial.refresh_from_db()
    assert trial.facet_values("routes") == ["intramuscular"]
    assert trial.curations.count() == 1


def test_a_dry_run_writes_nothing_and_keeps_the_watermark(run_sync):
    run = run_sync(dry_run=True)

    assert run.dry_run and run.status == ImportRun.Status.SUCCEEDED
    assert run.created == 42
    assert Trial.objects.count() == 0
    assert run.watermark is None


def test_a_limited_run_stops_early_and_does_not_move_the_watermark(registry, run_sync):
    run = run_sync(limit=7)

    assert run.received == 7
    assert Trial.objects.count() == 7
    assert run.watermark is None
    assert len([r for r in registry.requests if r.path == "/studies"]) == 2  # none past the limit


def test_a_second_import_is_refused_while_one_runs(run_sync):
    holding = threading.Event()
    release = threading.Event()

    def hold_lock():
        from django.db import connection

        try:
            with lock.import_lock():
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold_lock)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(lock.ImportAlreadyRunning):
            run_sync()
    finally:
        release.set()
        thread.join()
    assert ImportRun.objects.count() == 0
    assert run_sync().status == ImportRun.Status.SUCCEEDED


def command(registry, settings, *args):
    settings.CTGOV_API_URL = registry.url
    settings.CTGOV_MIN_INTERVAL = 0
    settings.CTGOV_BACKOFF_BASE = 0.01
    settings.CTGOV_BACKOFF_MAX = 0.02
    settings.CTGOV_MAX_RETRIES = 2
    settings.CTGOV_PAGE_SIZE = 10
    try:
        call_command("import_trials", *args)
    except SystemExit as exc:
        return exc.code
    return 0


def test_the_command_exits_0_after_a_successful_sync(registry, settings, capsys):
    assert command(registry, settings) == 0
    out = capsys.readouterr().out
    assert "full import succeeded: received 42, created 42" in out
    assert "watermark" in out


def test_the_command_exits_3_when_the_registry_fails_for_good(registry, settings, capsys):
    registry.fail(page=2, status=503, permanent=True)

    assert command(registry, settings) == 3
    captured = capsys.readouterr()
    assert "full import failed" in captured.out
    assert "503" in captured.err


def test_the_command_exits_1_when_records_were_rejected(registry, settings):
    registry.fail(page=1, malformed_study=True)

    assert command(registry, settings) == 1


def test_the_command_rejects_contradictory_options(registry, settings):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--full or --since"):
        command(registry, settings, "--full", "--since", "2024-01-01")
    with pytest.raises(CommandError, match="use YYYY-MM-DD"):
        command(registry, settings, "--since", "yesterday")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "'yesterday': use YYYY-MM-DD"),
        (["--query", "ALS"], "'ALS': use KEY=VALUE"),
        (["--limit", "many"], "invalid int value"),
    ],
)
def test_bad_options_on_the_command_line_are_a_usage_error_not_a_stack_trace(args, message):
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [sys.executable, "manage.py", "import_trials", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1"},
    )

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
