"""Typed records yielded by the ESCO reader, one per CSV record.

Conventions shared by every record:

* text is stripped of surrounding whitespace; an empty optional value is
  ``None`` and an empty multi-valued field is ``()``;
* multi-valued fields (alternative labels, schemes, broader concepts) are
  tuples, already split on the separator that ESCO uses for that file;
* ``language`` is the BCP 47 tag of the file the record came from
  (``"en"``, ``"en-US"``, ``"fr"``), or ``None`` for the language-independent
  relation files of ESCO 1.1.x that carry no language suffix;
* dates are timezone-aware :class:`datetime.datetime` values.

The records are frozen, slotted dataclasses: cheap to build in the hundreds of
thousands and safe to hand to a database layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Skill:
    """A row of ``skills_xx.csv`` (a KnowledgeSkillCompetence concept).

    The reduced 7-column export of ESCO 1.0.x has no status, dates, hidden
    labels, notes or schemes: those fields are then ``None`` or ``()``.
    """

    uri: str
    concept_type: str
    skill_type: str | None  # "skill/competence", "knowledge", or None
    reuse_level: str | None  # "transversal", "cross-sector", ...
    preferred_label: str
    alt_labels: tuple[str, ...]
    hidden_labels: tuple[str, ...]
    status: str | None
    modified: datetime | None
    scope_note: str | None
    definition: str | None
    in_scheme: tuple[str, ...]
    description: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class SkillGroup:
    """A row of ``skillGroups_xx.csv``. ``code`` is the hierarchy code (``T4.1``,
    ``S1.2``, an ISCED-F code ``0031``) and is empty in ESCO 1.0.x."""

    uri: str
    concept_type: str
    preferred_label: str
    alt_labels: tuple[str, ...]
    hidden_labels: tuple[str, ...]
    status: str | None
    modified: datetime | None
    scope_note: str | None
    in_scheme: tuple[str, ...]
    description: str | None
    code: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class Occupation:
    """A row of ``occupations_xx.csv``. ``isco_group`` is the 4-digit ISCO code
    (kept as text: ISCO codes have leading zeros); ``nace_codes`` exists from
    ESCO 1.2 on."""

    uri: str
    concept_type: str
    isco_group: str
    preferred_label: str
    alt_labels: tuple[str, ...]
    hidden_labels: tuple[str, ...]
    status: str | None
    modified: datetime | None
    regulated_profession_note: str | None
    scope_note: str | None
    definition: str | None
    in_scheme: tuple[str, ...]
    description: str | None
    code: str | None
    nace_codes: tuple[str, ...]
    language: str | None


@dataclass(frozen=True, slots=True)
class IscoGroup:
    """A row of ``ISCOGroups_xx.csv``; ``code`` keeps its leading zeros."""

    uri: str
    concept_type: str
    code: str
    preferred_label: str
    alt_labels: tuple[str, ...]
    status: str | None
    in_scheme: tuple[str, ...]
    description: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class HierarchyLevel:
    """One filled level of a ``skillsHierarchy`` row."""

    uri: str
    label: str
    code: str | None


@dataclass(frozen=True, slots=True)
class HierarchyRow:
    """A row of ``skillsHierarchy_xx.csv``: the path from a pillar root (level 0:
    ``S``, ``K``, ``T``, ``L``, and ``A`` in ESCO 1.0.x) down to one group.

    The real files drop trailing empty fields, so a row may be shorter than
    the header; ``levels`` holds only the filled levels, root first.
    """

    levels: tuple[HierarchyLevel, ...]
    description: str | None
    scope_note: str | None
    language: str | None

    @property
    def uri(self) -> str:
        """URI of the deepest level, the group this row describes."""
        return self.levels[-1].uri

    @property
    def code(self) -> str | None:
        return self.levels[-1].code

    @property
    def parent_uri(self) -> str | None:
        return self.levels[-2].uri if len(self.levels) > 1 else None

    @property
    def depth(self) -> int:
        return len(self.levels) - 1


@dataclass(frozen=True, slots=True)
class BroaderRelation:
    """A row of ``broaderRelationsSkillPillar`` (``pillar="skill"``) or
    ``broaderRelationsOccPillar`` (``pillar="occupation"``). A concept may have
    several broader concepts, so this is one edge, not one concept."""

    pillar: str
    concept_type: str | None
    concept_uri: str
    broader_type: str | None
    broader_uri: str
    language: str | None


@dataclass(frozen=True, slots=True)
class SkillSkillRelation:
    """A row of ``skillSkillRelations``; ``relation_type`` is ``essential`` or
    ``optional``."""

    original_uri: str
    original_type: str | None
    relation_type: str
    related_type: str | None
    related_uri: str
    language: str | None


@dataclass(frozen=True, slots=True)
class OccupationSkillRelation:
    """A row of ``occupationSkillRelations``; ``relation_type`` is
    ``essential`` or ``optional``."""

    occupation_uri: str
    relation_type: str
    skill_type: str | None
    skill_uri: str
    language: str | None


@dataclass(frozen=True, slots=True)
class CollectionMember:
    """A row of a collection file (``transversalSkillsCollection_xx.csv``,
    ``ictSkillsCollection_xx.csv``, ``researchOccupationsCollection_xx.csv`` ...).

    ``collection`` is the file's name without the ``SkillsCollection`` /
    ``OccupationsCollection`` ending: ``"transversal"``, ``"language"``,
    ``"digital"``, ``"digComp"``, ``"green"``, ``"research"``, ``"ict"``.
    ``kind`` tells skill and occupation collections apart. In these files
    ESCO separates multiple values with ``" | "``, not with new lines.
    """

    kind: str  # "skill" or "occupation"
    collection: str
    uri: str
    concept_type: str | None
    preferred_label: str
    status: str | None
    skill_type: str | None
    reuse_level: str | None
    alt_labels: tuple[str, ...]
    description: str | None
    broader_uris: tuple[str, ...]
    broader_labels: tuple[str, ...]
    language: str | None


Record = (
    Skill
    | SkillGroup
    | Occupation
    | IscoGroup
    | HierarchyRow
    | BroaderRelation
    | SkillSkillRelation
    | OccupationSkillRelation
    | CollectionMember
)
