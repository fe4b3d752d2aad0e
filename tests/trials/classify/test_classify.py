"""The pure classifier: real registry records from fixtures/ and small constructed studies.

Each real-record test says in a comment what the record's own text says, so that a failure can be
checked against the record rather than against the classifier's idea of it.
"""

import json
import re

import pytest

from tests.conftest import all_record_paths, load_record
from trials.classify import (
    ACCEPT,
    CELL_SOURCES,
    CELL_TYPES,
    DONORS,
    FIELDS,
    ROUTES,
    Classification,
    Label,
    classify,
)
from trials.registries.ctgov.enums import CONTROL_ARM_TYPES
from trials.registries.ctgov.parse import ArmGroup, Intervention, ParsedStudy, parse_study

VOCABULARIES = {
    "is_cell_therapy": {"true", "false"},
    "cell_types": CELL_TYPES,
    "cell_sources": CELL_SOURCES,
    "donor": DONORS,
    "routes": ROUTES,
}

RECORD_IDS = {"ids": lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.stem}"}


def classified(folder: str, nct_id: str) -> Classification:
    return classify(parse_study(load_record(folder, nct_id)))


def by_value(result: Classification, field: str, arm: str = "") -> dict[str, Label]:
    """Every label of a field (accepted or not) by value."""
    return {
        label.value: label for label in result.labels if label.field == field and label.arm == arm
    }


def arm_values(result: Classification, field: str, arm: str) -> list[str]:
    return sorted(label.value for label in result.accepted(field, arm))


def source_texts(study: ParsedStudy, source: str) -> list[str]:
    match = re.fullmatch(r"(intervention|arm)\[(\d+)\]\.(\w+)", source)
    if match:
        kind, index, attribute = match.groups()
        owner = (study.interventions if kind == "intervention" else study.arms)[int(index)]
        value = getattr(owner, attribute)
        return list(value) if isinstance(value, tuple) else [value]
    if source == "keywords":
        return list(study.keywords)
    return [getattr(study, source)]


def make_study(
    *, interventions: tuple[Intervention, ...] = (), arms: tuple[ArmGroup, ...] = (), **text
) -> ParsedStudy:
    return ParsedStudy(nct_id="NCT00000001", interventions=interventions, arms=arms, **text)


def cells(name: str, description: str = "", arms: tuple[str, ...] = ()) -> Intervention:
    return Intervention(type="BIOLOGICAL", name=name, description=description, arm_labels=arms)


# --- Every bundled record ----------------------------------------------------------------------


@pytest.mark.parametrize("path", all_record_paths(), **RECORD_IDS)
def test_every_bundled_record_gets_labels_from_the_fixed_vocabularies(path):
    study = parse_study(json.loads(path.read_text(encoding="utf-8")))

    result = classify(study)

    for label in result.labels:
        assert label.field in FIELDS
        assert label.value in VOCABULARIES[label.field], label
        assert 0 <= label.confidence <= 1
    trial_level = [label.field for label in result.labels if not label.arm]
    assert trial_level.count("is_cell_therapy") == 1
    assert trial_level.count("donor") == 1
    assert result.donor in DONORS


@pytest.mark.parametrize("path", all_record_paths(), **RECORD_IDS)
def test_every_phrase_is_written_exactly_so_in_the_field_it_names(path):
    study = parse_study(json.loads(path.read_text(encoding="utf-8")))

    for label in classify(study).labels:
        if not label.phrase:
            assert label.source == ""  # "unknown" / "false": nothing to highlight
            continue
        assert any(label.phrase in text for text in source_texts(study, label.source)), label


def test_arm_labels_belong_to_real_arms_that_give_cells():
    seen = 0
    for path in all_record_paths():
        study = parse_study(json.loads(path.read_text(encoding="utf-8")))
        arms = {arm.label: arm for arm in study.arms}
        for label in classify(study).labels:
            if label.arm:
                seen += 1
                assert label.arm in arms, (path.stem, label)
                assert arms[label.arm].type not in CONTROL_ARM_TYPES, (path.stem, label)
                assert label.field in {"cell_types", "routes"}, (path.stem, label)

    assert seen  # the bundled records do have per-arm labels


def test_a_study_that_is_not_a_cell_therapy_has_no_cell_labels():
    drug_trials = []
    for path in all_record_paths():
        result = classify(parse_study(json.loads(path.read_text(encoding="utf-8"))))
        if not result.is_cell_therapy:
            drug_trials.append(path.stem)
            assert {label.field for label in result.labels} == {"is_cell_therapy", "donor"}
            assert result.donor == "unknown"

    # tocilizumab (NCT02469896) and the verbatim v2 drug/device/behavioural records
    assert "NCT02469896" in drug_trials
    assert len(drug_trials) >= 10


