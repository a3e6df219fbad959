"""Text analysis shared by every search backend, so that they all find the same documents.

Words are lower-cased, stemmed with the Snowball stemmer of each of the city's languages that has
one (de, en, es, fr, nl; Lithuanian has none, so it is only folded), then folded: accents and
letters such as ą č ę ė į š ų ū ž, ä ö ü ß, é è ç, ñ become plain ASCII.  A document is indexed
under every folded word and every folded stem, so "Tänze" is found by "tanz", "tanze" and "tänze".
Stemming happens before folding because the stemmers expect the language's own letters.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from whoosh.lang import has_stemmer, stemmer_for_language

_WORD = re.compile(r"\w+", re.UNICODE)
# Letters that Unicode decomposition does not reduce to a base letter plus accents.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "_": " ",
    }
)


def fold(word: str) -> str:
    """Lower-case ``word`` and strip its accents: "Šiaulių" -> "siauliu", "Straße" -> "strasse".

    Only letters and digits survive, so no term can carry query syntax (quotes, ``*``, ``:``).
    """
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_SPECIAL))
    return "".join(char for char in decomposed if char.isalnum())


@functools.lru_cache(maxsize=16)
def _stemmers(languages: tuple[str, ...]):
    codes = dict.fromkeys(code.split("_")[0].split("-")[0] for code in languages)
    return tuple(stemmer_for_language(code) for code in codes if has_stemmer(code))


def words(text: str) -> list[str]:
    return _WORD.findall((text or "").lower().translate(_SPECIAL))


@functools.lru_cache(maxsize=65536)
def _forms(word: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    forms = [fold(word)]
    forms.extend(fold(stem(word)) for stem in _stemmers(languages))
    return tuple(form for form in dict.fromkeys(forms) if form)


def index_terms(text: str, languages: tuple[str, ...]) -> list[str]:
    """Every term ``text`` is indexed under (folded words and their stems), in order."""
    return [form for word in words(text) for form in _forms(word, languages)]


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: the document must contain one of ``forms`` (or start with ``prefix``)."""

    forms: tuple[str, ...]
    prefix: str | None  # as-you-type: the last word may be unfinished


def query_words(text: str, languages: tuple[str, ...]) -> list[QueryWord]:
    """Analyse a query the same way as documents; the last word also matches as a prefix."""
    found = words(text)
    typing = bool(text) and not text[-1].isspace()
    result = []
    for position, word in enumerate(found):
        forms = _forms(word, languages)
        if not forms:
            continue
        last = position == len(found) - 1 and typing
        result.append(QueryWord(forms, fold(word) if last and len(fold(word)) >= 2 else None))
    return result
