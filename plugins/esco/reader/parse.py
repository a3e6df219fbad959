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


def make_converter(
    kind: FileKind,
    path: Path,
    header: tuple[str, ...],
    language: str | None,
    collection: str | None = None,
) -> Converter:
    """Build the function that turns ``(line, fields)`` into a record."""
    f = _Row(kind, path, header)
    c = f.col
    E = ""  # stands for an absent optional column

    def g(row: list[str], i: int | None) -> str:
        return row[i] if i is not None else E

    def need(row: list[str], i: int | None) -> str:
        # A required column: the header check in kinds.py guarantees that it is there.
        assert i is not None
        return row[i]

    if kind is FileKind.SKILLS:
        i = [
            c(n)
            for n in (
                "conceptUri",
                "conceptType",
                "skillType",
                "reuseLevel",
                "preferredLabel",
                "altLabels",
                "hiddenLabels",
                "status",
                "modifiedDate",
                "scopeNote",
                "definition",
                "inScheme",
                "description",
            )
        ]

        def skill(line: int, row: list[str]) -> r.Skill:
            row = f.check_length(line, row)
            return r.Skill(
                f.uri(line, "conceptUri", need(row, i[0])),
                _text(need(row, i[1])),
                _opt(g(row, i[2])),
                _opt(g(row, i[3])),
                _text(need(row, i[4])),
                _lines(g(row, i[5])),
                _lines(g(row, i[6])),
                _opt(g(row, i[7])),
                f.date(line, "modifiedDate", g(row, i[8])),
                _opt(g(row, i[9])),
                _opt(g(row, i[10])),
                f.uris(line, "inScheme", g(row, i[11]), "\n"),
                _opt(g(row, i[12])),
                language,
            )

        return skill

    if kind is FileKind.SKILL_GROUPS:
        i = [
            c(n)
            for n in (
                "conceptUri",
                "conceptType",
                "preferredLabel",
                "altLabels",
                "hiddenLabels",
                "status",
                "modifiedDate",
                "scopeNote",
                "inScheme",
                "description",
                "code",
            )
        ]

        def group(line: int, row: list[str]) -> r.SkillGroup:
            row = f.check_length(line, row)
            return r.SkillGroup(
                f.uri(line, "conceptUri", need(row, i[0])),
                _text(need(row, i[1])),
                _text(need(row, i[2])),
                _lines(g(row, i[3])),
                _lines(g(row, i[4])),
                _opt(g(row, i[5])),
                f.date(line, "modifiedDate", g(row, i[6])),
                _opt(g(row, i[7])),
                f.uris(line, "inScheme", g(row, i[8]), "\n"),
                _opt(g(row, i[9])),
                _opt(g(row, i[10])),
                language,
            )

        return group

    if kind is FileKind.OCCUPATIONS:
        i = [
            c(n)
            for n in (
                "conceptUri",
                "conceptType",
                "iscoGroup",
                "preferredLabel",
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
            )
        ]

        def occupation(line: int, row: list[str]) -> r.Occupation:
            row = f.check_length(line, row)
            return r.Occupation(
                f.uri(line, "conceptUri", need(row, i[0])),
                _text(g(row, i[1])) or "Occupation",
                _text(need(row, i[2])),
                _text(need(row, i[3])),
                _lines(g(row, i[4])),
                _lines(g(row, i[5])),
                _opt(g(row, i[6])),
                f.date(line, "modifiedDate", g(row, i[7])),
                _opt(g(row, i[8])),
                _opt(g(row, i[9])),
                _opt(g(row, i[10])),
                f.uris(line, "inScheme", g(row, i[11]), "\n"),
                _opt(g(row, i[12])),
                _opt(g(row, i[13])),
                tuple(p.strip().rstrip(",") for p in g(row, i[14]).split("\n") if p.strip()),
                language,
            )

        return occupation

    if kind is FileKind.ISCO_GROUPS:
        i = [
            c(n)
            for n in (
                "conceptUri",
                "conceptType",
                "code",
                "preferredLabel",
                "altLabels",
                "status",
                "inScheme",
                "description",
            )
        ]

        def isco(line: int, row: list[str]) -> r.IscoGroup:
            row = f.check_length(line, row)
            return r.IscoGroup(
                f.uri(line, "conceptUri", need(row, i[0])),
                _text(g(row, i[1])) or "ISCOGroup",
                _text(need(row, i[2])),
                _text(need(row, i[3])),
                _lines(g(row, i[4])),
                _opt(g(row, i[5])),
                f.uris(line, "inScheme", g(row, i[6]), "\n"),
                _opt(g(row, i[7])),
                language,
            )

        return isco

    if kind is FileKind.SKILLS_HIERARCHY:
        levels = [
            (n, c(f"Level {n} URI"), c(f"Level {n} preferred term"), c(f"Level {n} code"))
            for n in range(4)
        ]
        i_desc, i_scope = c("Description"), c("Scope note")

        def hierarchy(line: int, row: list[str]) -> r.HierarchyRow:
            # The real files drop trailing empty fields: rows are 11 to 14 long.
            row = f.check_length(line, row, short_ok=True)
            filled = []
            for n, iu, il, ic in levels:
                value = g(row, iu)
                if not value.strip():
                    break
                filled.append(
                    r.HierarchyLevel(
                        f.uri(line, f"Level {n} URI", value), _text(g(row, il)), _opt(g(row, ic))
                    )
                )
            if not filled:
                raise MalformedURIError(
                    path, line, "'Level 0 URI' is empty", "the URI of a pillar root"
                )
            return r.HierarchyRow(
                tuple(filled), _opt(g(row, i_desc)), _opt(g(row, i_scope)), language
            )

        return hierarchy

    if kind in (FileKind.SKILL_BROADER, FileKind.OCCUPATION_BROADER):
        pillar = "skill" if kind is FileKind.SKILL_BROADER else "occupation"
        i = [c(n) for n in ("conceptType", "conceptUri", "broaderType", "broaderUri")]

        def broader(line: int, row: list[str]) -> r.BroaderRelation:
            row = f.check_length(line, row)
            return r.BroaderRelation(
                pillar,
                _opt(g(row, i[0])),
                f.uri(line, "conceptUri", need(row, i[1])),
                _opt(g(row, i[2])),
                f.uri(line, "broaderUri", need(row, i[3])),
                language,
            )

        return broader

    if kind is FileKind.SKILL_SKILL:
        i = [
            c(n)
            for n in (
                "originalSkillUri",
                "originalSkillType",
                "relationType",
                "relatedSkillType",
                "relatedSkillUri",
            )
        ]

        def skill_skill(line: int, row: list[str]) -> r.SkillSkillRelation:
            row = f.check_length(line, row)
            return r.SkillSkillRelation(
                f.uri(line, "originalSkillUri", need(row, i[0])),
                _opt(g(row, i[1])),
                _text(need(row, i[2])),
                _opt(g(row, i[3])),
                f.uri(line, "relatedSkillUri", need(row, i[4])),
                language,
            )

        return skill_skill

    if kind is FileKind.OCCUPATION_SKILL:
        i = [c(n) for n in ("occupationUri", "relationType", "skillType", "skillUri")]

        def occupation_skill(line: int, row: list[str]) -> r.OccupationSkillRelation:
            row = f.check_length(line, row)
            return r.OccupationSkillRelation(
                f.uri(line, "occupationUri", need(row, i[0])),
                _text(need(row, i[1])),
                _opt(g(row, i[2])),
                f.uri(line, "skillUri", need(row, i[3])),
                language,
            )

        return occupation_skill

    if kind in (FileKind.SKILL_COLLECTION, FileKind.OCCUPATION_COLLECTION):
        member_kind = "skill" if kind is FileKind.SKILL_COLLECTION else "occupation"
        i = [
            c(n)
            for n in (
                "conceptUri",
                "conceptType",
                "preferredLabel",
                "status",
                "skillType",
                "reuseLevel",
                "altLabels",
                "description",
                "broaderConceptUri",
                "broaderConceptPT",
            )
        ]
        name = collection or ""

        def member(line: int, row: list[str]) -> r.CollectionMember:
            row = f.check_length(line, row)
            return r.CollectionMember(
                member_kind,
                name,
                f.uri(line, "conceptUri", need(row, i[0])),
                _opt(g(row, i[1])),
                _text(need(row, i[2])),
                _opt(g(row, i[3])),
                _opt(g(row, i[4])),
                _opt(g(row, i[5])),
                _pipes(g(row, i[6])),
                _opt(g(row, i[7])),
                f.uris(line, "broaderConceptUri", need(row, i[8]), "|"),
                _pipes(g(row, i[9])),
                language,
            )

        return member

    raise ValueError(f"no records are read from {kind.value} files")