def test_classifying_twice_gives_the_same_labels_in_the_same_order():
    study = parse_study(load_record("snapshot/2020-07-28", "NCT01051882"))

    assert classify(study) == classify(study)


# --- Real records, read by hand ----------------------------------------------------------------


@pytest.mark.parametrize("folder", ["snapshot/2020-07-28", "snapshot/2022-10"])
def test_nurown_phase_3_is_intrathecal_and_its_placebo_arm_has_nothing(folder):
    # arm[0] "Three Intrathecal administrations of NurOwn® (MSC-NTF cells) at bi-monthly
    # intervals"; arm[1] "Three Intrathecal administrations of Placebo"; intervention[0]
    # "Autologous transplantation of bone marrow derived mesenchymal stem cells". In 2022 both
    # arms also get "Other: Bone Marrow aspiration".
    result = classified(folder, "NCT03280056")

    assert result.is_cell_therapy
    assert result.values("cell_types") == ["msc"]
    assert result.values("cell_sources") == ["bone-marrow"]
    assert result.donor == "autologous"
    assert result.values("routes") == ["intrathecal"]
    assert arm_values(result, "routes", "NurOwn® (MSC-NTF cells)") == ["intrathecal"]
    assert not [label for label in result.labels if label.arm == "Placebo"]


def test_intraventricular_msc_trial_is_intracerebroventricular():
    # intervention[0].name "Intraventricular injection"; official title "Intraventricular
    # Injection of Bone Marrow Derived Mesenchymal Stem Cell".
    result = classified("snapshot/2020-07-28", "NCT01759784")

    assert result.values("routes") == ["intracerebroventricular"]
    assert result.values("cell_types") == ["msc"]
    assert result.values("cell_sources") == ["bone-marrow"]


@pytest.mark.parametrize(
    ("nct_id", "route"), [("NCT01759797", "intravenous"), ("NCT01771640", "intrathecal")]
)
def test_a_copied_detailed_description_does_not_add_its_route(nct_id, route):
    # Contradiction: titles and interventions say "Intravenous" (NCT01759797) and "Intrathecal"
    # (NCT01771640), but both detailed descriptions are copied from the sister trial NCT01759784:
    # "the patients underwent mesenchymal stem cell intraventricular injection by stereotaxis".
    result = classified("snapshot/2020-07-28", nct_id)

    assert result.values("routes") == [route]
    copied = by_value(result, "routes")["intracerebroventricular"]
    assert copied.confidence < ACCEPT
    assert copied.source == "detailed_description"
    assert copied.phrase == "intraventricular"


@pytest.mark.parametrize("nct_id", ["NCT01348451", "NCT01730716"])
def test_nsi_566_spinal_cord_neural_stem_cells_are_fetal_and_intraspinal(nct_id):
    # NCT01348451 summary "spinal derived stem cells transplanted into the spinal cord"; both
    # detailed descriptions "engineered from the spinal cord of a single fetus electively aborted"
    # and "transplanted into the ALS patient's spinal cord after laminectomy"; NCT01730716 arm
    # "All patients will received spinal cord injections of HSSC".
    result = classified("snapshot/2020-07-28", nct_id)

    assert result.values("cell_types") == ["nsc"]
    assert result.values("cell_sources") == ["fetal-tissue"]
    assert result.donor == "allogeneic"
    assert result.values("routes") == ["intraspinal"]


def test_immunosuppressants_given_iv_do_not_make_the_cells_intravenous():
    # NCT01730716 detailed description: "basiliximab (Simulect®) 20mg intravenously (IV)",
    # "methylprednisolone 125 mg IV", tacrolimus "adjusted for IV use"; the cells go into the cord.
    result = classified("snapshot/2020-07-28", "NCT01730716")

    assert "intravenous" not in by_value(result, "routes")


def test_q_cells_are_glial_and_each_cohort_is_intraspinal():
    # Other name "glial restricted progenitor cells"; arm[0] "Unilateral lumbar surgical
    # transplantation of Q-Cells dose level 1", arms 1-5 "Unilateral cervical surgical
    # transplantation of Q-Cells dose level N".
    result = classified("snapshot/2020-07-28", "NCT02478450")

    assert result.values("cell_types") == ["glial"]
    assert result.values("routes") == ["intraspinal"]
    for cohort in range(1, 7):
        assert arm_values(result, "routes", f"Cohort {cohort}") == ["intraspinal"]
    assert result.accepted("routes", "Cohort 1")[0].phrase == "lumbar surgical transplantation"


