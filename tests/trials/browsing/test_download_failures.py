"""Issue 14: a download checks everything it can before its 200, and a failure part way through
is visible to the client (a truncated body must never pass for a complete one)."""

import json

import pytest
from django.test import Client

from trials.browsing import exports

pytestmark = pytest.mark.django_db


def read_until_failure(response) -> tuple[str, Exception | None]:
    chunks = []
    try:
        for chunk in response.streaming_content:
            chunks.append(chunk.decode())
    except Exception as exc:  # noqa: BLE001 -- the test looks at what the client got first
        return "".join(chunks), exc
    return "".join(chunks), None


def failing_on_row(monkeypatch, number: int):
    real = exports.trial_row
    calls = []

    def trial_row(trial):
        calls.append(trial)
        if len(calls) == number:
            raise RuntimeError("the database went away")
        return real(trial)

    monkeypatch.setattr(exports, "trial_row", trial_row)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_download_that_cannot_start_is_a_500_not_a_truncated_200(snapshot, monkeypatch, fmt):
    failing_on_row(monkeypatch, 1)

    response = Client(raise_request_exception=False).get(f"/trials/export.{fmt}")

    assert response.status_code == 500


def test_a_csv_download_that_fails_part_way_ends_with_the_failure_line(snapshot, monkeypatch):
    failing_on_row(monkeypatch, 3)

    response = Client().get("/trials/export.csv")
    body, error = read_until_failure(response)

    assert response.status_code == 200
    assert isinstance(error, RuntimeError)  # raised again: the server aborts the connection
    lines = body.splitlines()
    assert len(lines) == 1 + 2 + 2  # the header, two rows, a blank line and the failure line
    assert lines[-1] == exports.FAILED_CSV_LINE.strip()


def test_a_json_download_that_fails_part_way_is_no_valid_json(snapshot, monkeypatch):
    failing_on_row(monkeypatch, 3)

    body, error = read_until_failure(Client().get("/trials/export.json"))

    assert isinstance(error, RuntimeError)
    assert '"export_failed"' in body.splitlines()[-1]
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_a_complete_download_has_no_failure_line(client, snapshot):
    body, error = read_until_failure(client.get("/trials/export.csv"))

    assert error is None
    assert "#export-failed" not in body
    assert len(body.splitlines()) == 1 + 41
