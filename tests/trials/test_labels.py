"""trials.labels owns every vocabulary; each copy elsewhere is derived from it or held to it here
(same keys, no extras), so that adding or renaming a slug in one place cannot go unnoticed."""

import pytest

from trials import labels
from trials.browsing import display, exports
from trials.browsing.filters import FACET_PARAMS, TrialFilter
from trials.classify import vocab
from trials.curating import fields as curated_fields
from trials.history import recording, timeline
from trials.registries.ctgov import enums

# The value a field takes when no phrase gives one: no pattern gives it.
FALLBACKS = {"cell_sources": {"unknown"}, "donor": {"unknown"}}
PHRASE_TABLES = {
    "cell_types": vocab.CELL_TYPE_PATTERNS,
    "cell_sources": vocab.CELL_SOURCE_PATTERNS,
    "donor": vocab.DONOR_PATTERNS,
    "routes": vocab.ROUTE_PATTERNS,
}


@pytest.mark.parametrize("field", PHRASE_TABLES)
def test_each_phrase_table_gives_every_slug_of_its_vocabulary_and_nothing_else(field):
    given = {pattern.value for pattern in PHRASE_TABLES[field]}
    assert given == set(labels.LABEL_FIELDS[field]) - FALLBACKS.get(field, set())


def test_named_products_and_implied_donors_give_slugs_of_the_vocabulary():
    for product in vocab.PRODUCTS:
        assert set(product.cell_types) <= set(labels.CELL_TYPES), product.regex.pattern
        assert set(product.supersedes) <= set(labels.CELL_TYPES), product.regex.pattern
        assert set(product.cell_sources) <= set(labels.CELL_SOURCES), product.regex.pattern
        assert product.donor in {"", *labels.DONORS}, product.regex.pattern
    assert set(vocab.SOURCE_IMPLIES_DONOR) <= set(labels.CELL_SOURCES)
    assert {donor for donor, _ in vocab.SOURCE_IMPLIES_DONOR.values()} <= set(labels.DONORS)


def test_every_label_field_has_a_name_and_a_title():
    assert list(labels.LABEL_FIELD_NAMES) == list(labels.LABEL_FIELDS)
    assert set(labels.SET_FIELDS) <= set(labels.LABEL_FIELDS)
    assert labels.LABEL_FIELD_TITLES == {
        "is_cell_therapy": "Cell therapy",
        "cell_types": "Cell types",
        "cell_sources": "Cell sources",
        "donor": "Donor",
        "routes": "Delivery routes",
    }


def test_the_curated_label_fields_are_the_vocabularys():
    for name, vocabulary in labels.LABEL_FIELDS.items():
        curated = curated_fields.get(name)
        assert curated.label == labels.LABEL_FIELD_TITLES[name]
        assert dict(curated.vocabulary) == (vocabulary or {})
        if vocabulary is None:
            assert curated.kind is curated_fields.Kind.BOOL
        elif name in labels.SET_FIELDS:
            assert curated.kind is curated_fields.Kind.SLUGS
        else:
            assert curated.kind is curated_fields.Kind.SLUG


def test_the_filters_and_the_exports_take_the_label_fields_from_the_vocabulary():
    form = TrialFilter().form
    for param, facet in FACET_PARAMS.items():
        if facet in labels.LABEL_FIELD_NAMES:
            assert form.fields[param].label == labels.LABEL_FIELD_NAMES[facet]
            assert [v for v, _ in form.fields[param].choices] == list(labels.LABEL_FIELDS[facet])
    assert [c for c in exports.COLUMNS if c in labels.LABEL_FIELDS] == list(labels.LABEL_FIELDS)


def test_the_evidence_facets_are_filtered_on_their_vocabularies():
    form = TrialFilter().form
    for param, facet in FACET_PARAMS.items():
        if facet in labels.EVIDENCE_FACETS:
            choices = [v for v, _ in form.fields[param].choices]
            assert choices == list(labels.EVIDENCE_FACETS[facet])


def test_the_history_names_every_tracked_registry_field_and_nothing_else():
    assert list(timeline.FIELD_NAMES) == list(recording.REGISTRY_FIELDS)
    for name in labels.LABEL_FIELDS:
        assert timeline.field_name(name) == labels.LABEL_FIELD_TITLES[name]


# --- Registry enums in words ------------------------------------------------------------------


def test_the_phase_words_cover_the_registrys_phases():
    assert set(labels.PHASE_LABELS) == enums.PHASES


def test_the_status_groups_share_out_every_overall_status_once():
    grouped = [status for statuses in labels.STATUS_GROUPS.values() for status in statuses]
    assert sorted(grouped) == sorted(enums.OVERALL_STATUSES)
    assert list(labels.STATUS_GROUP_LABELS) == list(labels.STATUS_GROUPS)


def test_the_enum_words_are_for_enums_the_registry_has():
    known = set().union(*(value for value in vars(enums).values() if isinstance(value, frozenset)))
    assert set(labels.ENUM_LABELS) <= known
    assert enums.CONTROL_ARM_TYPES <= enums.ARM_GROUP_TYPES


@pytest.mark.parametrize("status", sorted(enums.OVERALL_STATUSES))
def test_the_history_and_the_pages_write_a_status_in_the_same_words(status):
    assert timeline.display("overall_status", status) == display.enum_label(status)


def test_the_history_writes_phases_and_no_status_as_before():
    assert timeline.display("phases", ["PHASE1", "PHASE2"]) == "Phase 1, Phase 2"
    assert timeline.display("phases", []) == "not given"
    assert timeline.display("overall_status", "") == "not given"
    assert timeline.display("overall_status", "ACTIVE_NOT_RECRUITING") == "Active, not recruiting"
    assert timeline.display("overall_status", "NOT_YET_RECRUITING") == "Not yet recruiting"
