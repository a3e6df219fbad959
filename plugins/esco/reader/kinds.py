"""What each ESCO CSV file is, decided from its header.

File names changed between ESCO versions (relation files gained a language
suffix in 1.2, ``ictSkillsCollection`` became ``digitalSkillsCollection`` in
1.1.1, the 1.0.x English files are ``_en-us``), and people rename files when
they unpack them, so the header decides. The name is only used to break the
ties the header cannot (the skill and occupation pillars share one
broader-relations header), to name a collection, and to give the language.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import MissingColumnError, UnknownHeaderError


class FileKind(str, enum.Enum):
    SKILLS = "skills"
    SKILL_GROUPS = "skillGroups"
    SKILLS_HIERARCHY = "skillsHierarchy"
    SKILL_BROADER = "broaderRelationsSkillPillar"
    SKILL_SKILL = "skillSkillRelations"
    SKILL_COLLECTION = "skillsCollection"
    ISCO_GROUPS = "ISCOGroups"
    OCCUPATIONS = "occupations"
    OCCUPATION_BROADER = "broaderRelationsOccPillar"
    OCCUPATION_SKILL = "occupationSkillRelations"
    OCCUPATION_COLLECTION = "occupationsCollection"
    # Recognised so that a full 1.2 download scans cleanly, but not read:
    # nothing on the platform uses them yet.
    CONCEPT_SCHEMES = "conceptSchemes"
    DICTIONARY = "dictionary"
    GREEN_SHARE = "greenShareOcc"

    def __str__(self) -> str:  # pragma: no cover - cosmetic
        return self.value


@dataclass(frozen=True)
class KindSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Relations do not depend on the language; in a download with several
    # language folders they are read from one folder only.
    language_independent: bool = False
    # The reader yields no records for it (see FileKind).
    ignored: bool = False

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)


_LEVELS = tuple(f"Level {n} {what}" for n in range(4) for what in ("URI", "preferred term"))

SPECS: dict[FileKind, KindSpec] = {
    FileKind.SKILLS: KindSpec(
        ("conceptType", "conceptUri", "preferredLabel"),
        (
            "skillType",
            "reuseLevel",
            "altLabels",
            "hiddenLabels",
            "status",
            "modifiedDate",
            "scopeNote",
            "definition",
            "inScheme",
            "description",
        ),
    ),
    FileKind.SKILL_GROUPS: KindSpec(
        ("conceptType", "conceptUri", "preferredLabel"),
        (
            "altLabels",
            "hiddenLabels",
            "status",
            "modifiedDate",
            "scopeNote",
            "inScheme",
            "description",
            "code",
        ),
    ),
    FileKind.SKILLS_HIERARCHY: KindSpec(
        ("Level 0 URI", "Level 0 preferred term"),
        _LEVELS[2:] + ("Description", "Scope note") + tuple(f"Level {n} code" for n in range(4)),
    ),
    FileKind.SKILL_BROADER: KindSpec(
        ("conceptUri", "broaderUri"),
        ("conceptType", "broaderType", "conceptLabel", "broaderLabel"),
        language_independent=True,
    ),
    FileKind.SKILL_SKILL: KindSpec(
        ("originalSkillUri", "relationType", "relatedSkillUri"),
        ("originalSkillType", "relatedSkillType", "originalSkillLabel", "relatedSkillLabel"),
        language_independent=True,
    ),
    FileKind.SKILL_COLLECTION: KindSpec(
        ("conceptUri", "preferredLabel", "broaderConceptUri"),
        (
            "conceptType",
            "skillType",
            "reuseLevel",
            "status",
            "altLabels",
            "description",
            "broaderConceptPT",
        ),
    ),
    FileKind.ISCO_GROUPS: KindSpec(
        ("conceptUri", "code", "preferredLabel"),
        (
            "conceptType",
            "status",
            "altLabels",
            "hiddenLabels",
            "modifiedDate",
            "inScheme",
            "description",
        ),
    ),
    FileKind.OCCUPATIONS: KindSpec(
        ("conceptUri", "iscoGroup", "preferredLabel"),
        (
            "conceptType",
            "altLabels",
            "hiddenLabels",
            "status",
            "modifiedDate",
            "regulatedProfessionNote",
            "scopeNote",
            "definition",
            "inScheme",
            "description",
            "code",
            "naceCode",
        ),
    ),
    FileKind.OCCUPATION_BROADER: KindSpec(
        ("conceptUri", "broaderUri"),
        ("conceptType", "broaderType", "conceptLabel", "broaderLabel"),
        language_independent=True,
    ),
    FileKind.OCCUPATION_SKILL: KindSpec(
        ("occupationUri", "relationType", "skillUri"),
        ("skillType", "occupationLabel", "skillLabel"),
        language_independent=True,
    ),
    FileKind.OCCUPATION_COLLECTION: KindSpec(
        ("conceptUri", "preferredLabel", "broaderConceptUri"),
        ("conceptType", "status", "altLabels", "description", "broaderConceptPT"),
    ),
    FileKind.CONCEPT_SCHEMES: KindSpec(("conceptSchemeUri",), ignored=True),
    FileKind.DICTIONARY: KindSpec(("filename", "data header"), ignored=True),
    FileKind.GREEN_SHARE: KindSpec(("conceptUri", "greenShare"), ignored=True),
}

# The order in which a database import wants the files: concepts before the
# relations that point at them.
IMPORT_ORDER: tuple[FileKind, ...] = (
    FileKind.SKILL_GROUPS,
    FileKind.SKILLS,
    FileKind.ISCO_GROUPS,
    FileKind.OCCUPATIONS,
    FileKind.SKILLS_HIERARCHY,
    FileKind.SKILL_BROADER,
    FileKind.OCCUPATION_BROADER,
    FileKind.SKILL_COLLECTION,
    FileKind.OCCUPATION_COLLECTION,
    FileKind.SKILL_SKILL,
    FileKind.OCCUPATION_SKILL,
    FileKind.CONCEPT_SCHEMES,
    FileKind.DICTIONARY,
    FileKind.GREEN_SHARE,
)

# ---------------------------------------------------------------- file names

_NAME = re.compile(r"^(?P<base>.+?)(?:_(?P<lang>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?))?$")
_COLLECTION_NAME = re.compile(r"^(?P<name>.+?)(?:Skills|Occupations)Collection$")

_KIND_BY_BASE = {
    "skills": FileKind.SKILLS,
    "skillGroups": FileKind.SKILL_GROUPS,
    "skillsHierarchy": FileKind.SKILLS_HIERARCHY,
    "broaderRelationsSkillPillar": FileKind.SKILL_BROADER,
    "skillSkillRelations": FileKind.SKILL_SKILL,
    "ISCOGroups": FileKind.ISCO_GROUPS,
    "occupations": FileKind.OCCUPATIONS,
    "broaderRelationsOccPillar": FileKind.OCCUPATION_BROADER,
    "occupationSkillRelations": FileKind.OCCUPATION_SKILL,
    "conceptSchemes": FileKind.CONCEPT_SCHEMES,
    "dictionary": FileKind.DICTIONARY,
    "greenShareOcc": FileKind.GREEN_SHARE,
}


def normalize_language(tag: str) -> str:
    """``"en-us"`` -> ``"en-US"``, ``"FR"`` -> ``"fr"`` (BCP 47 casing)."""
    parts = tag.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2:
            out.append(part.upper())
        elif len(part) == 4:
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)


def split_name(path: str | Path) -> tuple[str, str | None]:
    """Split a file name into its ESCO base and language tag:
    ``skills_en-us.csv`` -> ``("skills", "en-US")``,
    ``broaderRelationsSkillPillar.csv`` -> ``("broaderRelationsSkillPillar", None)``."""
    stem = Path(path).name
    if stem.lower().endswith(".csv"):
        stem = stem[:-4]
    match = _NAME.match(stem)
    if not match:  # pragma: no cover - the pattern matches any non-empty stem
        return stem, None
    lang = match["lang"]
    return match["base"], normalize_language(lang) if lang else None


def detect_language(path: str | Path) -> str | None:
    """The language tag given by a file name's suffix, or ``None``."""
    return split_name(path)[1]


