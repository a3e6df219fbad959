"""Scanning: which files a folder holds, their kind, language, row count and
the ESCO version, read by a full pass that also validates every record (a dry
run of the import, in bounded memory)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import records as r
from .csvstream import DEFAULT_MAX_FIELD_SIZE, ends_with_newline
from .errors import NotAnEscoFolderError
from .kinds import SPECS, FileKind
from .source import FileReport, csv_directories, csv_files, identify_file, read_file, with_counts

# The kinds a complete ESCO classification download has in every version.
CORE_KINDS = (
    FileKind.SKILLS,
    FileKind.SKILL_GROUPS,
    FileKind.SKILLS_HIERARCHY,
    FileKind.SKILL_BROADER,
    FileKind.SKILL_SKILL,
    FileKind.OCCUPATIONS,
    FileKind.ISCO_GROUPS,
    FileKind.OCCUPATION_BROADER,
    FileKind.OCCUPATION_SKILL,
)

# Version bins the content can tell apart.
_BINS = ("1.0.x", "1.1.0", "1.1.x", "1.2.x")
_FOLDER_VERSION = re.compile(r"(?:^|[^0-9A-Za-z])v(\d+\.\d+(?:\.(?:\d+|x))?)(?![0-9A-Za-z.])")


@dataclass(frozen=True)
class FolderReport:
    """One folder of ESCO CSV files (typically one language of one version)."""

    path: Path
    files: tuple[FileReport, ...]
    other_files: tuple[str, ...]  # non-CSV files, left alone (checklist.chk, README ...)
    version: str | None  # "1.1.1" from the folder name, or a bin such as "1.2.x"
    version_source: str | None  # "given", "folder name", "content", or None
    version_evidence: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({f.language for f in self.files if f.language}))

    @property
    def kinds(self) -> tuple[FileKind, ...]:
        return tuple(k for k in FileKind if any(f.kind is k for f in self.files))

    @property
    def missing_kinds(self) -> tuple[FileKind, ...]:
        """Core kinds this folder does not have (a partial folder is fine;
        the caller decides whether it can import without them)."""
        return tuple(k for k in CORE_KINDS if k not in self.kinds)

    @property
    def total_rows(self) -> int:
        return sum(f.rows or 0 for f in self.files)

    def rows_by_file(self) -> dict[str, int | None]:
        return {f.name: f.rows for f in self.files}


@dataclass(frozen=True)
class DownloadReport:
    """A download root: every folder below it that holds CSV files."""

    path: Path
    folders: tuple[FolderReport, ...]
    version: str | None
    version_source: str | None
    warnings: tuple[str, ...] = field(default=())

    @property
    def files(self) -> tuple[FileReport, ...]:
        return tuple(f for folder in self.folders for f in folder.files)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({lang for folder in self.folders for lang in folder.languages}))

    @property
    def total_rows(self) -> int:
        return sum(folder.total_rows for folder in self.folders)


def version_from_path(path: str | Path) -> str | None:
    """``.../v1.1.1/en`` or ``ESCO dataset - v1.2.0 - classification - en - csv``
    -> ``"1.1.1"`` / ``"1.2.0"``; the deepest folder that names one wins."""
    for part in reversed(Path(path).resolve().parts):
        match = _FOLDER_VERSION.search(part)
        if match:
            return match[1]
    return None


def _bin_of(version: str) -> int | None:
    parts = version.split(".")
    if parts[:2] == ["1", "0"]:
        return 0
    if parts[:2] == ["1", "1"]:
        return 1 if parts[2:] == ["0"] else 2
    if parts[:2] == ["1", "2"]:
        return 3
    return None


def _label(lo: int, hi: int) -> str:
    if lo == hi:
        return _BINS[lo]
    if hi == len(_BINS) - 1:
        return f">={_BINS[lo]}"
    return f"{_BINS[lo]}..{_BINS[hi]}"


def content_evidence(files: list[FileReport], roots: dict[str, str]) -> list[tuple[int, int, str]]:
    """Version constraints ``(lowest bin, highest bin, why)`` from the content.

    ``roots`` maps each hierarchy pillar code to its root URI.
    """
    evidence = list(_root_evidence(roots))
    for file in files:
        evidence.extend(_file_evidence(file))
    return evidence


Evidence = Iterator[tuple[int, int, str]]


def _root_evidence(roots: dict[str, str]) -> Evidence:
    """What the hierarchy's pillar roots say of the version."""
    if "A" in roots:
        yield 0, 0, "skillsHierarchy has the 'A' (attitudes and values) pillar of 1.0"
    # Pillars whose root URI ends in the pillar's own letter (/skill/S), not a UUID.
    letters = [code for code, uri in roots.items() if _last_segment(uri) == code]
    if "T" in letters:
        yield 1, 1, "pillar roots are letter URIs (/skill/T) with a T pillar: 1.1.0"
    elif letters:
        yield 0, 1, "pillar roots are letter URIs (/skill/S ...)"
    if roots and not letters:
        yield 2, 3, "pillar roots are UUID URIs (1.1.1 and later)"


def _last_segment(uri: str) -> str:
    _parent, _slash, last = uri.rstrip("/").rpartition("/")
    return last


