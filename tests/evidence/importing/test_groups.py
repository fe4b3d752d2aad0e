"""Linking results groups to arms and marking cell-therapy and control groups, on real records."""

import pytest

from evidence.importing.groups import GroupLink, is_pooled_group, link_groups
from evidence.importing.parse import parse_evidence
from evidence.importing.parsed import ResultGroup
from tests.conftest import load_record
from trials.registries.ctgov.parse import ArmGroup


def _links(folder, nct_id, which):
    evidence = parse_evidence(load_record(folder, nct_id))
    groups = {
        "events": evidence.adverse_events.groups if evidence.adverse_events else (),
        "flow": evidence.flow_groups,
        "baseline": evidence.baseline_groups,
    }.get(which)
    if groups is None:  # an outcome measure, by its position
        groups = evidence.outcome_results[which].groups
    links = link_groups(groups, evidence.arms)
    return {group.title: link for group, link in zip(groups, links, strict=True)}


def _flags(link: GroupLink):
    return link.arm_label, link.is_cell_therapy_group, link.is_control


def test_a_placebo_group_is_recognised_as_the_control_of_a_placebo_comparator_arm():
    links = _links("snapshot/2020-07-28", "NCT02469896", "events")

    assert _flags(links["Placebo"]) == ("Placebo", False, True)
    assert links["Placebo"].reason == "arm type PLACEBO_COMPARATOR"


def test_a_drug_group_is_linked_but_not_called_a_cell_therapy_group():
    links = _links("snapshot/2020-07-28", "NCT02469896", "events")

    assert _flags(links["Active Drug"]) == ("Active drug", None, False)


def test_dose_groups_link_to_their_own_dose_arm_and_the_sham_group_is_the_control():
    links = _links("other/2020-07-28", "NCT02448641", "events")

    assert _flags(links["SB623 Implant (2.5M)"]) == ("SB623 Implant (2.5M)", True, False)
    assert _flags(links["SB623 Implant (5.0M)"]) == ("SB623 Implant (5.0M)", True, False)
    assert _flags(links["Sham Control"]) == ("Sham Control", False, True)


def test_a_group_title_spaced_differently_from_its_arm_label_still_links():
    evidence = parse_evidence(load_record("other/2020-07-28", "NCT02448641"))
    measure = next(m for m in evidence.outcome_results if m.groups[0].title.endswith("(2.5 M)"))

    links = link_groups(measure.groups, evidence.arms)

    assert (links[0].arm_label, links[0].matched_by) == ("SB623 Implant (2.5M)", "title")


def test_a_sham_group_named_differently_links_to_the_one_sham_arm():
    evidence = parse_evidence(load_record("other/2020-07-28", "NCT02448641"))
    measure = next(m for m in evidence.outcome_results if m.groups[2].title == "Sham Surgery")

    sham = link_groups(measure.groups, evidence.arms)[2]

    assert _flags(sham) == ("Sham Control", False, True)
    assert sham.matched_by == "only-control-arm"


def test_groups_renamed_after_the_trial_link_through_the_arm_descriptions():
    # Arms "Test group" / "Control group" (both typed EXPERIMENTAL); groups "HYNR-CS Inj." /
    # "No Treatment", whose descriptions repeat the arms' descriptions.
    links = _links("snapshot/2020-07-28", "NCT01363401", "events")

    assert _flags(links["HYNR-CS Inj."]) == ("Test group", True, False)
    assert _flags(links["No Treatment"]) == ("Control group", False, True)
    assert links["No Treatment"].matched_by == "description"


def test_a_group_and_arm_sharing_most_words_link_and_a_placebo_solution_is_a_control():
    links = _links("other/2022-09-28", "NCT02097641", "events")

    cells = links["Human Mesenchymal Stem Cells"]
    assert _flags(cells) == ("Human Mesenchymal Stromal Cells (hMSCs)", True, False)
    assert cells.matched_by == "shared-words"
    assert _flags(links["Plasma-Lyte A"]) == ("Plasma-Lyte A (placebo)", False, True)


