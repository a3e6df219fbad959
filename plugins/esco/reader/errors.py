"""Errors raised by the ESCO reader.

Every format problem is an :class:`EscoFormatError` that names the file, the
physical line where the offending record starts (1-based, the header is line 1)
and what the reader expected, so that a city's staff can find the bad byte in a
multi-megabyte download without a debugger.
"""

from __future__ import annotations

from pathlib import Path


class EscoReaderError(Exception):
    """Base class of everything the ESCO reader raises on purpose."""


class NotAnEscoFolderError(EscoReaderError):
    """The path given holds no CSV file at all (or does not exist)."""


class EscoFormatError(EscoReaderError, ValueError):
    """A file does not look like the ESCO CSV format.

    ``path`` is the file, ``line`` the 1-based physical line where the bad record
    starts (``None`` when the problem is the file as a whole), ``problem`` says
    what was found and ``expected`` what the reader wanted instead.
    """

    def __init__(
        self,
        path: str | Path,
        line: int | None,
        problem: str,
        expected: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        self.expected = expected
        where = f"{self.path}" if line is None else f"{self.path}, line {line}"
        message = f"{where}: {problem}"
        if expected:
            message += f"; expected {expected}"
        super().__init__(message)


class UnknownHeaderError(EscoFormatError):
    """The header matches no ESCO file kind the reader knows."""


class MissingColumnError(EscoFormatError):
    """The header is recognisable but lacks a column the reader needs."""


class BadRowLengthError(EscoFormatError):
    """A record has more (or, for most kinds, fewer) fields than the header."""


class MalformedURIError(EscoFormatError):
    """A field that must hold an http(s) URI holds something else."""


class BadValueError(EscoFormatError):
    """A field holds a value of the wrong shape (for example a bad date)."""


class MalformedCSVError(EscoFormatError):
    """The bytes are not valid CSV: an unterminated quote (a truncated file),
    a stray quote, a NUL byte, a field over the size limit, or bad UTF-8."""
