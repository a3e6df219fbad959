"""Scanning: which files a folder holds, their kind, language, row count and
the ESCO version, read by a full pass that also validates every record (a dry
run of the import, in bounded memory)."""

from __future__ import annotations

import re
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
    ev: list[tuple[int, int, str]] = []
    if "A" in roots:
        ev.append((0, 0, "skillsHierarchy has the 'A' (attitudes and values) pillar of 1.0"))
    letters = {c: u for c, u in roots.items() if u.rstrip("/").rsplit("/", 1)[-1] == c}
    if "T" in letters:
        ev.append((1, 1, "pillar roots are letter URIs (/skill/T) with a T pillar: 1.1.0"))
    elif letters:
        ev.append((0, 1, "pillar roots are letter URIs (/skill/S ...)"))
    if roots and not letters:
        ev.append((2, 3, "pillar roots are UUID URIs (1.1.1 and later)"))
    for f in files:
        cols = set(f.columns)
        if f.kind is FileKind.SKILL_COLLECTION and f.collection == "ict":
            ev.append((0, 1, f"{f.name}: the ICT collection exists up to 1.1.0"))
        if f.kind is FileKind.SKILL_COLLECTION and f.collection == "digital":
            ev.append((2, 3, f"{f.name}: the digital collection exists from 1.1.1"))
        if f.kind is FileKind.SKILL_COLLECTION and "status" not in cols:
            ev.append((0, 0, f"{f.name}: collection without a status column (1.0)"))
        if f.kind is FileKind.SKILLS and "status" not in cols:
            ev.append((0, 0, f"{f.name}: reduced skills export without status (seen for 1.0.x)"))
        if SPECS[f.kind].language_independent and f.language_source == "file name":
            ev.append((3, 3, f"{f.name}: relation file with a language suffix (1.2)"))
        elif SPECS[f.kind].language_independent and f.language_source is None:
            ev.append((0, 2, f"{f.name}: relation file without a language suffix (before 1.2)"))
        if "naceCode" in cols or "occupationLabel" in cols:
            ev.append((3, 3, f"{f.name}: has columns added in 1.2"))
        if f.max_modified and f.max_modified >= "2024":
            ev.append(
                (3, 3, f"{f.name}: modified in {f.max_modified[:10]}, after the 1.1 releases")
            )
    return ev


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
