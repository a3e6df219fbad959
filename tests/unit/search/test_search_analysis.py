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


def test_lithuanian_is_stemmed_before_folding():
    assert index_terms("Ąžuolų", ("lt",)) == ["azuolu", "azuol"]
    assert index_terms("ąžuolas", ("lt",)) == ["azuolas", "azuol"]


def test_locales_with_a_region_use_their_language_and_unknown_ones_only_fold():
    assert index_terms("Tänze", ("de_AT",)) == ["tanze", "tanz"]
    assert index_terms("Tänze", ("xx",)) == ["tanze"]


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
