"""Streaming every record of a folder or download, in import order."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TypeVar

from . import records as r
from .csvstream import DEFAULT_MAX_FIELD_SIZE
from .kinds import IMPORT_ORDER, SPECS, FileKind, normalize_language
from .source import FileReport, csv_directories, csv_files, identify_file, read_file

T = TypeVar("T")


def _language_rank(lang: str | None, wanted: list[str] | None) -> int | None:
    """Position of a file's language in the wanted list (``None``: not wanted).
    ``"en"`` matches ``en`` and ``en-US``; files without a language always match."""
    if lang is None or wanted is None:
        return 0
    for rank, want in enumerate(wanted):
        if lang.lower() == want.lower() or lang.split("-")[0].lower() == want.lower():
            return rank
    return None


def plan(
    path: str | Path,
    *,
    kinds: Collection[FileKind | str] | None = None,
    languages: Iterable[str] | None = None,
    language: str | None = None,
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
) -> list[FileReport]:
    """The files :func:`iter_records` will read, in the order it reads them.

    Only headers are read. Relation files do not depend on the language, so
    in a download with several language folders (or several ``_xx`` relation
    files in one folder) each relation kind is read from one file only: the
    one of the first language in ``languages`` (or the first in name order).
    Folders are grouped by their parent, so ``v1.1.1/en`` and ``v1.2.0/en``
    each keep their own relations.
    """
    root = Path(path)
    wanted = [normalize_language(x) for x in languages] if languages is not None else None
    kind_set = {FileKind(k) for k in kinds} if kinds is not None else None
    if root.is_file():
        paths = [root]
    else:
        paths = [p for d in csv_directories(root) for p in csv_files(d)]
    chosen: list[tuple[int, int, str, FileReport]] = []
    for p in paths:
        info = identify_file(p, language=language, max_field_size=max_field_size)
        if info.ignored or (kind_set is not None and info.kind not in kind_set):
            continue
        rank = _language_rank(info.language, wanted)
        if rank is None:
            continue
        chosen.append((IMPORT_ORDER.index(info.kind), rank, str(p), info))
    chosen.sort(key=lambda item: item[:3])
    result: list[FileReport] = []
    taken: set[tuple[FileKind, Path]] = set()
    for _, _, _, info in chosen:
        if SPECS[info.kind].language_independent:
            key = (info.kind, info.path.parent.parent)
            if key in taken:
                continue
            taken.add(key)
        result.append(info)
    return result


def iter_records(
    path: str | Path,
    *,
    kinds: Collection[FileKind | str] | None = None,
    languages: Iterable[str] | None = None,
    language: str | None = None,
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
) -> Iterator[r.Record]:
    """Yield the records of a CSV file, a language folder or a whole download,
    one at a time, concepts before the relations that point at them.

    ``kinds`` restricts the file kinds (``FileKind`` members or their values,
    such as ``"skills"``); ``languages`` restricts and orders the languages
    (``["en", "de"]``; ``"en"`` also takes ``en-US``); ``language`` forces the
    language of every file. Only one file is open at a time and no file is
    loaded whole, so memory stays flat whatever the download's size.
    """
    files = plan(
        path, kinds=kinds, languages=languages, language=language, max_field_size=max_field_size
    )
    for info in files:
        yield from read_file(info, max_field_size=max_field_size)


def batched(items: Iterable[T], size: int = 1000) -> Iterator[list[T]]:
    """Group an iterable into lists of at most ``size`` items, for bulk
    database writes: ``for batch in batched(iter_records(p), 2000): ...``."""
    if size < 1:
        raise ValueError("size must be at least 1")
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch
