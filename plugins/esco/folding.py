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


def _without_marks(text: str) -> str:
    """``text`` decomposed, without its combining marks (accents)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: ``"Pratiquer l’autoréflexion"`` ->
    ``"pratiquer l autoreflexion"``.  Scripts without a Latin base (Greek, Cyrillic) keep
    their letters, case-folded."""
    if text.isascii():  # most labels: skip the Unicode work
        return _NOT_WORD.sub(" ", text.lower()).strip()
    stripped = _without_marks(text.casefold().translate(_SPECIAL))
    if stripped.isascii():
        return _NOT_WORD.sub(" ", stripped).strip()
    words = re.split(r"\W+", stripped)
    return " ".join(word for word in words if word)


def words(folded: str) -> dict[str, int]:
    """The distinct words of a folded label, cut to the indexed length, with the position
    where each first appears."""
    found: dict[str, int] = {}
    for position, word in enumerate(folded.split()):
        found.setdefault(word[:MAX_WORD], position)
    return found
