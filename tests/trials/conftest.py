"""Trials for the page, export and API tests: real registry records, imported the real way."""

import pytest

from tests.conftest import load_record
from tests.helpers import import_snapshot, upsert
from trials.models import ImportRun, Trial


@pytest.fixture(scope="module")
def imported_snapshot(django_db_setup, django_db_blocker):
    """The bundled snapshot, imported once for a test module and removed after it.

    Importing 67 records through the classifier takes about a second; once per module rather
    than once per test keeps the suite fast. Each test still runs in its own transaction on top.
    """
    with django_db_blocker.unblock():
        run = import_snapshot()
    yield run
    with django_db_blocker.unblock():
        Trial.objects.all().delete()
        ImportRun.objects.all().delete()


@pytest.fixture
def snapshot(db, imported_snapshot):
    """The whole bundled snapshot: 42 studies, 41 of them cell therapies."""
    return imported_snapshot


@pytest.fixture
def nurown(db):
    """NurOwn phase 3 (NCT03280056): MSC, bone marrow, autologous, intrathecal, 6 US sites."""
    upsert(load_record("snapshot/2022-10", "NCT03280056"))
