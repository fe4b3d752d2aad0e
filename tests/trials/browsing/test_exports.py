"""The export seam: columns other apps add to every exported trial (trials never imports them)."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import load_record
from tests.helpers import upsert
from trials import extensions
from trials.browsing import exports
from trials.models import Trial

pytestmark = pytest.mark.django_db


def register(**columns):
    """Register columns as the evidence app does: the trial's own columns are taken."""
    extensions.register_export_columns(**columns, taken=exports.COLUMNS)


def arms_row(trial):
    return {"arms": [{"label": arm.label, "type": arm.type} for arm in trial.arms.all()]}


@pytest.fixture
def arms_extension(monkeypatch):
    """An extension registered the way the evidence app registers its own, on a clean slate."""
    monkeypatch.setattr(extensions, "_export_columns", [])
    register(columns=["arms"], prefetch=["arms"], row=arms_row)


def export(fmt: str) -> str:
    return "".join(exports.iter_export(exports.iter_rows(Trial.objects.order_by("nct_id")), fmt))


def test_extension_columns_follow_the_trials_own_columns_in_json_and_csv(arms_extension):
    upsert(load_record("snapshot/2022-10", "NCT03280056"))

    [row] = json.loads(export("json"))
    [header, cells] = list(csv.reader(io.StringIO(export("csv"))))

    assert list(row)[-2:] == ["registry_url", "arms"]
    assert row["arms"][0] == {"label": "NurOwn® (MSC-NTF cells)", "type": "ACTIVE_COMPARATOR"}
    assert header == [*exports.COLUMNS, "arms"]
    # CSV: the array of objects as compact JSON in one cell, readable back as the same value.
    assert json.loads(cells[-1]) == row["arms"]
    assert '","type":"' in cells[-1]


def test_an_export_chunk_costs_the_same_queries_for_one_trial_as_for_several(arms_extension):
    upsert(load_record("snapshot/2022-10", "NCT03280056"))
    with CaptureQueriesContext(connection) as one:
        export("json")
    upsert(
        load_record("snapshot/2022-10", "NCT02290886"),
        load_record("snapshot/2022-10", "NCT01142856"),
    )

    with CaptureQueriesContext(connection) as three:
        rows = json.loads(export("json"))

    assert len(rows) == 3
    assert len(three) == len(one)


def test_a_column_that_exists_already_cannot_be_registered(arms_extension):
    with pytest.raises(ValueError, match="already exist: routes"):
        register(columns=["routes"], row=lambda t: {"routes": []})


def test_registering_the_same_row_function_twice_adds_nothing(arms_extension):
    register(columns=["arms"], prefetch=["arms"], row=arms_row)

    assert exports.all_columns() == [*exports.COLUMNS, "arms"]


def test_a_row_function_that_gives_other_columns_fails_loudly(monkeypatch):
    monkeypatch.setattr(extensions, "_export_columns", [])
    register(columns=["arms"], row=lambda trial: {"arm": []})
    upsert(load_record("snapshot/2022-10", "NCT03280056"))

    with pytest.raises(ValueError, match="not \\['arms'\\]"):
        export("json")
