"""The classifier's accepted labels on every bundled record, pinned in pinned_labels.json.

A change to the phrase tables or the rules that moves any record's labels fails here, so that it
is made on purpose: rewrite the file with `python -m tests.trials.classify.test_pinned` and list
the records that moved, and why, in the commit message.
"""

import json
from pathlib import Path

from tests.conftest import FIXTURES, all_record_paths
from trials.classify import FIELDS, classify
from trials.registries.ctgov.parse import parse_study

PINNED = Path(__file__).with_name("pinned_labels.json")


def _accepted(result, arm: str = "") -> dict[str, str]:
    return {
        field: ", ".join(sorted({label.value for label in result.accepted(field, arm)}))
        for field in FIELDS
        if result.accepted(field, arm)
    }


def current_labels() -> dict[str, dict]:
    """Per record (folder/NCT id): the accepted trial-level values, then each arm's."""
    pinned = {}
    for path in all_record_paths():
        result = classify(parse_study(json.loads(path.read_text(encoding="utf-8"))))
        arms = sorted({label.arm for label in result.labels if label.arm})
        entry = _accepted(result)
        per_arm = {arm: _accepted(result, arm) for arm in arms}
        if any(per_arm.values()):
            entry["arms"] = {arm: values for arm, values in per_arm.items() if values}
        pinned[path.relative_to(FIXTURES).with_suffix("").as_posix()] = entry
    return pinned


def test_the_accepted_labels_of_every_bundled_record_are_those_pinned():
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))

    current = current_labels()

    moved = {
        key: (pinned.get(key), value) for key, value in current.items() if pinned.get(key) != value
    }
    assert not moved, moved
    assert set(pinned) == set(current)


if __name__ == "__main__":
    PINNED.write_text(
        json.dumps(current_labels(), indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
