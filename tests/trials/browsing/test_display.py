"""Registry enums and classifier sources in words, and the deciding phrase highlighted."""

from trials.browsing.display import enum_label, highlight, phases_label, source_label


def test_registry_enums_read_as_words():
    assert enum_label("ACTIVE_NOT_RECRUITING") == "Active, not recruiting"
    assert enum_label("NOT_YET_RECRUITING") == "Not yet recruiting"
    assert enum_label("PHASE2") == "Phase 2"
    assert enum_label("") == ""


def test_a_phase_1_2_trial_reads_as_phase_1_2():
    assert phases_label(["PHASE1", "PHASE2"]) == "Phase 1/2"
    assert phases_label(["PHASE3"]) == "Phase 3"
    assert phases_label(["NA"]) == "Not applicable"
    assert phases_label(["EARLY_PHASE1"]) == "Early phase 1"


def test_classifier_sources_read_as_places_in_the_record():
    assert source_label("arm[0].description") == "Arm 1 description"
    assert source_label("intervention[2].other_names") == "Intervention 3 other names"
    assert source_label("detailed_description") == "Detailed description"
    assert source_label("") == ""


def test_the_phrase_is_marked_where_it_stands_keeping_the_records_spelling():
    text = "Three Intrathecal administrations of NurOwn at bi-monthly intervals"

    assert highlight(text, "intrathecal") == (
        "Three <mark>Intrathecal</mark> administrations of NurOwn at bi-monthly intervals"
    )


def test_a_long_text_is_cut_around_the_phrase_at_word_boundaries():
    text = "word " * 50 + "mesenchymal stem cells" + " tail" * 50

    snippet = highlight(text, "mesenchymal stem cells", context=20)

    assert snippet.startswith("…word")
    assert snippet.endswith("tail…")
    assert "<mark>mesenchymal stem cells</mark>" in snippet
    assert len(snippet) < 100


def test_the_text_around_the_phrase_is_escaped():
    snippet = highlight("<b>autologous</b> cells", "autologous")

    assert snippet == "&lt;b&gt;<mark>autologous</mark>&lt;/b&gt; cells"


def test_a_phrase_not_in_the_text_gives_nothing_to_show():
    assert highlight("bone marrow", "adipose") == ""
    assert highlight("", "adipose") == ""
