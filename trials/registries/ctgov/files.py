"""Registry records from files: single studies or recorded `/studies` pages (`{"studies": [...]}`).

Reads files only; parsing and writing are elsewhere. A file that cannot be used yields one
`RecordRejected` in place of its records, with the reason, so the caller can count and report it
and go on with the next file:

- **Regular files only**, checked on the open file (a FIFO named `x.json` would block the read
  forever, a symlink to `/dev/zero` would never end), and at most `IMPORT_FILE_MAX_MB`.
- **Not JSON, or JSON of another shape** (neither a study nor a page).
- **Nested deeper than `MAX_DEPTH`**: a registry record is about a dozen levels deep; thousands of
  levels would break every later `json.dumps` (the content hash, the raw record's column) with a
  RecursionError.

A file is read twice, streaming, with ijson: once to check all of the above, then once to yield its
studies one at a time, so a file is either wholly read or wholly rejected, and memory stays flat
in the file's size (a 200 MB page decoded at once took over a gigabyte).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from django.conf import settings

from trials.registries.ctgov.parse import RecordRejected

# Containers (objects and arrays) within containers. Real records nest about a dozen.
MAX_DEPTH = 64

_OPENING = frozenset({"start_map", "start_array"})
_CLOSING = frozenset({"end_map", "end_array"})


class _Unusable(Exception):
    """Why a file yields no records."""


def study_files(*, files: list[Path], dirs: list[Path]) -> list[Path]:
    """Files in the order given; each folder's `*.json` files sorted by name."""
    paths = list(files)
    for folder in dirs:
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder}: not a folder")
        paths.extend(sorted(folder.glob("*.json")))
    for path in files:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file")
        if not path.is_file():
            raise FileNotFoundError(f"{path}: not a regular file")
    return paths


def records_in_file(path: Path, *, max_bytes: int | None = None) -> Iterator[tuple[str, Any]]:
    """(source, record) pairs of a file; a record is RecordRejected when the file is unusable.

    `max_bytes` defaults to the IMPORT_FILE_MAX_MB setting.
    """
    if max_bytes is None:
        max_bytes = settings.IMPORT_FILE_MAX_MB * 1024 * 1024
    path = Path(path)
    try:
        with _open_regular(path, max_bytes) as handle:
            shape = _survey(_Bounded(handle, max_bytes))
            handle.seek(0)
            prefix = "studies.item" if shape == "page" else ""
            items = ijson.items(_Bounded(handle, max_bytes), prefix, use_float=True)
            for index, study in enumerate(items):
                yield (f"{path}#{index}" if shape == "page" else str(path)), study
    except _Unusable as exc:
        yield str(path), RecordRejected(f"{path.name}: {exc}")
    except OSError as exc:
        yield str(path), RecordRejected(f"{path.name}: not readable ({exc})")
    except ijson.JSONError as exc:  # only when the file changed between the two reads
        yield str(path), RecordRejected(f"{path.name}: changed while read ({_one_line(exc)})")


def _open_regular(path: Path, max_bytes: int) -> BinaryIO:
    # O_NONBLOCK: opening a FIFO would otherwise wait for a writer. It does nothing to the reads
    # of a regular file, and anything else is refused before a read.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Unusable("not a regular file")
        if info.st_size > max_bytes:
            raise _Unusable(
                f"{info.st_size} bytes, over the limit of {max_bytes} bytes (IMPORT_FILE_MAX_MB)"
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class _Bounded:
    """A binary file's reads, refused past `limit` bytes (a file that grows while it is read)."""

    def __init__(self, handle: BinaryIO, limit: int):
        self._handle = handle
        self._left = limit

    def read(self, size: int = -1) -> bytes:
        want = self._left + 1 if size < 0 else min(size, self._left + 1)
        data = self._handle.read(want)
        self._left -= len(data)
        if self._left < 0:
            raise _Unusable("grew past the size limit while it was read (IMPORT_FILE_MAX_MB)")
        return data


def _survey(stream: _Bounded) -> str:
    """Whether the file holds a "page" or a "study", read through once without keeping it."""
    depth = 0
    top: dict[str, str] = {}  # top-level key → the event that starts its value
    first = key = None
    try:
        for event, value in ijson.basic_parse(stream, use_float=True):
            if first is None:
                first = event
            if key is not None:
                top[key] = event
                key = None
            if event in _OPENING:
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Unusable(f"nested deeper than {MAX_DEPTH} levels")
            elif event in _CLOSING:
                depth -= 1
            elif event == "map_key" and depth == 1:
                key = value
    except ijson.JSONError as exc:
        raise _Unusable(f"not readable JSON ({_one_line(exc)})") from None
    if first == "start_map" and top.get("studies") == "start_array":
        return "page"
    if first == "start_map" and "protocolSection" in top:
        return "study"
    raise _Unusable("neither a study nor a /studies page (no protocolSection or studies)")


def _one_line(exc: BaseException) -> str:
    """The parser's message, which quotes the file: one line of printable text, bounded."""
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else " " for c in str(text))
    return " ".join(text.split())[:200]