def test_astrorx_is_glial_from_embryonic_stem_cells_given_as_its_design_module_says():
    # intervention[0] "AstroRx": "Astrocytes derived from human embryonic stem cells". Only the
    # design module's intervention-model description says how they are given: "AstroRx will be
    # administered by intrathecal (spinal) injection to subjects with ALS".
    result = classified("snapshot/2020-07-28", "NCT03482050")

    assert result.values("cell_types") == ["glial"]
    assert result.values("cell_sources") == ["embryonic-stem-cell"]
    assert result.donor == "allogeneic"
    [route] = result.accepted("routes")
    assert (route.value, route.phrase, route.source) == (
        "intrathecal",
        "intrathecal",
        "intervention_model_description",
    )
    assert route.confidence >= ACCEPT


def test_regulatory_t_cells_are_a_cell_therapy_of_other_cells_given_iv():
    # NCT03241784 intervention[0] "intravenous administration of Autologous T-regulatory
    # lymphocytes"; intervention[1] "Subcutaneous Interleukin-2" (not the cells).
    result = classified("snapshot/2020-07-28", "NCT03241784")

    assert result.is_cell_therapy
    assert result.values("cell_types") == ["other-cell"]
    assert result.donor == "autologous"
    assert result.values("routes") == ["intravenous"]
    assert "other" not in by_value(result, "routes")


def test_treg_phase_2a_labels_the_two_treg_arms_and_not_the_placebo_arm():
    # arm[0] "Intravenous infusion of Treg cells + Interleukin-2 injections"; arm[1] (placebo)
    # "Intravenous infusion w/Placebo + matching placebo injections"; arm[2] open label "Treg
    # Infusions + IL-2 injections", whose intervention says "monthly intravenous (IV) infusions".
    result = classified("snapshot/2020-07-28", "NCT04055623")
    placebo = "Intravenous infusion w/Placebo + matching placebo injections"

    assert result.values("cell_types") == ["other-cell"]
    assert result.values("routes") == ["intravenous"]
    assert arm_values(
        result, "routes", "Intravenous infusion of Treg cells + Interleukin-2 injections"
    ) == ["intravenous"]
    assert arm_values(
        result, "routes", "2nd 6-months Open Label: Treg Infusions + IL-2 injections"
    ) == ["intravenous"]
    assert not [label for label in result.labels if label.arm == placebo]


def test_tocilizumab_is_a_drug_trial_with_no_cell_labels():
    # Both interventions "IV Infusion" (tocilizumab, placebo); the detailed description measures
    # "Peripheral Blood Mononuclear Cells (PBMCs)" as a biomarker.
    result = classified("snapshot/2020-07-28", "NCT02469896")

    assert not result.is_cell_therapy
    assert result.accepted("is_cell_therapy")[0].value == "false"
    assert result.values("routes") == []
    assert result.values("cell_types") == []
    assert result.donor == "unknown"


def test_intramuscular_bone_marrow_mononuclear_cells_and_a_saline_arm():
    # Title "Intramuscular Infusion of Autologous Bone Marrow Stem Cells"; arm[0] "intramuscular
    # infusion of autologous mononuclear cells (MNC) of Bone Marrow (BM)"; arm[1] "Saline"
    # (placebo) "intramuscular infusion of 2 mL of saline".
    result = classified("snapshot/2020-07-28", "NCT02286011")

    assert result.values("cell_types") == ["bm-mnc"]
    assert result.values("cell_sources") == ["bone-marrow"]
    assert result.donor == "autologous"
    assert result.values("routes") == ["intramuscular"]
    assert arm_values(result, "routes", "MNC (Mononuclear cells)") == ["intramuscular"]
    assert not [label for label in result.labels if label.arm == "Saline"]


