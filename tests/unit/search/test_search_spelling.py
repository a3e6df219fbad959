"""Typo tolerance's ranking, the same for every backend (the backends' own vocabularies and
matches are in the conformance suite)."""

from __future__ import annotations

from col_core.activities.search.spelling import corrected_text

CITY = {"python": 3, "pyth": 3, "beekeeping": 1, "beekeep": 1, "pytest": 9, "dance": 5}


def correct(text, city=CITY):
    def has_match(word):
        return any(form in city for form in word.forms) or bool(
            word.prefix and any(term.startswith(word.prefix) for term in city)
        )

    def vocabulary(word):
        return [(term, n) for term, n in city.items() if term[0] == word[0]]

    return corrected_text(text, ("en",), has_match, vocabulary)


def test_a_swap_of_two_letters_is_one_edit():
    assert correct("pyhton ") == "python"


def test_the_word_is_preferred_to_an_equally_near_stem():
    assert correct("pythn ") == "python"


def test_fewer_edits_win_over_more_documents():
    assert correct("pythom ") == "python"  # pytest is two edits away, python one


def test_words_that_match_stay_as_typed_in_lower_case():
    assert correct("Dance pyhton ") == "dance python"
    assert correct("dance python ") is None


def test_short_words_and_numbers_are_not_corrected():
    assert correct("pyt ") is None
    assert correct("2026 ") is None


def test_too_far_is_left_alone():
    assert correct("pascal ") is None
    assert correct("pyhtonnn ") is None  # three edits; longer words than five letters allow two
    assert correct("dnacce ") == "dance"
    assert correct("dnace ") == "dance"
    assert correct("dnac ") is None  # four letters: one edit, and this is two
