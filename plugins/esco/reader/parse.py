"""Turn the fields of one CSV record into a typed record.

Columns are found by header name, never by position: the collection files put
``skillType, reuseLevel`` before or after ``preferredLabel, status`` depending
on the collection, and versions add columns (``naceCode`` in 1.2). Columns the
reader does not know are ignored (and reported by the scan).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from . import records as r
from .errors import BadRowLengthError, BadValueError, MalformedURIError
from .kinds import FileKind

_URI = re.compile(r"https?://[^\s\"<>|,]+")

Converter = Callable[[int, list[str]], r.Record]


def _text(value: str) -> str:
    return value.strip()


def _opt(value: str) -> str | None:
    value = value.strip()
    return value or None


def _lines(value: str) -> tuple[str, ...]:
    """Labels are one per line inside a quoted field (bare LF; tolerate CRLF)."""
    if not value:
        return ()
    return tuple(part for part in (p.strip() for p in value.split("\n")) if part)


def _pipes(value: str) -> tuple[str, ...]:
    """Collection files join multiple values with ``" | "``."""
    if not value:
        return ()
    return tuple(part for part in (p.strip() for p in value.split("|")) if part)


class _Row:
    """Field access for one file: column lookups resolved once per file."""

    def __init__(self, kind: FileKind, path: Path, header: tuple[str, ...]):
        self.kind = kind
        self.path = path
        self.header = header
        self.width = len(header)
        self.index = {name: i for i, name in enumerate(header)}

    def col(self, name: str) -> int | None:
        return self.index.get(name)

    def check_length(self, line: int, row: list[str], short_ok: bool = False) -> list[str]:
        n = len(row)
        if n == self.width:
            return row
        if short_ok and 2 <= n < self.width:
            return row + [""] * (self.width - n)
        raise BadRowLengthError(
            self.path,
            line,
            f"record has {n} field(s) but the header has {self.width}",
            f"{self.width} comma-separated fields (quote fields that contain commas or line breaks)",
        )

    def uri(self, line: int, column: str, value: str) -> str:
        value = value.strip()
        if not _URI.fullmatch(value):
            raise MalformedURIError(
                self.path,
                line,
                f"column {column!r} holds {value[:80]!r}, which is not a URI",
                "an http(s) URI such as http://data.europa.eu/esco/skill/<uuid>",
            )
        return value

    def opt_uri(self, line: int, column: str, value: str) -> str | None:
        return self.uri(line, column, value) if value.strip() else None

    def uris(self, line: int, column: str, value: str, sep: str) -> tuple[str, ...]:
        if not value.strip():
            return ()
        if sep == "|":
            parts = _pipes(value)
        else:
            # inScheme uses ",\n" in skills and occupations and "\n" in groups.
            parts = tuple(
                p for p in (x.strip().rstrip(",").strip() for x in value.split("\n")) if p
            )
        return tuple(self.uri(line, column, p) for p in parts)

    def date(self, line: int, column: str, value: str) -> datetime | None:
        value = value.strip()
        if not value:
            return None
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise BadValueError(
                self.path,
                line,
                f"column {column!r} holds {value[:40]!r}, which is not a date",
                "an ISO 8601 date such as 2022-08-25T12:53:49.834Z",
            ) from None


class _Fields:
    """One record's fields, read by column name (the file's header says where each one is)."""

    def __init__(self, file: _Row, line: int, values: list[str]):
        self.file = file
        self.line = line
        self.values = values

    def raw(self, column: str) -> str:
        """The column's value, or "" when the file has no such column (an optional one)."""
        index = self.file.col(column)
        return self.values[index] if index is not None else ""

    def required(self, column: str) -> str:
        # The header check in kinds.py guarantees that a required column is there.
        return self.values[self.file.index[column]]

    def text(self, column: str) -> str:
        return _text(self.required(column))

    def optional(self, column: str) -> str | None:
        return _opt(self.raw(column))

    def lines(self, column: str) -> tuple[str, ...]:
        return _lines(self.raw(column))

    def pipes(self, column: str) -> tuple[str, ...]:
        return _pipes(self.raw(column))

    def uri(self, column: str) -> str:
        return self.file.uri(self.line, column, self.required(column))

    def uris(self, column: str, separator: str = "\n") -> tuple[str, ...]:
        return self.file.uris(self.line, column, self.raw(column), separator)

    def date(self, column: str) -> datetime | None:
        return self.file.date(self.line, column, self.raw(column))


