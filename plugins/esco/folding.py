"""Accent- and case-folding of labels and queries, so "ecouter" finds "écouter"."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Letters that NFKD does not split into a base letter and a combining mark.
_SPECIAL = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ð": "d"}
)
MAX_WORD = 64


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: ``"Pratiquer l’autoréflexion"`` ->
    ``"pratiquer l autoreflexion"``.  Scripts without a Latin base (Greek, Cyrillic) keep
    their letters, case-folded."""
    if text.isascii():  # most labels: skip the Unicode work
        return _NOT_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    if stripped.isascii():
        return _NOT_WORD.sub(" ", stripped).strip()
    return " ".join(w for w in re.split(r"\W+", stripped) if w)


def words(folded: str) -> dict[str, int]:
    """The distinct words of a folded label, cut to the indexed length, with the position
    where each first appears."""
    found: dict[str, int] = {}
    for position, word in enumerate(folded.split()):
        found.setdefault(word[:MAX_WORD], position)
    return found
