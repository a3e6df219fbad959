"""Text analysis shared by every search backend, so that they all find the same documents.

Words are lower-cased, stemmed with the Snowball stemmer of each of the city's languages that has
one (snowballstemmer, through PyStemmer's C code: de, en, es, fr, lt, nl and more), then folded: accents and
letters such as ą č ę ė į š ų ū ž, ä ö ü ß, é è ç, ñ become plain ASCII.  A document is indexed
under every folded word and every folded stem, so "Tänze" is found by "tanz", "tanze" and "tänze".
Stemming happens before folding because the stemmers expect the language's own letters, so
"Ąžuolų" is indexed under "azuolu" and "azuol", and the query "ąžuolas" (stem "azuol") finds it.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer

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


# Snowball's algorithms by the locale codes cities use.
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque",
    "fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "nb": "norwegian",
    "nl": "dutch", "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}  # fmt: skip


_THREAD = threading.local()


def _stemmers(languages: tuple[str, ...]):
    # PyStemmer's stemmers are not safe to share between threads: each thread has its own.
    made = _THREAD.__dict__.setdefault("stemmers", {})
    if languages not in made:
        codes = dict.fromkeys(code.split("_")[0].split("-")[0].lower() for code in languages)
        available = set(snowballstemmer.algorithms())
        made[languages] = tuple(
            snowballstemmer.stemmer(SNOWBALL[code]).stemWord
            for code in codes
            if SNOWBALL.get(code) in available
        )
    return made[languages]


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


def label_terms(labels, languages: tuple[str, ...]) -> list[str]:
    """The terms of skill labels, ``(language, text)``, each stemmed as its own language
    (a label in "" as the city's ``languages``): "escucha activa" (es) -> escucha escuch ..."""
    return [
        term
        for language, text in labels
        for term in index_terms(text, (language,) if language else languages)
    ]


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: the document must contain one of ``forms`` (or start with ``prefix``)."""

    forms: tuple[str, ...]
    prefix: str | None  # as-you-type: the last word may be unfinished


def query_word(word: str, languages: tuple[str, ...], prefix: bool = False) -> QueryWord | None:
    """One word of a query analysed as documents are (None when nothing of it is left)."""
    forms = _forms(word, languages)
    if not forms:
        return None
    folded = fold(word)
    return QueryWord(forms, folded if prefix and len(folded) >= 2 else None)


def typing(text: str) -> bool:
    """Whether the query's last word is still being typed (no space after it)."""
    return bool(text) and not text[-1].isspace()


def query_words(text: str, languages: tuple[str, ...]) -> list[QueryWord]:
    """Analyse a query the same way as documents; the last word also matches as a prefix."""
    found = words(text)
    last = len(found) - 1 if typing(text) else -1
    analysed = (query_word(word, languages, i == last) for i, word in enumerate(found))
    return [word for word in analysed if word is not None]
