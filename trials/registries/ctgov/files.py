"""Registry records from files: single studies or recorded `/studies` pages (`{"studies": [...]}`).

Reads files only; parsing and writing are elsewhere. A file that is not JSON, or JSON of another
shape, yields a `RecordRejected` in place of its records so the caller can count and report it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trials.registries.ctgov.parse import RecordRejected


def study_files(*, files: list[Path], dirs: list[Path]) -> list[Path]:
    """Files in the order given; each folder's `*.json` files sorted by name."""
    paths = list(files)
    for folder in dirs:
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder}: not a folder")
        paths.extend(sorted(folder.glob("*.json")))
    for path in files:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
    return paths


def records_in_file(path: Path) -> Iterator[tuple[str, Any]]:
    """(source, record) pairs of a file; a record is RecordRejected when the file is unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield str(path), RecordRejected(f"{path.name}: not readable JSON ({exc})")
        return
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        for index, study in enumerate(data["studies"]):
            yield f"{path}#{index}", study
    elif isinstance(data, dict) and "protocolSection" in data:
        yield str(path), data
    else:
        yield (
            str(path),
            RecordRejected(
                f"{path.name}: neither a study nor a /studies page (no protocolSection or studies)"
            ),
        )