def kind_from_name(path: str | Path) -> FileKind | None:
    base, _ = split_name(path)
    if base in _KIND_BY_BASE:
        return _KIND_BY_BASE[base]
    if base.endswith("SkillsCollection"):
        return FileKind.SKILL_COLLECTION
    if base.endswith("OccupationsCollection"):
        return FileKind.OCCUPATION_COLLECTION
    return None


def collection_name(path: str | Path) -> str:
    """``transversalSkillsCollection_en.csv`` -> ``"transversal"``."""
    base, _ = split_name(path)
    match = _COLLECTION_NAME.match(base)
    return match["name"] if match else base


# ----------------------------------------------------------- identification

_SKILL_SIDE = {"KnowledgeSkillCompetence", "SkillGroup"}
_OCCUPATION_SIDE = {"Occupation", "ISCOGroup"}


def _family(columns: frozenset[str]) -> tuple[FileKind, ...]:
    """Candidate kinds from marker columns, most specific first."""
    if "Level 0 URI" in columns:
        return (FileKind.SKILLS_HIERARCHY,)
    if "originalSkillUri" in columns or "relatedSkillUri" in columns:
        return (FileKind.SKILL_SKILL,)
    if "occupationUri" in columns:
        return (FileKind.OCCUPATION_SKILL,)
    if "broaderUri" in columns:
        return (FileKind.SKILL_BROADER, FileKind.OCCUPATION_BROADER)
    if "broaderConceptUri" in columns:
        return (FileKind.SKILL_COLLECTION, FileKind.OCCUPATION_COLLECTION)
    if "greenShare" in columns:
        return (FileKind.GREEN_SHARE,)
    if "conceptSchemeUri" in columns:
        return (FileKind.CONCEPT_SCHEMES,)
    if "filename" in columns and "data header" in columns:
        return (FileKind.DICTIONARY,)
    if "iscoGroup" in columns:
        return (FileKind.OCCUPATIONS,)
    if "conceptUri" in columns and ("skillType" in columns or "reuseLevel" in columns):
        return (FileKind.SKILLS,)
    if "conceptUri" in columns and "conceptType" in columns:
        return (FileKind.SKILL_GROUPS, FileKind.ISCO_GROUPS)
    return ()


