"""Finding the CSV files of an ESCO folder or download, and reading one file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import records as r
from .csvstream import DEFAULT_MAX_FIELD_SIZE, CsvStream
from .errors import NotAnEscoFolderError
from .kinds import (
    SPECS,
    FileKind,
    collection_name,
    detect_language,
    identify,
    normalize_language,
)
from .parse import make_converter


@dataclass(frozen=True)
class FileReport:
    """What one CSV file is. ``rows`` is ``None`` until the file is counted
    (:func:`identify_file` only reads the header and the first record)."""

    path: Path
    kind: FileKind
    language: str | None
    language_source: str | None  # "file name", "given", or None
    collection: str | None
    columns: tuple[str, ...]
    extra_columns: tuple[str, ...]  # columns this reader does not know (ignored)
    rows: int | None = None
    ends_with_newline: bool = True
    max_modified: str | None = None  # latest modifiedDate, as written
    warnings: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def ignored(self) -> bool:
        return SPECS[self.kind].ignored


def identify_file(
    path: str | Path,
    *,
    language: str | None = None,
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
) -> FileReport:
    """Read the header (and the first record, to break ties) of one file.

    ``language`` overrides the language given by the file name's suffix.
    Raises :class:`~.errors.UnknownHeaderError` or
    :class:`~.errors.MissingColumnError` naming the file and line 1.
    """
    path = Path(path)
    with CsvStream(path, max_field_size) as stream:
        header = stream.header
        first_type = None
        if "conceptType" in header:
            first = next(stream.records(), None)
            if first is not None:
                at = header.index("conceptType")
                first_type = first[1][at].strip() if at < len(first[1]) else None
    kind, warnings = identify(path, header, first_type)
    lang: str | None
    source: str | None
    if language:
        lang, source = normalize_language(language), "given"
    else:
        lang = detect_language(path)
        source = "file name" if lang else None
    collection = (
        collection_name(path)
        if kind in (FileKind.SKILL_COLLECTION, FileKind.OCCUPATION_COLLECTION)
        else None
    )
    known = SPECS[kind].known
    extra = tuple(c for c in header if c not in known)
    return FileReport(path, kind, lang, source, collection, header, extra, warnings=tuple(warnings))


def read_file(
    info: FileReport, *, max_field_size: int = DEFAULT_MAX_FIELD_SIZE
) -> Iterator[r.Record]:
    """Stream the records of an identified file, one at a time."""
    if info.ignored:
        return
    with CsvStream(info.path, max_field_size) as stream:
        convert = make_converter(
            info.kind, info.path, stream.header, info.language, info.collection
        )
        for line, row in stream.records():
            yield convert(line, row)


def iter_file(
    path: str | Path,
    *,
    language: str | None = None,
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
) -> Iterator[r.Record]:
    """Stream the records of one CSV file, whatever its kind."""
    info = identify_file(path, language=language, max_field_size=max_field_size)
    yield from read_file(info, max_field_size=max_field_size)


def csv_directories(path: str | Path) -> list[Path]:
    """The directories under ``path`` (itself included) that hold CSV files,
    sorted. Raises :class:`NotAnEscoFolderError` when there are none."""
    root = Path(path)
    if not root.is_dir():
        raise NotAnEscoFolderError(f"{root}: not a directory")
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if any(n.lower().endswith(".csv") for n in filenames):
            found.append(Path(dirpath))
    if not found:
        raise NotAnEscoFolderError(f"{root}: no CSV file in this folder or below it")
    return sorted(found)


def csv_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.name.lower().endswith(".csv"))


def with_counts(info: FileReport, **changes: Any) -> FileReport:
    return replace(info, **changes)