def test_crossover_sequence_groups_stay_unlinked_and_are_neither_control_nor_cell():
    links = _links("other/2020-07-28", "NCT01638819", "flow")

    assert [_flags(link) for link in links.values()] == [("", None, False), ("", None, False)]
    assert all("sequence" in link.reason for link in links.values())


def test_a_pooled_group_counts_as_cell_therapy_only_when_its_text_says_so():
    events = _links("other/2020-07-28", "NCT01638819", "events")
    baseline = _links("other/2020-07-28", "NCT01638819", "baseline")

    # "… not by arm since both arms received stem cell cord blood infusion."
    assert _flags(events["All Participants"]) == ("", True, False)
    assert _flags(baseline["Total"]) == ("", None, False)


def test_a_placebo_arm_of_type_experimental_is_still_a_control_by_its_label():
    links = _links("other/v2-verbatim", "NCT02210780", "events")

    assert _flags(links["Placebo qw"]) == ("Placebo qw", False, True)
    assert links["Placebo qw"].reason == "arm label says 'Placebo'"


def test_a_group_linked_to_an_active_arm_is_not_a_control_though_its_description_says_placebo():
    links = _links("other/v2-verbatim", "NCT02552212", "events")

    open_label = links["SFE OL CZP 200 mg Q2W (SS)"]
    assert _flags(open_label) == ("Certolizumab Pegol 200 mg Q2W", None, False)
    assert _flags(links["Placebo->OL CZP (SS)"]) == ("", None, False)


def test_a_group_with_an_enumerated_arm_label_links_by_the_label_words():
    links = _links("other/v2-verbatim", "NCT00763412", "baseline")

    received_placebo = links["Patients Who Received Placebo"]
    assert _flags(received_placebo) == ("1 Placebo", False, True)
    assert received_placebo.matched_by == "label-words"


def test_every_group_of_a_single_arm_study_links_to_that_arm():
    # NCT02387749 titles its outcome groups after the measure ("Nerve Conduction Velocities …").
    links = _links("other/2020-07-28", "NCT02387749", 1)

    (link,) = links.values()
    assert _flags(link) == ("mesenchymal stem cells", True, False)
    assert link.matched_by == "only-arm"


def test_a_study_without_arms_gets_unlinked_unmarked_groups():
    links = _links("other/v2-verbatim", "NCT05594173", "events")

    assert _flags(links["Healthy Participants"]) == ("", None, False)


def test_a_group_matching_two_active_arms_equally_stays_unlinked_and_is_judged_by_its_text():
    arms = [
        ArmGroup(label="MSC low dose", type="EXPERIMENTAL"),
        ArmGroup(label="MSC high dose", type="EXPERIMENTAL"),
    ]
    groups = [ResultGroup(id="OG000", title="MSC")]

    (link,) = link_groups(groups, arms)

    assert _flags(link) == ("", True, False)


def test_a_group_matching_a_control_and_an_active_arm_equally_is_mixed():
    arms = [
        ArmGroup(label="Placebo", type="PLACEBO_COMPARATOR"),
        ArmGroup(label="NurOwn", type="EXPERIMENTAL"),
    ]
    groups = [ResultGroup(id="OG000", title="NurOwn or Placebo")]

    (link,) = link_groups(groups, arms)

    assert _flags(link) == ("", None, False)


def test_links_come_back_one_per_group_in_the_groups_order():
    evidence = parse_evidence(load_record("other/2020-07-28", "NCT02448641"))

    links = link_groups(evidence.baseline_groups, evidence.arms)

    assert [link.group_id for link in links] == ["BG000", "BG001", "BG002", "BG003"]


@pytest.mark.parametrize(
    ("title", "pooled"),
    [
        ("Total", True),
        ("All Participants", True),
        ("Overall Study", True),
        ("HYNR-CS Inj.", False),
        ("Subtotal", False),
    ],
)
def test_a_pooled_group_is_told_by_its_title(title, pooled):
    assert is_pooled_group(title) is pooled
