"""Classifying the next page ahead, in a worker process: what it classifies, and that a fault in
it costs speed, never a record (trials/importing/pipeline.py). The sync's use of it is tested in
test_sync.py."""

import copy
import logging
import threading
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

from evidence.classify import classify_outcome_domain
from evidence.importing.ahead import outcome_domains
from evidence.importing.parse import parse_evidence
from tests.helpers import registry_studies
from trials.classify import classify
from trials.importing.pipeline import (
    Ahead,
    Classifier,
    changed_records,
    classify_records,
    one_page_late,
    prefetched,
)
from trials.registries.ctgov.parse import content_hash, parse_study


@pytest.fixture(scope="module")
def studies():
    return registry_studies()[:6]


def test_the_worker_classifies_as_the_inline_classifier_does(studies):
    pairs = [(content_hash(s), s) for s in studies]

    prepared = classify_records(pairs)

    assert {d: p.classification for d, p in prepared.items()} == {
        d: classify(parse_study(s)) for d, s in pairs
    }


def nct_of(record):
    return record["protocolSection"]["identificationModule"]["nctId"]


def broken(record):
    raise ValueError("a bug in a preparer")


def test_it_runs_each_handlers_preparer_and_a_failing_one_gives_none(studies):
    pairs = [(content_hash(s), s) for s in studies[:2]]

    prepared = classify_records(pairs, (nct_of, None, broken))

    assert [p.for_handlers for p in prepared.values()] == [
        (nct_of(s), None, None) for _d, s in pairs
    ]


def test_the_evidence_domains_prepared_ahead_are_the_ones_the_rebuild_would_classify():
    record = next(s for s in registry_studies() if "resultsSection" in s)

    domains = outcome_domains(record)

    evidence = parse_evidence(record)
    assert len(domains) >= len(evidence.outcome_results) > 0
    for outcome in evidence.registered_outcomes:
        text = (outcome.measure, outcome.description)
        assert domains[text] == classify_outcome_domain(*text)


def test_a_record_that_does_not_parse_is_left_to_the_upsert(studies):
    assert classify_records([("h1", {"not": "a study"}), ("h2", studies[0])]).keys() == {"h2"}


def test_only_records_not_stored_with_the_same_hash_are_sent(studies):
    unchanged, changed, new = studies[0], studies[1], studies[2]
    digests = {id(s): content_hash(s) for s in (unchanged, changed, new)}
    known = {
        parse_study(unchanged).nct_id: content_hash(unchanged),
        parse_study(changed).nct_id: "an older version's hash",
    }

    sent = changed_records([unchanged, changed, new, "not a record"], digests, known)

    assert sent == [(content_hash(changed), changed), (content_hash(new), new)]


def test_the_worker_process_returns_the_same_classifications(studies):
    pairs = [(content_hash(s), s) for s in studies]
    with Classifier(enabled=True) as classifier:
        assert classifier.submit(pairs).result() == classify_records(pairs)


def test_the_worker_runs_preparers_it_imports_without_django(studies):
    pairs = [(content_hash(s), s) for s in studies]
    with Classifier(enabled=True, preparers=(outcome_domains,)) as classifier:
        assert classifier.submit(pairs).result() == classify_records(pairs, (outcome_domains,))


def test_the_worker_leaves_the_warnings_to_the_writer(studies, capfd):
    odd = copy.deepcopy(studies[0])
    odd["protocolSection"]["designModule"]["phases"] = ["PHASE9"]
    with Classifier(enabled=True) as classifier:
        assert classifier.submit([(content_hash(odd), odd)]).result()

    assert "PHASE9" not in capfd.readouterr().err


def test_when_disabled_no_worker_starts_and_everything_is_classified_inline(studies):
    with Classifier(enabled=False) as classifier:
        assert classifier.submit([(content_hash(s), s) for s in studies]).result() == {}
        assert classifier._pool is None


def test_nothing_to_classify_starts_no_worker():
    with Classifier(enabled=True) as classifier:
        assert classifier.submit([]).result() == {}
        assert classifier._pool is None


def test_a_dead_worker_means_inline_classification_with_a_warning(caplog):
    broken = Future()
    broken.set_exception(BrokenProcessPool("the worker died"))

    with caplog.at_level(logging.WARNING, logger="trials.importing.pipeline"):
        assert Ahead(broken).result() == {}

    assert "classifying inline" in caplog.text


def test_after_a_failure_the_run_classifies_inline_and_sends_the_worker_nothing(studies):
    pairs = [(content_hash(s), s) for s in studies]
    broken = Future()
    broken.set_exception(BrokenProcessPool("the worker died"))
    with Classifier(enabled=True) as classifier:
        classifier.submit(pairs).result()  # starts the worker
        Ahead(broken, on_failure=classifier.give_up).result()

        assert classifier.submit(pairs).result() == {}
        assert classifier._pool is None


def started(page):
    done = Future()
    done.set_result({"started": page})
    return Ahead(done)


def test_pages_come_one_late_and_only_later_pages_are_classified_ahead():
    calls = []

    def start(page):
        calls.append(page)
        return started(page)

    out = [(page, ahead.result()) for page, ahead in one_page_late(iter("abc"), start)]

    assert out == [("a", {}), ("b", {"started": "b"}), ("c", {"started": "c"})]
    assert calls == ["b", "c"]


def test_a_page_received_before_a_fetch_fails_is_still_handed_over():
    def pages():
        yield "a"
        yield "b"
        raise ConnectionError("page 3 failed")

    handed = []
    with pytest.raises(ConnectionError, match="page 3 failed"):
        for page, _ahead in one_page_late(pages(), started):
            handed.append(page)

    assert handed == ["a", "b"]


def test_no_page_is_fetched_after_the_reader_stops():
    fetched = []

    def pages():
        for page in "abcd":
            fetched.append(page)
            yield page

    for page, _ahead in one_page_late(pages(), started):
        if page == "b":
            break

    assert fetched == ["a", "b", "c"]  # c was fetched ahead to classify it, d never


def test_prefetching_fetches_the_next_item_while_the_reader_works_on_this_one():
    second_fetched = threading.Event()

    def pages():
        yield "a"
        second_fetched.set()
        yield "b"

    reader = prefetched(pages())
    assert next(reader) == "a"
    assert second_fetched.wait(timeout=5)  # fetched while the reader still holds "a"
    assert list(reader) == ["b"]


def test_prefetching_hands_over_every_item_then_the_error_that_ended_the_iteration():
    def pages():
        yield "a"
        yield "b"
        raise ConnectionError("page 3 failed")

    received = []
    with pytest.raises(ConnectionError, match="page 3 failed"):
        for page in prefetched(pages()):
            received.append(page)

    assert received == ["a", "b"]


def test_prefetching_stops_soon_after_the_reader_stops():
    fetched = []
    finished = threading.Event()

    def pages():
        try:
            for page in "abcdefgh":
                fetched.append(page)
                yield page
        finally:
            finished.set()

    reader = prefetched(pages())
    assert next(reader) == "a"
    reader.close()

    assert finished.wait(timeout=5)
    assert fetched == ["a", "b"]  # "b" was fetched ahead; nothing after it
