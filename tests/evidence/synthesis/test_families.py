"""Measure families, their direction of benefit, and which group an effect favours."""

import pytest

from evidence.synthesis import families
from evidence.synthesis.families import favours, load_families, measure_family

NCT01363401_TITLES = {
    "The Difference in the Changes of Amyotrophic Lateral Sclerosis Functional Rating Scale - "
    "Revised (ALSFRS-R) Between Treatment Groups and Control Groups.": "alsfrs-r",
    "Change in Appel Scale": "appel",
    "Change in Forced Vital Capacity (FVC) (Percent of Predicted Normal)": "fvc",
    "Change in SF-36 (The Short Form (36) Health Survey is a 36 Item)": "sf-36",
}


@pytest.mark.parametrize(("title", "family"), NCT01363401_TITLES.items())
def test_the_measures_of_nct01363401_have_their_families(title, family):
    assert measure_family(title).slug == family


@pytest.mark.parametrize(
    ("title", "family", "better"),
    [
        ("ALSFRS-R total score", "alsfrs-r", "higher"),
        ("AALS score change", "appel", "lower"),
        ("Slow Vital Capacity (% predicted)", "svc", "higher"),
        ("Number of Participants Who Died", "deaths", "lower"),
        ("Tracheostomy-free survival", "survival", "higher"),
        (
            "Number of participants with treatment-emergent adverse events",
            "adverse-events",
            "lower",
        ),
        ("Hand-held dynamometry", "strength", "higher"),
        ("ALSAQ-40 total", "alsaq-40", "lower"),
    ],
)
def test_a_measure_text_names_its_family_and_direction(title, family, better):
    found = measure_family(title)
    assert (found.slug, found.better) == (family, better)


def test_the_description_is_read_when_the_title_names_no_family():
    assert measure_family("Primary efficacy endpoint", "Change in ALSFRS-R from baseline").slug == (
        "alsfrs-r"
    )
    assert measure_family("Cytokines in CSF") is families.UNCLASSIFIED


@pytest.mark.parametrize(
    ("measure", "low", "high", "better", "expected"),
    [
        ("MD", 1.87, 4.75, "higher", "cell therapy"),  # NCT01363401 ALSFRS-R
        ("MD", -14.44, -3.54, "lower", "cell therapy"),  # NCT01363401 Appel
        ("MD", -4.23, 4.71, "higher", "neither"),  # NCT01363401 FVC
        ("MD", -4.0, -1.0, "higher", "control"),
        ("RR", 1.2, 3.0, "lower", "control"),  # more deaths with cells
        ("RR", 0.2, 0.9, "lower", "cell therapy"),
        ("RR", 0.5, 1.5, "lower", "neither"),
        ("RD", 0.01, 0.3, "lower", "control"),
        ("MD", 1.0, 2.0, "", "direction unknown"),
        ("change", -3.0, -1.0, "higher", "not compared"),
        ("RD", None, None, "lower", "neither"),
    ],
)
def test_an_effect_favours_a_group_only_when_its_ci_excludes_no_effect(
    measure, low, high, better, expected
):
    assert favours(measure, low, high, better) == expected


def test_a_bad_row_of_the_csv_is_refused_with_its_line(tmp_path):
    path = tmp_path / "families.csv"
    path.write_text("family,label,better,pattern,note\nx,X,sideways,x,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: better must be higher or lower"):
        load_families(path)
    path.write_text("family,label,better,pattern,note\nx,X,higher,(,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: bad pattern"):
        load_families(path)


def test_the_bundled_csv_loads():
    slugs = [f.slug for f in load_families()]
    assert {"alsfrs-r", "appel", "fvc", "svc", "deaths", "survival", "adverse-events"} <= set(slugs)
