"""Reading registry records from files: what a file holds, and files that must not break a run."""

import json
import os
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import load_record
from trials.models import Trial
from trials.registries.ctgov.files import MAX_DEPTH, records_in_file, study_files
from trials.registries.ctgov.parse import RecordRejected


def study(nct_id="NCT03280056"):
    return load_record("snapshot/2022-10", nct_id)


def read(path, **options):
    """The file's (source, record) pairs, failing the test if reading does not end in 10 s."""
    pairs = []
    reader = threading.Thread(
        target=lambda: pairs.extend(records_in_file(path, **options)), daemon=True
    )
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), f"reading {path} did not end"
    return pairs


def rejection(pairs):
    assert len(pairs) == 1
    (_source, record) = pairs[0]
    assert isinstance(record, RecordRejected)
    return record.reason


def test_a_study_file_gives_its_one_study(tmp_path):
    path = tmp_path / "NCT03280056.json"
    path.write_text(json.dumps(study()))

    assert read(path) == [(str(path), study())]


def test_a_recorded_page_gives_its_studies_in_order_whatever_its_other_keys(tmp_path):
    path = tmp_path / "page.json"
    studies = [study("NCT03280056"), study("NCT01142856"), {"protocolSection": {}}]
    path.write_text(json.dumps({"totalCount": 3, "studies": studies, "nextPageToken": "x"}))

    assert read(path) == [(f"{path}#{i}", s) for i, s in enumerate(studies)]


def test_numbers_come_back_as_the_standard_decoder_gives_them(tmp_path):
    record = {"protocolSection": {"n": 12, "x": 1.5, "e": 2.5e-07, "t": True, "z": None}}
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps(record))

    [(_source, read_back)] = read(path)
    assert read_back == json.loads(path.read_text())
    assert type(read_back["protocolSection"]["x"]) is float


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not readable JSON"),
        ("", "not readable JSON"),
        ('{"studies": [{"protocolSection": {}}', "not readable JSON"),  # truncated
        ('{"protocolSection": {}} trailing', "not readable JSON"),
        ("[1, 2]", "neither a study nor a /studies page"),
        ('{"studies": "none"}', "neither a study nor a /studies page"),
    ],
)
def test_a_file_that_is_not_a_study_or_a_page_is_one_rejection(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_text(content)

    assert reason in rejection(read(path))


def test_a_page_broken_after_good_studies_gives_none_of_them(tmp_path):
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"studies": [study()]})[:-2])

    assert "not readable JSON" in rejection(read(path))


def test_json_nested_thousands_deep_is_one_rejection_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"protocolSection": {"x": ' + "[" * 10_000 + "]" * 10_000 + "}}")

    assert f"nested deeper than {MAX_DEPTH} levels" in rejection(read(path))


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = tmp_path / "deep.json"
    inner = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    path.write_text('{"protocolSection": {"x": ' + inner + "}}")

    [(_source, record)] = read(path)
    assert isinstance(record, dict)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    path = tmp_path / "fifo.json"
    os.mkfifo(path)

    assert "not a regular file" in rejection(read(path))


def test_a_link_to_an_endless_device_is_refused_unread(tmp_path):
    path = tmp_path / "zero.json"
    path.symlink_to("/dev/zero")

    assert "not a regular file" in rejection(read(path))


def test_a_folder_named_json_is_refused(tmp_path):
    (tmp_path / "folder.json").mkdir()

    assert "not a regular file" in rejection(read(tmp_path / "folder.json"))


def test_a_link_to_a_regular_file_is_read(tmp_path):
    (tmp_path / "real.json").write_text(json.dumps(study()))
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")

    assert read(tmp_path / "link.json") == [(str(tmp_path / "link.json"), study())]


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(study()))
    size = path.stat().st_size

    reason = rejection(read(path, max_bytes=size - 1))
    assert f"{size} bytes, over the limit of {size - 1} bytes" in reason
    assert read(path, max_bytes=size) == [(str(path), study())]


def test_the_size_limit_is_a_setting_in_megabytes(tmp_path, settings):
    settings.IMPORT_FILE_MAX_MB = 1
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"protocolSection": {"x": "a" * 1024 * 1024}}))

    assert "over the limit of 1048576 bytes (IMPORT_FILE_MAX_MB)" in rejection(read(path))


def test_an_unreadable_file_is_one_rejection(tmp_path):
    path = tmp_path / "missing.json"

    assert "not readable" in rejection(read(path))


def test_naming_a_file_that_is_not_regular_is_a_usage_error(tmp_path):
    os.mkfifo(tmp_path / "fifo.json")

    with pytest.raises(FileNotFoundError, match="not a regular file"):
        study_files(files=[tmp_path / "fifo.json"], dirs=[])
    with pytest.raises(FileNotFoundError, match="no such file"):
        study_files(files=[tmp_path / "none.json"], dirs=[])


@pytest.mark.django_db
def test_bad_files_in_a_folder_are_rejected_and_the_good_ones_around_them_imported(
    tmp_path, capsys
):
    (tmp_path / "a.json").write_text(json.dumps(study("NCT03280056")))
    (tmp_path / "b-deep.json").write_text("[" * 10_000 + "]" * 10_000)
    os.mkfifo(tmp_path / "c-fifo.json")
    (tmp_path / "d-zero.json").symlink_to("/dev/zero")
    (tmp_path / "e.json").write_text(json.dumps({"studies": [study("NCT01142856")]}))

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_trials", "--from-dir", str(tmp_path))

    assert exit_info.value.code == 1  # records rejected, not the run failed (3)
    out, err = capsys.readouterr()
    assert "file import partial: received 5, created 2" in out
    assert "b-deep.json: nested deeper than" in err
    assert "c-fifo.json: not a regular file" in err
    assert "d-zero.json: not a regular file" in err
    assert set(Trial.objects.values_list("nct_id", flat=True)) == {"NCT03280056", "NCT01142856"}


@pytest.mark.django_db
def test_the_command_names_a_file_that_is_not_regular_as_a_usage_error(tmp_path):
    os.mkfifo(tmp_path / "fifo.json")

    with pytest.raises(CommandError, match="not a regular file"):
        call_command("import_trials", "--from-file", str(tmp_path / "fifo.json"))