def _concept(fields: _Fields) -> dict:
    """The columns that the skills, skill groups and occupations files share."""
    return {
        "uri": fields.uri("conceptUri"),
        "preferred_label": fields.text("preferredLabel"),
        "alt_labels": fields.lines("altLabels"),
        "hidden_labels": fields.lines("hiddenLabels"),
        "status": fields.optional("status"),
        "modified": fields.date("modifiedDate"),
        "scope_note": fields.optional("scopeNote"),
        "in_scheme": fields.uris("inScheme"),
        "description": fields.optional("description"),
    }


def _skill(fields: _Fields, language: str | None) -> r.Skill:
    return r.Skill(
        **_concept(fields),
        concept_type=fields.text("conceptType"),
        skill_type=fields.optional("skillType"),
        reuse_level=fields.optional("reuseLevel"),
        definition=fields.optional("definition"),
        language=language,
    )


def _skill_group(fields: _Fields, language: str | None) -> r.SkillGroup:
    return r.SkillGroup(
        **_concept(fields),
        concept_type=fields.text("conceptType"),
        code=fields.optional("code"),
        language=language,
    )


def _nace_codes(value: str) -> tuple[str, ...]:
    """``naceCode`` (ESCO 1.2): one code per line, each line may end with a comma."""
    lines = (part.strip() for part in value.split("\n"))
    return tuple(line.rstrip(",") for line in lines if line)


def _occupation(fields: _Fields, language: str | None) -> r.Occupation:
    return r.Occupation(
        **_concept(fields),
        concept_type=_text(fields.raw("conceptType")) or "Occupation",
        isco_group=fields.text("iscoGroup"),
        regulated_profession_note=fields.optional("regulatedProfessionNote"),
        definition=fields.optional("definition"),
        code=fields.optional("code"),
        nace_codes=_nace_codes(fields.raw("naceCode")),
        language=language,
    )


def _isco_group(fields: _Fields, language: str | None) -> r.IscoGroup:
    return r.IscoGroup(
        uri=fields.uri("conceptUri"),
        concept_type=_text(fields.raw("conceptType")) or "ISCOGroup",
        code=fields.text("code"),
        preferred_label=fields.text("preferredLabel"),
        alt_labels=fields.lines("altLabels"),
        status=fields.optional("status"),
        in_scheme=fields.uris("inScheme"),
        description=fields.optional("description"),
        language=language,
    )


def _hierarchy_levels(fields: _Fields) -> tuple[r.HierarchyLevel, ...]:
    """Levels 0 to 3, up to the first empty one."""
    levels = []
    for number in range(4):
        uri = fields.raw(f"Level {number} URI")
        if not uri.strip():
            break
        level = r.HierarchyLevel(
            uri=fields.file.uri(fields.line, f"Level {number} URI", uri),
            label=_text(fields.raw(f"Level {number} preferred term")),
            code=fields.optional(f"Level {number} code"),
        )
        levels.append(level)
    return tuple(levels)


def _hierarchy_row(fields: _Fields, language: str | None) -> r.HierarchyRow:
    levels = _hierarchy_levels(fields)
    if not levels:
        raise MalformedURIError(
            fields.file.path, fields.line, "'Level 0 URI' is empty", "the URI of a pillar root"
        )
    return r.HierarchyRow(
        levels=levels,
        description=fields.optional("Description"),
        scope_note=fields.optional("Scope note"),
        language=language,
    )