@pytest.mark.parametrize("folder", ["snapshot/2020-07-28", "snapshot/2022-10"])
def test_adrc_are_other_cells_given_once_intraspinally_and_twice_intrathecally(folder):
    # The titles say only "Intraspinal Transplantation of Autologous ADRC", but intervention[0]
    # says "3 injections of ADRC: 1 intraspinal and 2 intrathecal" and the summary "an
    # intraspinal injection followed by 2 subsequent intrathecal infusions". Keyword "mesenchymal
    # cells" and "adipose derived mesenchymal regenerative cells (ADRC)": ADRC are other-cell.
    result = classified(folder, "NCT03296501")

    assert result.values("cell_types") == ["other-cell"]
    assert by_value(result, "cell_types")["msc"].confidence < ACCEPT
    assert result.values("cell_sources") == ["adipose"]
    assert result.donor == "autologous"
    assert result.values("routes") == ["intraspinal", "intrathecal"]


def test_umbilical_cord_msc_by_lumbar_puncture_with_donor_left_to_a_curator():
    # Title "Umbilical Cord Mesenchymal Stem Cells"; intervention[0] "4 times stem cell
    # transplantations through lumbar puncture". Nothing says autologous or allogeneic.
    result = classified("snapshot/2020-07-28", "NCT01494480")

    assert result.values("cell_types") == ["msc"]
    assert result.values("cell_sources") == ["umbilical-cord"]
    assert result.values("routes") == ["intrathecal"]
    assert result.accepted("routes")[0].phrase == "lumbar puncture"
    assert result.donor == "unknown"
    assert by_value(result, "donor")["allogeneic"].confidence < ACCEPT


def test_peripheral_blood_mononuclear_cells_into_the_subarachnoid_space():
    # Official title "Autologous Peripheral Blood Mononuclear Cells in the Subarachnoid Space";
    # intervention "peripheral blood mononuclear cell (PBMC) autotransplantation"; the detailed
    # description's "transplantation of bone marrow cells" is about other work.
    result = classified("snapshot/2020-07-28", "NCT03085706")

    assert result.values("cell_types") == ["bm-mnc"]
    assert result.values("cell_sources") == ["peripheral-blood"]
    assert result.donor == "autologous"
    assert result.values("routes") == ["intrathecal"]
    assert by_value(result, "cell_sources")["bone-marrow"].confidence < ACCEPT


def test_cns10_npc_gdnf_is_a_neural_progenitor_not_an_astrocyte():
    # Intervention "unilateral lumbar spinal cord injections of CNS10-NPC-GDNF cells"; the summary
    # says the progenitors "have been derived to specifically become astrocytes".
    result = classified("snapshot/2020-07-28", "NCT02943850")

    assert result.values("cell_types") == ["nsc"]
    assert "glial" not in by_value(result, "cell_types")
    assert result.values("cell_sources") == ["fetal-tissue"]
    assert result.values("routes") == ["intraspinal"]


@pytest.mark.parametrize("folder", ["snapshot/2020-07-28", "snapshot/2022-10"])
def test_msc_ntf_cohorts_differ_in_route(folder):
    # arm "MSC-NTF cells IM": "Intramuscular administration in early stage patients"; arm
    # "MSC-NTF cells IT": "Intrathecal administration in progressive stage patients". The IM
    # intervention adds "injection is into muscle and not adipose tissue".
    result = classified(folder, "NCT01051882")

    assert result.values("routes") == ["intramuscular", "intrathecal"]
    assert arm_values(result, "routes", "MSC-NTF cells IM") == ["intramuscular"]
    assert arm_values(result, "routes", "MSC-NTF cells IT") == ["intrathecal"]
    assert result.values("cell_sources") == ["bone-marrow"]
    assert "adipose" not in by_value(result, "cell_sources")


def test_murcia_extension_has_an_intraspinal_arm_an_intrathecal_arm_and_a_placebo_arm():
    # arm[0] "T3-T4 laminectomy and bone marrow ficoll separated mononuclear autologous cells
    # intraspinal transplantation"; arm[1] "Intrathecal infusion of autologous bone marrow stem
    # cells"; arm[2] "Intrathecal infusion of placebo (saline solution)."
    result = classified("snapshot/2020-07-28", "NCT01254539")

    assert result.values("cell_types") == ["bm-mnc"]
    assert result.values("routes") == ["intraspinal", "intrathecal"]
    assert arm_values(
        result, "routes", "Autologous bone marrow stem cells intraspinal transplantation"
    ) == ["intraspinal"]
    assert arm_values(
        result, "routes", "Intrathecal infusion of autologous bone marrow stem cells"
    ) == ["intrathecal"]
    assert not [
        label for label in result.labels if label.arm.startswith("Intrathecal infusion of placebo")
    ]


