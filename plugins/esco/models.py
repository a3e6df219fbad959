"""The ESCO classification in the database, and what a city ties to it.

Concepts, labels, the hierarchy, collections and occupation-skill relations are global: every
city reads the same classification, so they are not tenant-scoped.  Rows are keyed on the
concept URI, which is how ESCO, Open Badges alignments and other plugins name a concept.

The hierarchy is stored twice: ``esco_broader`` holds the edges as ESCO publishes them (a
concept may have several broader concepts) and ``esco_closure`` every (ancestor, descendant)
pair, rebuilt by the importer in one recursive statement, so "everything under T4" is one
indexed lookup instead of a recursive query per page view (see docs/performance.md).

What a city owns (tags of playlists and badge classes, learners' skills) mixes in
``TenantScoped``.  Activities are tagged through the core's own ``ActivitySkill`` table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from col_core.db.meta import Base, utcnow
from col_core.tenancy.scoping import CityKeyed

URI = String(255)
LABEL = String(1000)

# The kinds of concept, derived from ESCO's conceptType and skillType columns.
KINDS = ("skill", "knowledge", "skill_group", "occupation", "isco_group")
LABEL_KINDS = ("preferred", "alternative", "hidden")  # in ranking order


class Concept(Base):
    """One ESCO concept: a skill or piece of knowledge, a skill group, an occupation or an
    ISCO group.  Never deleted by an import: a concept a newer import no longer has is marked
    ``obsolete`` so that tags and badges pointing at it keep working."""

    __tablename__ = "esco_concepts"

    uri: Mapped[str] = mapped_column(URI, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    concept_type: Mapped[str] = mapped_column(String(40), default="")
    reuse_level: Mapped[str | None] = mapped_column(String(24))
    code: Mapped[str | None] = mapped_column(String(32), index=True)  # T4.1, S1.2, ISCO 2351
    status: Mapped[str | None] = mapped_column(String(16))
    obsolete: Mapped[bool] = mapped_column(default=False)
    # The ESCO version of the import that last saw this concept.
    version: Mapped[str] = mapped_column(String(16), default="")
    modified: Mapped[dt.datetime | None]


class Label(Base):
    """A preferred, alternative or hidden label of a concept in one language, with its
    accent- and case-folded form for search."""

    __tablename__ = "esco_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_uri: Mapped[str] = mapped_column(
        URI, ForeignKey("esco_concepts.uri", ondelete="CASCADE")
    )
    language: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(12))  # one of LABEL_KINDS
    text: Mapped[str] = mapped_column(LABEL)
    folded: Mapped[str] = mapped_column(LABEL)

    __table_args__ = (Index("ix_esco_labels_concept_language", "concept_uri", "language"),)


class LabelWord(Base):
    """Each folded word of a label, with what ranking needs (language, label kind, concept
    kind, the word's position and the label's length), so that an autocomplete query reads
    one index range per ranking stage and never sorts every label that shares a prefix."""

    __tablename__ = "esco_label_words"

    label_id: Mapped[int] = mapped_column(
        ForeignKey("esco_labels.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[str] = mapped_column(String(64), primary_key=True)
    concept_uri: Mapped[str] = mapped_column(URI)
    concept_kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    label_rank: Mapped[int] = mapped_column(Integer)  # 0 preferred, 1 alternative, 2 hidden
    position: Mapped[int] = mapped_column(Integer)  # 0: the label starts with this word
    length: Mapped[int] = mapped_column(Integer)  # of the folded label

    # Prefix searches: GLOB uses a plain index on SQLite, LIKE needs pattern ops on PostgreSQL.
    __table_args__ = (
        Index(
            "ix_esco_label_words_lookup",
            "language",
            "label_rank",
            "concept_kind",
            "word",
            postgresql_ops={"word": "varchar_pattern_ops"},
        ),
    )


class Description(Base):
    """A concept's description in one language."""

    __tablename__ = "esco_descriptions"

    concept_uri: Mapped[str] = mapped_column(
        URI, ForeignKey("esco_concepts.uri", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")


class Broader(Base):
    """One edge of the hierarchy as ESCO publishes it: ``concept_uri`` is narrower than
    ``broader_uri``."""

    __tablename__ = "esco_broader"

    concept_uri: Mapped[str] = mapped_column(
        URI, ForeignKey("esco_concepts.uri", ondelete="CASCADE"), primary_key=True
    )
    broader_uri: Mapped[str] = mapped_column(
        URI, ForeignKey("esco_concepts.uri", ondelete="CASCADE"), primary_key=True, index=True
    )


class Closure(Base):
    """Every (ancestor, descendant) pair of the hierarchy, the concept itself included at
    depth 0; rebuilt from ``esco_broader`` at the end of every import."""

    __tablename__ = "esco_closure"

    ancestor_uri: Mapped[str] = mapped_column(URI, primary_key=True)
    descendant_uri: Mapped[str] = mapped_column(URI, primary_key=True, index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)


class CollectionMember(Base):
    """A concept's membership of an ESCO collection (transversal, digital, green, language,
    digComp, research, ict)."""

    __tablename__ = "esco_collection_members"

    collection: Mapped[str] = mapped_column(String(32), primary_key=True)
    concept_uri: Mapped[str] = mapped_column(
        URI, ForeignKey("esco_concepts.uri", ondelete="CASCADE"), primary_key=True, index=True
    )


class OccupationSkill(Base):
    """An occupation needs a skill, essentially or optionally."""

    __tablename__ = "esco_occupation_skills"

    occupation_uri: Mapped[str] = mapped_column(
        URI, ForeignKey("esco_concepts.uri", ondelete="CASCADE"), primary_key=True
    )
    skill_uri: Mapped[str] = mapped_column(
        URI, ForeignKey("esco_concepts.uri", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[str] = mapped_column(String(12))  # essential | optional


class ImportLog(Base):
    """One run of ``col esco import``."""

    __tablename__ = "esco_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(1000), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class SkillTag(CityKeyed, Base):
    """A city's subject (a playlist, a badge class, ...) aligned with an ESCO concept.

    ``subject_type`` names the kind of subject ("playlist", "badge_class"), ``subject_id`` its
    primary key in the owning plugin; no foreign key, so plugins need not know each other.
    """

    __tablename__ = "esco_skill_tags"

    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    concept_uri: Mapped[str] = mapped_column(
        URI, ForeignKey("esco_concepts.uri", ondelete="RESTRICT"), index=True
    )
    esco_version: Mapped[str] = mapped_column(String(16), default="")

    __table_args__ = (
        UniqueConstraint("tenant_id", "subject_type", "subject_id", "concept_uri"),
        Index("ix_esco_skill_tags_subject", "subject_type", "subject_id"),
    )


class LearnerSkill(CityKeyed, Base):
    """A skill a learner has shown, and what showed it (``source_type`` "badge" and the
    assertion's id, for instance)."""

    __tablename__ = "esco_learner_skills"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    concept_uri: Mapped[str] = mapped_column(
        URI, ForeignKey("esco_concepts.uri", ondelete="RESTRICT")
    )
    esco_version: Mapped[str] = mapped_column(String(16), default="")
    source_type: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[int]
    earned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "concept_uri", "source_type", "source_id"),
    )
