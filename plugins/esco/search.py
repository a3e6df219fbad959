"""Skill search over folded labels (see ``ISkillSearch`` for the contract).

The most selective word of the query (the longest) is looked up by prefix in the indexed
``esco_label_words``; the other words filter those candidates; the database ranks them and
the best label per concept wins.  A prefix lookup is ``GLOB 'x*'`` on SQLite and
``LIKE 'x%'`` on PostgreSQL (with a ``varchar_pattern_ops`` index): both use the index, and
folded words hold only letters and digits, so nothing needs escaping.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session
from zope.interface import implementer

from plugins.esco.folding import MAX_WORD, fold
from plugins.esco.interfaces import SKILL_KINDS, ISkillSearch
from plugins.esco.models import Concept, Label, LabelWord

# Candidate labels ranked by the database, before keeping the best one per concept.
_CANDIDATES = 400
_KIND_RANK = {"preferred": 0, "alternative": 1, "hidden": 2}


@dataclass(frozen=True)
class SkillHit:
    uri: str
    label: str  # the preferred label in the user's language, else English
    matched: str  # the label that matched
    matched_language: str
    matched_kind: str  # preferred | alternative | hidden
    kind: str  # skill | knowledge | skill_group | occupation

    def as_dict(self) -> dict:
        return asdict(self)


def starts_with(session: Session, column, prefix: str):
    if session.get_bind().dialect.name == "sqlite":
        return column.op("GLOB")(prefix + "*")
    return column.like(prefix + "%")


def preferred_labels(session: Session, uris, language: str) -> dict[str, str]:
    """{uri: preferred label in ``language``, else English, else any language}."""
    uris = list(uris)
    if not uris:
        return {}
    rows = session.execute(select(Label.concept_uri, Label.language, Label.text).where(
        Label.concept_uri.in_(uris), Label.kind == "preferred"))
    rank = {language: 0, "en": 1}
    best: dict[str, tuple[int, str]] = {}
    for uri, lang, text in rows:
        score = rank.get(lang, 2)
        if uri not in best or score < best[uri][0]:
            best[uri] = (score, text)
    return {uri: text for uri, (_, text) in best.items()}


@implementer(ISkillSearch)
class SkillSearch:
    def __init__(self, session: Session):
        self.session = session

    def search(self, text, language, languages=None, limit=10, kinds=SKILL_KINDS):
        query = fold(text or "")
        tokens = query.split()
        if len(query) < 2 or not tokens:
            return []
        language = (language or "en").split("-")[0].split("_")[0].lower()
        lead = max(tokens, key=len)[:MAX_WORD]
        spaced = literal(" ") + Label.folded
        whole = starts_with(self.session, Label.folded, query)
        stmt = (
            select(Label.concept_uri, Label.text, Label.language, Label.kind, Concept.kind)
            .join(LabelWord, LabelWord.label_id == Label.id)
            .join(Concept, Concept.uri == Label.concept_uri)
            .where(starts_with(self.session, LabelWord.word, lead),
                   Concept.kind.in_(kinds), Concept.obsolete.is_(False))
        )
        for token in tokens:
            if token != lead:
                stmt = stmt.where(spaced.contains(" " + token))
        if languages:
            stmt = stmt.where(Label.language.in_(list({*languages, language, "en"})))
        stmt = stmt.order_by(
            case((Label.language == language, 0), (Label.language == "en", 1), else_=2),
            case(*((Label.kind == k, v) for k, v in _KIND_RANK.items()), else_=3),
            case((whole, 0), else_=1),
            func.length(Label.folded),
            Label.text,
        ).limit(_CANDIDATES)
        best: dict[str, tuple] = {}
        for row in self.session.execute(stmt):
            if row[0] not in best:
                best[row[0]] = row
                if len(best) == limit:
                    break
        names = preferred_labels(self.session, best, language)
        return [SkillHit(uri, names.get(uri, matched), matched, lang, kind, concept_kind)
                for uri, matched, lang, kind, concept_kind in best.values()]