def identify(
    path: str | Path,
    header: tuple[str, ...],
    first_concept_type: str | None = None,
) -> tuple[FileKind, list[str]]:
    """Decide the kind of a file from its header.

    Ties within a family are broken by the file name, then by the
    ``conceptType`` of the first record, then in favour of the skills pillar
    (the only one every ESCO version ships). Returns the kind and a list of
    warnings (for example a file name that says something else).
    """
    columns = frozenset(header)
    named = kind_from_name(path)
    candidates = _family(columns)
    warnings: list[str] = []
    if not candidates:
        if named is not None:
            missing = [c for c in SPECS[named].required if c not in columns]
            raise MissingColumnError(
                path,
                1,
                f"header lacks required column(s) {', '.join(missing) or '(none)'} "
                f"for an ESCO {named.value} file (header: {', '.join(header)})",
                f"the columns {', '.join(SPECS[named].required)}",
            )
        raise UnknownHeaderError(
            path,
            1,
            f"unknown header ({', '.join(header) or 'empty'})",
            "the header of an ESCO CSV file such as skills_xx.csv "
            "(conceptType,conceptUri,skillType,...) or occupationSkillRelations "
            "(occupationUri,relationType,skillType,skillUri)",
        )
    if len(candidates) == 1:
        kind = candidates[0]
    elif named in candidates:
        kind = named
    elif first_concept_type in _OCCUPATION_SIDE:
        kind = candidates[1]
    elif first_concept_type in _SKILL_SIDE:
        kind = candidates[0]
    elif "code" in columns and "hiddenLabels" not in columns and FileKind.ISCO_GROUPS in candidates:
        kind = FileKind.ISCO_GROUPS
    else:
        kind = candidates[0]
    if named is not None and named is not kind:
        warnings.append(
            f"file name suggests {named.value} but the header is that of {kind.value}; "
            "read as the header says"
        )
    missing = [c for c in SPECS[kind].required if c not in columns]
    if missing:
        raise MissingColumnError(
            path,
            1,
            f"header lacks required column(s) {', '.join(missing)} for an ESCO "
            f"{kind.value} file (header: {', '.join(header)})",
            f"the columns {', '.join(SPECS[kind].required)}",
        )
    return kind, warnings
