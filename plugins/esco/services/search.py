"""Skill search over folded labels (see ``ISkillSearch`` for the contract).

Ranking is done in stages, best first: the user's language, then English, then the city's
other languages; within each, preferred, then alternative, then hidden labels.  Each stage is
one range of the ``esco_label_words`` index (language, label rank, concept kind, word prefix),
sorted by "the label starts with the word" and the label's length; stages stop as soon as
enough concepts are found, so a two-letter prefix shared by thousands of labels costs one
short index range, not a sort of every match.  The most selective word of the query (the
longest) is the one looked up; the others must start a word of the same label.

A prefix lookup is ``GLOB 'x*'`` on SQLite and ``LIKE 'x%'`` on PostgreSQL (with a
``varchar_pattern_ops`` index): both use the index, and folded words hold only letters and
digits, so nothing needs escaping.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import case, literal, select
from sqlalchemy.orm import Session
from zope.interface import implementer

from plugins.esco.folding import MAX_WORD, fold
from plugins.esco.interfaces import SKILL_KINDS, ISkillSearch
from plugins.esco.models import LABEL_KINDS, Concept, Label, LabelWord
from plugins.esco.texts import preferred_labels

# Rows read per stage for each concept wanted: a concept often matches by several labels.
_ROWS_PER_HIT = 4


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
        others = [t for t in tokens if t != lead]
        found: dict[str, tuple[int, str]] = {}  # concept uri -> (label id, label kind)
        for language_clause, rank in self._stages(language, languages):
            while len(found) < limit:
                wanted = (limit - len(found)) * _ROWS_PER_HIT
                order = [LabelWord.position > 0, LabelWord.length, LabelWord.label_id]
                stmt = (
                    select(LabelWord.concept_uri, LabelWord.label_id)
                    .where(
                        language_clause,
                        LabelWord.label_rank == rank,
                        LabelWord.concept_kind.in_(list(kinds)),
                        starts_with(self.session, LabelWord.word, lead),
                        LabelWord.concept_uri.not_in(list(found)),
                    )
                    .limit(wanted)
                )
                if others:
                    # Several words: the label itself is read, and labels that start with
                    # the whole query come first.
                    spaced = literal(" ") + Label.folded
                    stmt = stmt.join(Label, Label.id == LabelWord.label_id).where(
                        *(spaced.contains(" " + token) for token in others)
                    )
                    order.insert(
                        0, case((starts_with(self.session, Label.folded, query), 0), else_=1)
                    )
                stmt = stmt.order_by(*order)
                rows = self.session.execute(stmt).all()
                for uri, label_id in rows:
                    if len(found) < limit:
                        found.setdefault(uri, (label_id, LABEL_KINDS[rank]))
                if len(rows) < wanted:
                    break  # this stage has nothing more
        return self._hits(found, language)

    @staticmethod
    def _stages(language, languages):
        """(language clause, label rank) pairs in ranking order."""
        firsts = [language]
        if language != "en":
            firsts.append("en")  # English, where every concept has labels, comes second
        clauses = [LabelWord.language == lang for lang in firsts]
        if languages is None:
            clauses.append(LabelWord.language.not_in(firsts))
        else:
            rest = [lang for lang in languages if lang not in firsts]
            if rest:
                clauses.append(LabelWord.language.in_(rest))
        for clause in clauses:
            for rank in range(len(LABEL_KINDS)):
                yield clause, rank

    def _hits(self, found, language):
        matched = {
            uri: (text, lang, kind)
            for text, lang, uri, kind in self.session.execute(
                select(Label.text, Label.language, Concept.uri, Concept.kind)
                .join(Concept, Concept.uri == Label.concept_uri)
                .where(
                    Label.id.in_([label_id for label_id, _ in found.values()]),
                    Concept.obsolete.is_(False),
                )
            )
        }
        names = preferred_labels(self.session, matched, language)
        return [
            SkillHit(
                uri,
                names.get(uri, matched[uri][0]),
                matched[uri][0],
                matched[uri][1],
                label_kind,
                matched[uri][2],
            )
            for uri, (_, label_kind) in found.items()
            if uri in matched
        ]
