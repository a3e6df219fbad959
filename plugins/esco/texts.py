"""Concept texts in the reader's language: that language, else English, else any."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.esco.models import Description, Label


def best_by_language(rows, language: str) -> dict[str, str]:
    """{uri: text} from (uri, language, text) rows, preferring ``language``, then English."""
    rank = {language: 0, "en": 1}
    best_rank: dict[str, int] = {}
    best: dict[str, str] = {}
    for uri, lang, text in rows:
        score = rank.get(lang, 2)
        if uri not in best or score < best_rank[uri]:
            best_rank[uri] = score
            best[uri] = text
    return best


def preferred_labels(session: Session, uris, language: str) -> dict[str, str]:
    uris = list(uris)
    if not uris:
        return {}
    return best_by_language(
        session.execute(
            select(Label.concept_uri, Label.language, Label.text).where(
                Label.concept_uri.in_(uris), Label.kind == "preferred"
            )
        ),
        language,
    )


def descriptions(session: Session, uris, language: str) -> dict[str, str]:
    uris = list(uris)
    if not uris:
        return {}
    return best_by_language(
        session.execute(
            select(Description.concept_uri, Description.language, Description.text).where(
                Description.concept_uri.in_(uris)
            )
        ),
        language,
    )


def primary(code: str) -> str:
    """The primary language of a locale code, as labels are stored: "es_ES" -> "es"."""
    return code.split("_")[0].split("-")[0].lower()


def index_labels(connection, uris, languages) -> dict[str, list[tuple[str, str]]]:
    """{uri: [(language, label), ...]}: every label (preferred, alternative, hidden) of the
    concepts in ``languages``, read with Core statements (the search index asks in a flush)."""
    uris, codes = list(uris), sorted({primary(code) for code in languages})
    labels = Label.__table__
    found: dict[str, list[tuple[str, str]]] = {}
    for start in range(0, len(uris), 500):
        rows = connection.execute(
            select(labels.c.concept_uri, labels.c.language, labels.c.text)
            .where(
                labels.c.concept_uri.in_(uris[start : start + 500]), labels.c.language.in_(codes)
            )
            .order_by(labels.c.id)
        )
        for uri, language, text in rows:
            found.setdefault(uri, []).append((language, text))
    return found