def test_title_says_intraspinal_but_the_intervention_is_a_lumbar_puncture():
    # Contradiction: official title "Autologous Mesenchymal Stem Cell Intraspinal Therapy", but
    # intervention[0] "single intrathecal dose of 10x6 cells by lumbar puncture" and the detailed
    # description "injecting ... into the subarachnoid space"; its "Cells will be isolated from
    # adipose tissue" is the only word on the source.
    result = classified("snapshot/2022-10", "NCT01142856")

    assert result.values("routes") == ["intrathecal"]
    assert by_value(result, "routes")["intraspinal"].confidence < ACCEPT
    assert result.values("cell_sources") == ["adipose"]


def test_intraspinal_delivery_to_the_csf_is_intrathecal():
    # Summary: "intraspinal delivery of mesenchymal stem cells (MSCs) to the cerebral spinal fluid".
    result = classified("snapshot/2020-07-28", "NCT01609283")

    assert result.values("routes") == ["intrathecal"]
    assert "intraspinal" not in by_value(result, "routes")


def test_a_bare_intra_spinal_injection_of_ten_cc_stays_unsure():
    # Arm and intervention: "intra spinal injection of 1 ×10(8) mesenchymal stem cells +10cc normal
    # saline", nothing else on the route; 10 cc cannot go into the cord, so probably intrathecal.
    result = classified("snapshot/2022-10", "NCT02116634")

    assert result.values("routes") == []
    assert 0 < by_value(result, "routes")["intraspinal"].confidence < ACCEPT


def test_lenzumestrocel_route_only_in_background_stays_unsure():
    # Interventions: Lenzumestrocel (no route), Riluzole, Placebo Comparator. Only the detailed
    # description names a route, about the earlier trial: "Based on phase I/II clinical
    # trial(NCT01363401), twice intrathecal autologous bone marrow-derived mesenchymal stem cells".
    result = classified("snapshot/2022-10", "NCT04745299")

    assert result.values("cell_types") == ["msc"]
    assert result.values("cell_sources") == ["bone-marrow"]
    assert result.donor == "autologous"
    assert result.values("routes") == []
    assert by_value(result, "routes")["intrathecal"].confidence < ACCEPT
    assert not [label for label in result.labels if label.arm == "Control group"]


def test_adipose_msc_from_healthy_donors_through_a_peripheral_vein():
    # Intervention "mesenchymal stem cells injection via peripheral vein"; detailed description
    # "The adipose sample is provide from healthy donors with abdominal lipoaspiration".
    result = classified("snapshot/2022-10", "NCT02492516")

    assert result.values("routes") == ["intravenous"]
    assert result.accepted("routes")[0].phrase == "via peripheral vein"
    assert result.values("cell_sources") == ["adipose"]
    assert result.donor == "allogeneic"


def test_mononuclear_cells_plated_to_grow_msc_are_not_the_product():
    # Arm description: "MNCs will be separated ... then the MNCs will be plated in 40 ml(αMEM) ...
    # mesencult(MSCs culture) ... the MSCs will be placed in 10 ml saline and infused IV."
    result = classified("other/2020-07-28", "NCT02387749")

    assert result.values("cell_types") == ["msc"]
    assert result.values("routes") == ["intravenous"]


def test_a_control_arm_typed_experimental_gets_no_labels():
    # arm[1] is EXPERIMENTAL "Control group": "No treatment with HYNR-CS inj."; the test arm gets
    # "Intrathecal injection with 1ml/10kg of body weight".
    result = classified("snapshot/2020-07-28", "NCT01363401")

    assert result.values("cell_types") == ["msc"]
    assert arm_values(result, "routes", "Test group") == ["intrathecal"]
    assert not [label for label in result.labels if label.arm == "Control group"]


# --- Constructed cases for the tricky rules ----------------------------------------------------


def test_background_prose_alone_is_unsure():
    study = make_study(
        interventions=(cells("Autologous mesenchymal stem cells"),),
        brief_summary="Previous studies gave intravenous mesenchymal stem cells to mice.",
    )

    result = classify(study)

    assert result.values("routes") == []
    assert by_value(result, "routes")["intravenous"].confidence < ACCEPT


def test_the_same_phrase_outside_background_prose_is_accepted():
    study = make_study(
        interventions=(cells("Autologous mesenchymal stem cells"),),
        brief_summary="Patients receive intravenous mesenchymal stem cells.",
    )

    assert classify(study).values("routes") == ["intravenous"]