def _file_evidence(file: FileReport) -> Evidence:
    """What one file's kind, columns, name and dates say of the version."""
    name, kind, columns = file.name, file.kind, set(file.columns)
    if kind is FileKind.SKILL_COLLECTION:
        yield from _collection_evidence(file, columns)
    if kind is FileKind.SKILLS and "status" not in columns:
        yield 0, 0, f"{name}: reduced skills export without status (seen for 1.0.x)"
    if SPECS[kind].language_independent:
        yield from _relation_evidence(file)
    yield from _evidence_of_1_2(file, columns)


def _evidence_of_1_2(file: FileReport, columns: set[str]) -> Evidence:
    """Columns added in 1.2, and changes dated after the 1.1 releases."""
    name = file.name
    has_new_columns = "naceCode" in columns or "occupationLabel" in columns
    if has_new_columns:
        yield 3, 3, f"{name}: has columns added in 1.2"
    modified = file.max_modified
    if modified and modified >= "2024":
        yield 3, 3, f"{name}: modified in {modified[:10]}, after the 1.1 releases"


def _collection_evidence(file: FileReport, columns: set[str]) -> Evidence:
    name = file.name
    if file.collection == "ict":
        yield 0, 1, f"{name}: the ICT collection exists up to 1.1.0"
    if file.collection == "digital":
        yield 2, 3, f"{name}: the digital collection exists from 1.1.1"
    if "status" not in columns:
        yield 0, 0, f"{name}: collection without a status column (1.0)"


def _relation_evidence(file: FileReport) -> Evidence:
    """A relation file's name has a language suffix from 1.2 on."""
    if file.language_source == "file name":
        yield 3, 3, f"{file.name}: relation file with a language suffix (1.2)"
    elif file.language_source is None:
        yield 0, 2, f"{file.name}: relation file without a language suffix (before 1.2)"


def _count(info: FileReport, roots: dict[str, str], max_field_size: int) -> FileReport:
    rows = 0
    latest = None
    for record in read_file(info, max_field_size=max_field_size):
        rows += 1
        modified = getattr(record, "modified", None)
        if modified is not None and (latest is None or modified > latest):
            latest = modified
        if isinstance(record, r.HierarchyRow) and record.levels[0].code:
            roots.setdefault(record.levels[0].code, record.levels[0].uri)
    warnings = list(info.warnings)
    if info.extra_columns:
        warnings.append(f"columns not read: {', '.join(info.extra_columns)}")
    tail_ok = ends_with_newline(info.path)
    if not tail_ok:
        warnings.append("the file does not end with a line break: it may be truncated")
    return with_counts(
        info,
        rows=rows,
        ends_with_newline=tail_ok,
        max_modified=latest.isoformat() if latest else None,
        warnings=tuple(warnings),
    )


def scan_folder(
    path: str | Path,
    *,
    language: str | None = None,
    version: str | None = None,
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
) -> FolderReport:
    """Identify, count and validate every CSV file of one folder.

    ``language`` overrides the language of every file (otherwise it comes from
    the ``_xx`` suffix); ``version`` overrides version detection. Raises an
    :class:`~.errors.EscoFormatError` on the first bad file or record.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise NotAnEscoFolderError(f"{folder}: not a directory")
    paths = csv_files(folder)
    if not paths:
        raise NotAnEscoFolderError(
            f"{folder}: no CSV file here (for a download with language folders use scan_download)"
        )
    others = tuple(sorted(p.name for p in folder.iterdir() if p.is_file() and p not in paths))
    roots: dict[str, str] = {}
    files = [
        _count(
            identify_file(p, language=language, max_field_size=max_field_size),
            roots,
            max_field_size,
        )
        for p in paths
    ]
    evidence = content_evidence(files, roots)
    warnings: list[str] = []
    lo = max((e[0] for e in evidence), default=0)
    hi = min((e[1] for e in evidence), default=len(_BINS) - 1)
    content = _label(lo, hi) if evidence and lo <= hi else None
    if evidence and lo > hi:
        warnings.append(
            "the content points at different ESCO versions: " + "; ".join(e[2] for e in evidence)
        )
    from_name = version_from_path(folder)
    if version:
        found, source = version, "given"
    elif from_name:
        found, source = from_name, "folder name"
    elif content:
        found, source = content, "content"
    else:
        found, source = None, None
    if found and content and source != "content":
        b = _bin_of(found)
        if b is not None and not lo <= b <= hi:
            warnings.append(
                f"version {found} ({source}) disagrees with the content, which says {content}"
            )
    return FolderReport(
        folder, tuple(files), others, found, source, tuple(e[2] for e in evidence), tuple(warnings)
    )


def scan_download(
    path: str | Path,
    *,
    language: str | None = None,
    version: str | None = None,
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
) -> DownloadReport:
    """Scan every folder below ``path`` that holds CSV files (the path itself
    included), e.g. an unzipped download with one folder per language."""
    folders = tuple(
        scan_folder(d, language=language, version=version, max_field_size=max_field_size)
        for d in csv_directories(path)
    )
    versions = {f.version for f in folders if f.version}
    warnings = [w for f in folders for w in (f"{f.path.name}: {x}" for x in f.warnings)]
    if len(versions) > 1:
        warnings.append(f"folders of different ESCO versions: {', '.join(sorted(versions))}")
        found, source = None, None
    elif versions:
        found = versions.pop()
        source = next(f.version_source for f in folders if f.version == found)
    else:
        found, source = None, None
    return DownloadReport(Path(path), folders, found, source, tuple(warnings))
