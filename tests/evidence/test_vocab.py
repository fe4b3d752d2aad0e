"""The evidence vocabularies derive from trials.labels and evidence.keys; the tables keyed by their
slugs are held to them here (same keys, no extras)."""

from evidence import classify, keys, vocab
from evidence.importing import enums
from evidence.models import RegisteredOutcome
from trials import labels


def test_other_is_last_in_the_evidence_vocabularies():
    # What anything unrecognised gets, and the last row of every table.
    assert vocab.OUTCOME_DOMAINS[-1] == vocab.EVENT_CATEGORIES[-1] == "other"
    for vocabulary in labels.EVIDENCE_FACETS.values():
        assert vocabulary is labels.OUTCOME_DOMAINS or vocabulary is labels.EVENT_CATEGORIES


def test_the_domain_rules_give_every_domain_but_the_fallback():
    given = {domain for domain, _tier, _pattern in classify.DOMAIN_RULES}
    assert given == set(labels.OUTCOME_DOMAINS) - {"other"}


def test_the_event_rules_give_every_category_and_no_other_slug():
    # `other` is the fallback, and also what a rule gives a term that looks like a category but
    # is not one ("Influenza like illness" is not a fever, "Hepatitis toxic" not inflammation).
    given = {rule.category for rule in classify.load_event_rules()}
    assert given - {"other"} == set(labels.EVENT_CATEGORIES) - {"other"}
    assert given <= set(labels.EVENT_CATEGORIES)


def test_every_posted_measure_type_has_an_outcome_kind():
    assert set(keys.RESULT_TYPE_KINDS) == enums.OUTCOME_MEASURE_TYPES


def test_the_registered_outcome_types_are_outcome_kinds():
    types = [value for value, _ in RegisteredOutcome.TYPES]
    assert set(types) <= set(keys.OUTCOME_KINDS)
    assert [keys.outcome_kind(t) for t in types] == types