@pytest.mark.parametrize(
    "text",
    [
        "A Phase IV study of mesenchymal stem cells given by lumbar puncture.",
        "Patients with grade IV weakness receive mesenchymal stem cells by lumbar puncture.",
        "Stage III-IV patients receive mesenchymal stem cells by lumbar puncture.",
    ],
)
def test_roman_numeral_iv_is_not_intravenous(text):
    study = make_study(interventions=(cells("Mesenchymal stem cells", text),))

    result = classify(study)

    assert result.values("routes") == ["intrathecal"]
    assert "intravenous" not in by_value(result, "routes")


def test_iv_as_an_abbreviation_is_intravenous():
    study = make_study(interventions=(cells("Mesenchymal stem cells", "Cells are given IV."),))

    assert classify(study).values("routes") == ["intravenous"]


def test_lowercase_it_is_a_word_not_intrathecal():
    study = make_study(
        interventions=(cells("Mesenchymal stem cells", "The cells are thawed before it is given."),)
    )

    assert "intrathecal" not in by_value(classify(study), "routes")


def test_routes_of_drugs_given_beside_the_cells_do_not_count():
    study = make_study(
        interventions=(
            cells("Autologous MSC", "Intrathecal injection of MSC", arms=("MSC",)),
            Intervention(type="DRUG", name="Riluzole", description="50 mg given intravenously"),
        ),
        arms=(ArmGroup(label="MSC", type="EXPERIMENTAL"),),
        brief_summary="Patients receive intrathecal MSC and intravenous methylprednisolone.",
    )

    result = classify(study)

    assert result.values("routes") == ["intrathecal"]
    assert "intravenous" not in by_value(result, "routes")


def test_placebo_arm_gets_no_route():
    study = make_study(
        interventions=(
            cells("Mesenchymal stem cells", "Intrathecal MSC", arms=("MSC",)),
            Intervention(
                type="OTHER", name="Placebo", description="IV saline", arm_labels=("Sham",)
            ),
        ),
        arms=(
            ArmGroup(label="MSC", type="EXPERIMENTAL", description="Intrathecal MSC"),
            ArmGroup(label="Sham", type="PLACEBO_COMPARATOR", description="Intravenous placebo"),
        ),
    )

    result = classify(study)

    assert result.values("routes") == ["intrathecal"]
    assert arm_values(result, "routes", "MSC") == ["intrathecal"]
    assert not [label for label in result.labels if label.arm == "Sham"]
    assert "intravenous" not in by_value(result, "routes")


def test_an_arm_typed_sham_gets_nothing_even_when_it_describes_the_procedure():
    study = make_study(
        interventions=(cells("Mesenchymal stem cells", "Intrathecal MSC", arms=("MSC",)),),
        arms=(
            ArmGroup(label="MSC", type="EXPERIMENTAL", description="Intrathecal MSC"),
            ArmGroup(
                label="Group B",
                type="SHAM_COMPARATOR",
                description="Lumbar puncture, then an intravenous cell-free infusion",
            ),
        ),
    )

    result = classify(study)

    assert not [label for label in result.labels if label.arm == "Group B"]
    assert "intravenous" not in by_value(result, "routes")


@pytest.mark.parametrize(
    "description",
    [
        "Cells are injected by lumbar puncture.",
        "Cells are injected into the subarachnoid space.",
        "Cells are given by LP at L4-L5.",
    ],
)
def test_lumbar_puncture_and_subarachnoid_mean_intrathecal(description):
    study = make_study(interventions=(cells("Mesenchymal stem cells", description),))

    assert classify(study).values("routes") == ["intrathecal"]


def test_intraspinal_by_lumbar_puncture_is_intrathecal():
    study = make_study(
        interventions=(
            cells("Mesenchymal stem cells", "Intraspinal injection by lumbar puncture."),
        )
    )

    result = classify(study)

    assert result.values("routes") == ["intrathecal"]
    assert "intraspinal" not in by_value(result, "routes")


def test_intraspinal_after_laminectomy_is_intraspinal():
    study = make_study(
        interventions=(
            cells("Neural stem cells", "Intraspinal injection of the cells after laminectomy."),
        )
    )

    assert classify(study).values("routes") == ["intraspinal"]


def test_intraspinal_named_apart_from_intrathecal_is_intraspinal():
    study = make_study(
        interventions=(
            cells("Mesenchymal stem cells", "One intraspinal and two intrathecal doses."),
        )
    )

    assert classify(study).values("routes") == ["intraspinal", "intrathecal"]