def _broader(pillar: str) -> Callable[[_Fields, str | None], r.BroaderRelation]:
    def broader(fields: _Fields, language: str | None) -> r.BroaderRelation:
        return r.BroaderRelation(
            pillar=pillar,
            concept_type=fields.optional("conceptType"),
            concept_uri=fields.uri("conceptUri"),
            broader_type=fields.optional("broaderType"),
            broader_uri=fields.uri("broaderUri"),
            language=language,
        )

    return broader


def _skill_skill(fields: _Fields, language: str | None) -> r.SkillSkillRelation:
    return r.SkillSkillRelation(
        original_uri=fields.uri("originalSkillUri"),
        original_type=fields.optional("originalSkillType"),
        relation_type=fields.text("relationType"),
        related_type=fields.optional("relatedSkillType"),
        related_uri=fields.uri("relatedSkillUri"),
        language=language,
    )


def _occupation_skill(fields: _Fields, language: str | None) -> r.OccupationSkillRelation:
    return r.OccupationSkillRelation(
        occupation_uri=fields.uri("occupationUri"),
        relation_type=fields.text("relationType"),
        skill_type=fields.optional("skillType"),
        skill_uri=fields.uri("skillUri"),
        language=language,
    )


def _member(kind: str, collection: str) -> Callable[[_Fields, str | None], r.CollectionMember]:
    def member(fields: _Fields, language: str | None) -> r.CollectionMember:
        return r.CollectionMember(
            kind=kind,
            collection=collection,
            uri=fields.uri("conceptUri"),
            concept_type=fields.optional("conceptType"),
            preferred_label=fields.text("preferredLabel"),
            status=fields.optional("status"),
            skill_type=fields.optional("skillType"),
            reuse_level=fields.optional("reuseLevel"),
            alt_labels=fields.pipes("altLabels"),
            description=fields.optional("description"),
            broader_uris=fields.file.uris(
                fields.line, "broaderConceptUri", fields.required("broaderConceptUri"), "|"
            ),
            broader_labels=fields.pipes("broaderConceptPT"),
            language=language,
        )

    return member


def _reader_of(kind: FileKind, collection: str | None) -> Callable[[_Fields, str | None], r.Record]:
    """The function that reads one record of a ``kind`` file from its fields."""
    readers: dict[FileKind, Callable[[_Fields, str | None], r.Record]] = {
        FileKind.SKILLS: _skill,
        FileKind.SKILL_GROUPS: _skill_group,
        FileKind.OCCUPATIONS: _occupation,
        FileKind.ISCO_GROUPS: _isco_group,
        FileKind.SKILLS_HIERARCHY: _hierarchy_row,
        FileKind.SKILL_BROADER: _broader("skill"),
        FileKind.OCCUPATION_BROADER: _broader("occupation"),
        FileKind.SKILL_SKILL: _skill_skill,
        FileKind.OCCUPATION_SKILL: _occupation_skill,
        FileKind.SKILL_COLLECTION: _member("skill", collection or ""),
        FileKind.OCCUPATION_COLLECTION: _member("occupation", collection or ""),
    }
    if kind not in readers:
        raise ValueError(f"no records are read from {kind.value} files")
    return readers[kind]


def make_converter(
    kind: FileKind,
    path: Path,
    header: tuple[str, ...],
    language: str | None,
    collection: str | None = None,
) -> Converter:
    """Build the function that turns ``(line, fields)`` into a record."""
    file = _Row(kind, path, header)
    read = _reader_of(kind, collection)
    # The hierarchy files drop trailing empty fields: their rows are 11 to 14 long.
    short_ok = kind is FileKind.SKILLS_HIERARCHY

    def convert(line: int, row: list[str]) -> r.Record:
        values = file.check_length(line, row, short_ok=short_ok)
        return read(_Fields(file, line, values), language)

    return convert
