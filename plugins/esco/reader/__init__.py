"""Framework-free reader for the ESCO classification's CSV download.

Nothing here knows about Pyramid or the database: the ``col esco import``
command wires these generators to the models. The API::

    scan_folder(path, *, language=None, version=None) -> FolderReport
        One folder of CSV files (e.g. ``v1.1.1/en/``): every file's kind,
        language, columns and exact row count, the ESCO version and how it
        was found. Reads every record, so it is also a validating dry run.

    scan_download(path, *, language=None, version=None) -> DownloadReport
        The same for every folder below a download root.

    iter_records(path, *, kinds=None, languages=None, language=None) -> Iterator[Record]
        Stream typed records (see :mod:`.records`) from a file, a folder or a
        download, in import order (concepts first, then relations).

    plan(path, ...) -> list[FileReport]
        The files iter_records would read, in order (headers only).

    iter_file(path, *, language=None) -> Iterator[Record]
    read_file(file_report) -> Iterator[Record]          # a file plan() chose
    identify_file(path, *, language=None) -> FileReport
    batched(iterable, size=1000) -> Iterator[list]
    detect_language(filename) -> str | None      # "skills_en-us.csv" -> "en-US"
    version_from_path(path) -> str | None        # ".../v1.1.1/en" -> "1.1.1"

Files are recognised by their header, not their name. Every format problem
raises an :class:`EscoFormatError` subclass naming the file, the line and
what was expected.
"""

from .csvstream import DEFAULT_MAX_FIELD_SIZE
from .errors import (
    BadRowLengthError,
    BadValueError,
    EscoFormatError,
    EscoReaderError,
    MalformedCSVError,
    MalformedURIError,
    MissingColumnError,
    NotAnEscoFolderError,
    UnknownHeaderError,
)
from .iterate import batched, iter_records, plan
from .kinds import FileKind, detect_language, normalize_language
from .records import (
    BroaderRelation,
    CollectionMember,
    HierarchyLevel,
    HierarchyRow,
    IscoGroup,
    Occupation,
    OccupationSkillRelation,
    Record,
    Skill,
    SkillGroup,
    SkillSkillRelation,
)
from .scan import (
    CORE_KINDS,
    DownloadReport,
    FolderReport,
    scan_download,
    scan_folder,
    version_from_path,
)
from .source import FileReport, identify_file, iter_file, read_file

__all__ = [
    "BadRowLengthError",
    "BadValueError",
    "BroaderRelation",
    "CORE_KINDS",
    "CollectionMember",
    "DEFAULT_MAX_FIELD_SIZE",
    "DownloadReport",
    "EscoFormatError",
    "EscoReaderError",
    "FileKind",
    "FileReport",
    "FolderReport",
    "HierarchyLevel",
    "HierarchyRow",
    "IscoGroup",
    "MalformedCSVError",
    "MalformedURIError",
    "MissingColumnError",
    "NotAnEscoFolderError",
    "Occupation",
    "OccupationSkillRelation",
    "Record",
    "Skill",
    "SkillGroup",
    "SkillSkillRelation",
    "UnknownHeaderError",
    "batched",
    "detect_language",
    "identify_file",
    "iter_file",
    "iter_records",
    "normalize_language",
    "plan",
    "read_file",
    "scan_download",
    "scan_folder",
    "version_from_path",
]
