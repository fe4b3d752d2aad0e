"""One import at a time: the import lock, and a probe of whether anyone holds it.

PostgreSQL: a session-level advisory lock, released by the server when the holder's connection
ends, so also when its process is killed. SQLite: an exclusive lock (flock) on a file beside the
database, released by the OS likewise. Either way a run that holds no lock is not running, which
is how a run left `running` by a killed process is told from a live one (trials.importing.runs).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection


class ImportAlreadyRunning(Exception):
    """Another import holds the lock."""


def _lock_key() -> int:
    digest = hashlib.sha256(b"als-cell-trials:import").digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def import_lock() -> Iterator[None]:
    """Hold the import lock for the block, or raise ImportAlreadyRunning at once."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key()])
            (acquired,) = cursor.fetchone()
        if not acquired:
            raise ImportAlreadyRunning("another import is running (PostgreSQL advisory lock held)")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key()])
        return
    path = lock_file()
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportAlreadyRunning(f"another import is running (lock file {path})") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_is_held() -> bool:
    """Whether some process holds the import lock now, asked without holding it (PostgreSQL) or
    for an instant (SQLite), so that asking never makes a sync starting then exit as locked."""
    if connection.vendor == "postgresql":
        unsigned = _lock_key() & 0xFFFF_FFFF_FFFF_FFFF  # pg_locks splits a bigint key in two oids
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1)",
                [unsigned >> 32, unsigned & 0xFFFF_FFFF],
            )
            return cursor.fetchone()[0]
    with lock_file().open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def lock_file() -> Path:
    """SQLite's lock file: beside the database, or in the project folder for one in memory."""
    name = str(settings.DATABASES["default"]["NAME"])
    if not name or ":memory:" in name or "mode=memory" in name:
        return Path(settings.BASE_DIR) / ".import.lock"
    return Path(f"{name}.import.lock")
