"""Typo tolerance, the same for every backend: a search that finds nothing is tried once more
with each query word that matches nothing in the city replaced by the nearest word that does.

Candidates come from the backend's vocabulary (SQLite: the FTS5 index's own terms through an
``fts5vocab`` table; PostgreSQL: the city's terms with ``pg_trgm`` similarity; Whoosh: its
lexicon) and are ranked here, identically for all: fewest edits first (optimal string
alignment with rapidfuzz, so a swap of two letters is one edit), then the most alike, the most
documents, and alphabetically.  A candidate is taken only if it matches something in the city, so a word of
another city's vocabulary never shows through.  Only searches that find nothing pay for this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from col_core.activities.search.analysis import QueryWord, fold, query_word, typing, words

# Shorter words are too often a real word the city lacks, or one letter from many others.
MIN_LENGTH = 4
# Candidates checked against the city, nearest first, before giving up on a word.
TRIES = 5


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def corrected_text(
    text: str,
    languages: tuple[str, ...],
    has_match: Callable[[QueryWord], bool],
    vocabulary: Callable[[str], Iterable[tuple[str, int]]],
) -> str | None:
    """``text`` with each word that matches nothing replaced by the nearest one that does, or
    None when no word was replaced.

    ``has_match(word)``: whether a ``QueryWord`` matches a document of the city.
    ``vocabulary(word)``: ``(term, documents)`` of the backend's terms near the folded ``word``
    (a superset will do: they are ranked and checked here).
    """
    found = words(text)
    # The word still being typed (no space after it yet) is matched as a prefix.
    last = len(found) - 1 if typing(text) else -1
    result, changed = [], False
    for position, word in enumerate(found):
        analysed = query_word(word, languages, position == last)
        folded = fold(word)
        if not _worth_correcting(analysed, folded, has_match):
            result.append(word)
            continue
        replacement = _nearest(folded, languages, has_match, vocabulary)
        changed = changed or replacement is not None
        result.append(replacement or word)
    if not changed:
        return None
    return " ".join(result)


def _worth_correcting(analysed: QueryWord | None, folded: str, has_match) -> bool:
    """Whether a word is long enough, not a number, and matches nothing in the city."""
    if analysed is None or len(folded) < MIN_LENGTH or folded.isdigit():
        return False
    return not has_match(analysed)


def _nearest(folded, languages, has_match, vocabulary) -> str | None:
    frequency = dict(vocabulary(folded))
    limit = max_edits(folded)
    near = process.extract(
        folded, list(frequency), scorer=OSA.distance, score_cutoff=limit, limit=None
    )
    # Among equally near terms the most alike (a word rather than its stem: "python", not
    # "pyth", for "pythn"), then the most common.
    ranked = sorted(
        near,
        key=lambda found: (
            found[1],
            -fuzz.ratio(folded, found[0]),
            -frequency[found[0]],
            found[0],
        ),
    )
    for term, _distance, _index in ranked[:TRIES]:
        analysed = query_word(term, languages)
        if analysed is not None and has_match(analysed):
            return term
    return None


def forgiving(search, query, correct: Callable[[str], str | None], found: Callable) -> tuple:
    """(answer, corrected text or None): ``search(query)``, or, when it finds nothing (by
    ``found(answer)``) and the query allows it, the search of its corrected text."""
    answer = search(query)
    if found(answer) or query.exact or not query.text.strip():
        return answer, None
    corrected = correct(query.text)
    if corrected is None:
        return answer, None
    # A query still being typed stays so: its trailing space is kept.
    trailing_space = " " if query.text[-1].isspace() else ""
    retried = search(query.but(text=corrected + trailing_space))
    if not found(retried):
        return answer, None
    return retried, corrected
