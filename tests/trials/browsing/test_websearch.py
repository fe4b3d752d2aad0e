"""The search box's syntax and the product synonyms, read without a database."""

import pytest

from trials.browsing.websearch import Term, parse, product_synonyms, words

NONE: dict = {}


def test_words_are_all_required_and_or_takes_either_side():
    assert parse("bone marrow or adipose", NONE) == (
        (Term("bone"), Term("marrow")),
        (Term("adipose"),),
    )


def test_quotes_make_a_phrase_and_a_minus_excludes():
    assert parse('"bone marrow" -adipose -"cord blood"', NONE) == (
        (
            Term("bone marrow", phrase=True),
            Term("adipose", negated=True),
            Term("cord blood", phrase=True, negated=True),
        ),
    )


def test_an_unclosed_quote_runs_to_the_end_and_stray_operators_are_ignored():
    assert parse('or stem - "neural stem', NONE) == (
        (Term("stem"), Term("neural stem", phrase=True)),
    )
    assert parse("stem or or", NONE) == ((Term("stem"),),)
    assert parse("+++ ---", NONE) == ()


def test_words_split_at_punctuation_as_both_databases_do():
    assert words("MSC-NTF, hUC_MSC/Wharton's") == ["msc", "ntf", "huc", "msc", "wharton", "s"]


def test_a_product_name_carries_its_other_names_whatever_its_case_or_punctuation():
    [[term]] = parse('"msc ntf"')

    assert term.synonyms == ("NurOwn",)
    assert parse("NEURONATA-R")[0][0].synonyms == ("lenzumestrocel", "HYNR-CS")


def test_a_word_that_names_no_product_has_no_synonyms():
    assert parse("mesenchymal")[0][0].synonyms == ()


def test_the_synonyms_file_names_the_products_of_domain_md():
    names = product_synonyms()

    for product in ("nurown", "lenzumestrocel", "nsi 566", "cns10 npc gdnf", "astrorx", "q cells"):
        assert product in names


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("names,note\nNurOwn,one name\n", "line 2: a group needs two names"),
        ("names,note\nA|B,\nB|C,\n", "line 3: 'B' is twice"),
        ("name,note\nA|B,\n", "columns must be names,note"),
    ],
)
def test_a_bad_synonyms_file_fails_loudly_with_its_line(tmp_path, text, message):
    path = tmp_path / "synonyms.csv"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ValueError, match=message):
        product_synonyms(path)
