"""Folding labels and queries for accent- and case-insensitive search."""

import pytest

from plugins.esco.folding import MAX_WORD, fold, words


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Écouter activement", "ecouter activement"),
        ("pratiquer l’autoréflexion", "pratiquer l autoreflexion"),
        ("in Teams arbeiten – Größe", "in teams arbeiten grosse"),
        ("Aktyviai klausytis: ąčęėįšųūž", "aktyviai klausytis aceeisuuz"),
        ("  think   CREATIVELY ", "think creatively"),
        ("Ελληνικά", "ελληνικα"),
        ("ICT/e-skills (basic)", "ict e skills basic"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_words_keep_their_first_position_and_are_cut_to_the_index_length():
    assert words("work in teams in teams") == {"work": 0, "in": 1, "teams": 2}
    assert words("x" * 100) == {"x" * MAX_WORD: 0}
