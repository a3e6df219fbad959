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
