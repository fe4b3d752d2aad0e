"""Classifying the next page ahead, in a worker process: what it classifies, and that a fault in
it costs speed, never a record (trials/classify_ahead.py). The sync's use of it is tested in
test_sync.py."""

import logging
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

from tests.trials.test_sync import registry_studies
from trials.classify_ahead import Ahead, Classifier, classify_changed, one_page_late
from trials.ctgov.classify import classify
from trials.ctgov.parse import content_hash, parse_study


@pytest.fixture(scope="module")
def studies():
    return registry_studies()[:6]


def test_it_classifies_each_changed_record_as_the_inline_classifier_does(studies):
    classified = classify_changed(studies, known={})

    assert classified == {content_hash(s): classify(parse_study(s)) for s in studies}


def test_it_skips_records_stored_unchanged_and_records_that_do_not_parse(studies):
    unchanged, changed = studies[0], studies[1]
    stored = {parse_study(unchanged).nct_id: content_hash(unchanged)}
    stored[parse_study(changed).nct_id] = "an older version's hash"

    classified = classify_changed([unchanged, changed, {"not": "a study"}], known=stored)

    assert list(classified) == [content_hash(changed)]


def test_the_worker_process_returns_the_same_classifications(studies):
    with Classifier(enabled=True) as classifier:
        ahead = classifier.submit(studies, known={})
        assert ahead.result() == classify_changed(studies, known={})


def test_when_disabled_no_worker_starts_and_everything_is_classified_inline(studies):
    with Classifier(enabled=False) as classifier:
        assert classifier.submit(studies, known={}).result() == {}
        assert classifier._pool is None


def test_a_dead_worker_means_inline_classification_with_a_warning(caplog):
    broken = Future()
    broken.set_exception(BrokenProcessPool("the worker died"))

    with caplog.at_level(logging.WARNING, logger="trials.classify_ahead"):
        assert Ahead(broken).result() == {}

    assert "classifying inline" in caplog.text


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