def test_bare_intraspinal_stays_unsure_however_often_it_is_said():
    study = make_study(
        interventions=(cells("Mesenchymal stem cells", "Intraspinal injection of the cells."),),
        brief_title="Intraspinal Mesenchymal Stem Cells in ALS",
        keywords=("intraspinal",),
        brief_summary="Patients receive intraspinal mesenchymal stem cells.",
    )

    result = classify(study)

    assert result.values("routes") == []
    assert 0 < by_value(result, "routes")["intraspinal"].confidence < ACCEPT


def test_a_route_in_prose_that_names_no_agent_is_unsure():
    study = make_study(
        interventions=(cells("Mesenchymal stem cells"),),
        brief_summary="The route is intravenous.",
    )

    assert by_value(classify(study), "routes")["intravenous"].confidence < ACCEPT


def test_a_recognised_product_explains_its_generic_words():
    # ADRC are other-cell (docs/domain.md#cell-type) even where the sponsor says "mesenchymal".
    study = make_study(interventions=(cells("Adipose derived mesenchymal regenerative cells"),))

    result = classify(study)

    assert result.values("cell_types") == ["other-cell"]
    assert by_value(result, "cell_types")["msc"].confidence < ACCEPT


def test_donor_contradiction_is_unknown():
    study = make_study(
        interventions=(cells("Autologous mesenchymal stem cells"),),
        brief_title="Allogeneic Mesenchymal Stem Cells in ALS",
    )

    result = classify(study)

    (donor,) = [label for label in result.labels if label.field == "donor"]
    assert (donor.value, donor.phrase) == ("unknown", "")
    assert donor.confidence < ACCEPT
    assert result.donor == "unknown"


@pytest.mark.parametrize("words", ["from healthy donors", "from a third-party donor bank"])
def test_cells_from_other_people_are_allogeneic(words):
    study = make_study(interventions=(cells("Mesenchymal stem cells", f"Cells {words}."),))

    assert classify(study).donor == "allogeneic"


def test_a_cell_type_named_as_what_cells_become_is_not_the_product():
    study = make_study(
        interventions=(cells("Neural progenitor cells", "Progenitors that become astrocytes."),)
    )

    result = classify(study)

    assert result.values("cell_types") == ["nsc"]
    assert "glial" not in by_value(result, "cell_types")


@pytest.mark.parametrize(
    ("name", "cell_type", "source"),
    [
        ("Autologous stromal vascular fraction", "other-cell", "adipose"),
        ("CD34+ selected bone marrow cells", "hsc", "bone-marrow"),
        ("Wharton's jelly mesenchymal stem cells", "msc", "umbilical-cord"),
        ("iPSC-derived neural progenitor cells", "nsc", "induced-pluripotent"),
    ],
)
def test_product_words_give_type_and_source(name, cell_type, source):
    result = classify(make_study(interventions=(cells(name),)))

    assert result.values("cell_types") == [cell_type]
    assert result.values("cell_sources") == [source]


def test_a_cell_therapy_whose_record_names_no_source_gets_source_unknown():
    result = classify(make_study(interventions=(cells("Mesenchymal stem cells"),)))

    assert result.values("cell_sources") == ["unknown"]


def test_a_cell_intervention_described_as_placebo_controlled_still_gives_cells():
    study = make_study(
        interventions=(cells("Autologous MSC", "Placebo-controlled intrathecal injection of MSC"),)
    )

    result = classify(study)

    assert result.values("cell_types") == ["msc"]
    assert result.values("routes") == ["intrathecal"]


def test_an_arm_without_a_label_gets_no_per_arm_labels():
    study = make_study(
        interventions=(cells("Mesenchymal stem cells", "Intrathecal injection"),),
        arms=(ArmGroup(label="", type="EXPERIMENTAL", description="Intravenous MSC"),),
    )

    result = classify(study)

    assert result.values("routes") == ["intrathecal", "intravenous"]
    assert [label for label in result.labels if label.field == "routes"] == result.accepted(
        "routes"
    )


def test_an_empty_record_is_not_a_cell_therapy():
    result = classify(ParsedStudy(nct_id="NCT00000002"))

    assert not result.is_cell_therapy
    assert result.donor == "unknown"
    assert {label.field for label in result.labels} == {"is_cell_therapy", "donor"}


