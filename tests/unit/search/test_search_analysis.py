"""Text analysis shared by every backend: folding, stemming per language, prefixes."""

from __future__ import annotations

import pytest

from col_core.activities.search.analysis import fold, index_terms, query_words


@pytest.mark.parametrize(
    "word, folded",
    [
        ("Šiaulių", "siauliu"),
        ("ąčęėįšųūž", "aceeisuuz"),
        ("Straße", "strasse"),
        ("Müller", "muller"),
        ("ÉLÈVE", "eleve"),
        ("garçon", "garcon"),
        ("Niño", "nino"),
        ("Œuvre", "oeuvre"),
        ("Łódź", "lodz"),
    ],
)
def test_fold(word, folded):
    assert fold(word) == folded


def test_terms_hold_folded_words_and_stems_of_each_language():
    assert index_terms("Tänze", ("de",)) == ["tanze", "tanz"]
    assert index_terms("dancing", ("en", "lt")) == ["dancing", "danc"]


def test_lithuanian_has_no_stemmer_so_only_folds():
    assert index_terms("šokiai", ("lt",)) == ["sokiai"]


def test_only_the_last_unfinished_word_is_a_prefix():
    typing = query_words("dance work", ("en",))
    assert [w.prefix for w in typing] == [None, "work"]
    finished = query_words("dance work ", ("en",))
    assert [w.prefix for w in finished] == [None, None]


def test_one_letter_is_too_short_to_be_a_prefix():
    assert query_words("a", ("en",))[0].prefix is None


def test_punctuation_and_quotes_never_reach_the_query_syntax():
    words = query_words('dance" OR "x* (-)', ("en",))
    assert [w.forms[0] for w in words] == ["dance", "or", "x"]


def test_compatibility_forms_cannot_smuggle_syntax():
    folded = fold("ŉ½＂＇＊：")  # fullwidth quotes, star and colon decompose to ASCII ones
    assert not set(folded) & set("\"'*:&|!() ")
    assert "12" in folded
