"""The seams another app plugs into: each registration is kept once, and evidence uses them all."""

import pytest

from trials import extensions
from trials.extensions import FileFieldHandler


@pytest.fixture
def clean_seams(monkeypatch):
    for name in (
        "_record_handlers",
        "_export_columns",
        "_page_sections",
        "_curator_permissions",
    ):
        monkeypatch.setattr(extensions, name, [])
    monkeypatch.setattr(extensions, "_file_fields", {})


def handle(pairs, prepared):
    pass


def prepare(record):
    return None


def row(trial):
    return {"extra": 1}


def context(trial):
    return {}


def test_registering_the_same_thing_twice_keeps_it_once(clean_seams):
    handler = FileFieldHandler("x", False, check=None, apply=None, export=list)
    for _ in range(2):
        extensions.register_record_handler(handle, prepare=prepare)
        extensions.register_export_columns(columns=["extra"], row=row)
        extensions.register_page_section(template="t.html", context=context)
        extensions.register_file_field(handler)
        extensions.register_curator_permissions("app.view_thing", "app.change_thing")

    assert [h.handle for h in extensions.record_handlers()] == [handle]
    assert extensions.record_preparers() == (prepare,)
    assert [e.columns for e in extensions.export_columns()] == [("extra",)]
    assert [s.template for s in extensions.page_sections()] == ["t.html"]
    assert extensions.file_fields() == {"x": handler}
    assert extensions.curator_permissions() == ("app.view_thing", "app.change_thing")


def test_a_column_another_registration_has_is_refused(clean_seams):
    extensions.register_export_columns(columns=["extra"], row=row)

    with pytest.raises(ValueError, match="already exist: extra"):
        extensions.register_export_columns(columns=["extra"], row=lambda trial: {"extra": 2})


def test_a_column_the_trial_has_is_refused(clean_seams):
    with pytest.raises(ValueError, match="already exist: nct_id"):
        extensions.register_export_columns(columns=["nct_id"], row=row, taken=["nct_id"])


def test_the_evidence_app_plugs_into_every_seam():
    from evidence.importing.services import sync_trial_evidence

    assert sync_trial_evidence in [h.handle for h in extensions.record_handlers()]
    assert extensions.export_columns()
    assert "evidence/_trial_evidence.html" in [s.template for s in extensions.page_sections()]
    assert {"outcome_domain", "event_category"} <= set(extensions.file_fields())
    assert extensions.curator_permissions()