def test_accepted_values_and_donor_ignore_unsure_labels():
    result = Classification(
        labels=(
            Label("is_cell_therapy", "true", "MSC", "brief_title", 0.9),
            Label("routes", "intravenous", "IV", "brief_summary", 0.7),
            Label("routes", "intrathecal", "intrathecal", "brief_title", 0.8),
            Label("routes", "intrathecal", "IT", "arm[0].label", 0.9, arm="A"),
            Label("routes", "intramuscular", "IM", "detailed_description", ACCEPT - 0.01),
            Label("donor", "autologous", "autologous", "detailed_description", 0.5),
        )
    )

    assert [label.value for label in result.accepted("routes")] == ["intrathecal", "intravenous"]
    assert result.values("routes") == ["intrathecal", "intravenous"]
    assert [label.phrase for label in result.accepted("routes", arm="A")] == ["IT"]
    assert result.is_cell_therapy
    assert result.donor == "unknown"


# --- Immune-effector cell products (2026 records, not ALS) --------------------------------------


def test_a_car_t_product_is_other_cells_not_the_blood_cells_it_is_made_from():
    # NCT07148791 intervention[0] "Anti-BCMA-CD19 CAR-T cells": "Peripheral blood mononuclear
    # cells (PBMCs) are collected ... and modified ex vivo"; "...infused intravenously".
    result = classified("other/v2-2026", "NCT07148791")

    assert result.values("cell_types") == ["other-cell"]
    assert "bm-mnc" not in {label.value for label in result.accepted("cell_types")}
    assert result.values("cell_sources") == ["peripheral-blood"]
    assert result.values("routes") == ["intravenous"]


def test_a_car_t_product_with_no_route_stated_has_a_cell_type_and_no_route():
    # NCT05562024 intervention[0] "T cell injection targeting B7-H3 chimeric antigen receptor":
    # "The subjects will be administered once." No text says how.
    result = classified("other/v2-2026", "NCT05562024")

    [cell_type] = result.accepted("cell_types")
    assert (cell_type.value, cell_type.phrase) == ("other-cell", "chimeric antigen receptor")
    assert result.values("routes") == []


def test_car_t_cells_into_the_ventricular_system_or_the_tumour_cavity_by_arm():
    # NCT04185038 arm "ARM A (Tumor Cavity Infusion)": "...delivered into the tumor resection
    # cavity"; "ARM B (Ventricular System Infusion)": "...into the ventricular system".
    result = classified("other/v2-2026", "NCT04185038")

    assert result.values("cell_types") == ["other-cell"]
    assert result.values("routes") == ["intracerebroventricular", "other"]
    assert arm_values(result, "routes", "ARM A (Tumor Cavity Infusion)") == ["other"]
    assert arm_values(result, "routes", "ARM B (Ventricular System Infusion)") == [
        "intracerebroventricular"
    ]


def test_car_t_cells_through_a_central_venous_catheter_are_intravenous():
    # NCT06612645 intervention[0]: "...administered via central venous access catheter".
    result = classified("other/v2-2026", "NCT06612645")

    [route] = result.accepted("routes")
    assert (route.value, route.phrase) == ("intravenous", "central venous access catheter")


def test_an_nk_cell_arm_of_a_platform_study_is_other_cells():
    # NCT07307053 arm "NK510 Arm": "...allogeneic natural killer (NK) cell product".
    result = classified("other/v2-2026", "NCT07307053")

    assert arm_values(result, "cell_types", "NK510 Arm") == ["other-cell"]


@pytest.mark.parametrize(
    "text",
    [
        "Autologous NK cells are infused.",
        "CAR-NK cells are infused.",
        "Natural killer cells from a healthy donor.",
        "Cytokine-induced killer cells.",
        "Tumor-infiltrating lymphocytes expanded ex vivo.",
        "4SCAR-T cells given once.",
    ],
)
def test_immune_effector_cell_products_are_other_cells(text):
    result = classify(make_study(interventions=(cells("Product X", text),)))

    assert result.values("cell_types") == ["other-cell"]


def test_a_cell_therapy_whose_cells_no_table_names_is_other_cell_with_its_phrase():
    # NCT03067857 intervention[0] "Stem Cells": bone marrow stem cells, neither MSC nor MNC said.
    result = classified("snapshot/2020-07-28", "NCT03067857")

    [cell_type] = result.accepted("cell_types")
    assert (cell_type.value, cell_type.phrase, cell_type.source) == (
        "other-cell",
        "Stem Cells",
        "intervention[0].name",
    )
    assert cell_type.confidence == ACCEPT


def test_every_bundled_cell_therapy_has_a_cell_type():
    for path in all_record_paths():
        result = classify(parse_study(json.loads(path.read_text(encoding="utf-8"))))
        if result.is_cell_therapy:
            assert result.values("cell_types"), path.stem
