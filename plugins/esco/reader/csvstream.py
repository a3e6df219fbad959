"""Streaming access to one CSV file: the header, then one record at a time.

The ESCO files are standard CSV (RFC 4180 quoting, UTF-8), but three things
make naive reading fail:

* records end with CRLF while quoted fields hold bare LF (labels, one per
  line), so lines cannot be split by hand. The file is opened with
  ``newline=""`` and the :mod:`csv` module does the splitting;
* some fields are longer than :func:`csv.field_size_limit`'s default of
  128 KiB in crafted or future files. That limit is process-wide state, so
  instead of raising it for good we raise it only for the duration of each
  ``next()`` on our own reader and put the previous value back before
  yielding: other code (and other readers interleaved with ours) never sees
  our limit. The limit is still finite, which keeps memory bounded when a
  corrupt file has an unterminated quote that would otherwise swallow the
  rest of the file into one field;
* a UTF-8 byte-order mark is stripped (``utf-8-sig``).

``strict=True`` makes the parser refuse a quote in the middle of an unquoted
field and, crucially, an end of file inside a quoted field: that is what a
truncated download looks like.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from .errors import EscoFormatError, MalformedCSVError

# Large enough for any real ESCO field (the longest in 1.2 is a few KiB) and
# for the 200 KB fields of the tests; small enough to stop a runaway quote.
DEFAULT_MAX_FIELD_SIZE = 16 * 1024 * 1024


def ends_with_newline(path: str | Path) -> bool:
    """Whether a file's last byte is a line break. Every real ESCO file ends
    with one; a file that does not may have been cut short."""
    with open(path, "rb") as raw:
        raw.seek(0, 2)
        if raw.tell() == 0:
            return False
        raw.seek(-1, 2)
        return raw.read(1) in (b"\n", b"\r")


class CsvStream:
    """An open ESCO CSV file. Use as a context manager::

    with CsvStream(path) as stream:
        stream.header          # tuple of column names
        for line, row in stream.records():
            ...                # line: physical line where the record starts
    """

    def __init__(self, path: str | Path, max_field_size: int = DEFAULT_MAX_FIELD_SIZE):
        self.path = Path(path)
        self.max_field_size = max_field_size
        self._file = open(self.path, encoding="utf-8-sig", newline="")
        self._reader = csv.reader(self._file, strict=True)
        self._line = 0  # physical lines consumed so far
        try:
            first = self._next()
        except BaseException:
            self._file.close()
            raise
        if first is None:
            self._file.close()
            raise MalformedCSVError(self.path, 1, "the file is empty", "an ESCO header line")
        self.header_line, raw = first
        self.header = tuple(name.strip() for name in raw)
        seen: set[str] = set()
        for name in self.header:
            if name in seen:
                self._file.close()
                raise MalformedCSVError(
                    self.path,
                    self.header_line,
                    f"column {name!r} appears twice in the header",
                    "each column name once",
                )
            seen.add(name)

    def __enter__(self) -> CsvStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def _next(self) -> tuple[int, list[str]] | None:
        start = self._line + 1
        set_limit = csv.field_size_limit
        previous = set_limit(self.max_field_size)
        try:
            row = next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise self._csv_error(start, exc) from exc
        except UnicodeDecodeError as exc:
            raise MalformedCSVError(
                self.path,
                start,
                f"bytes that are not UTF-8 near this line ({exc.reason} at byte "
                f"offset {exc.start} of the current read buffer)",
                "UTF-8 text",
            ) from exc
        finally:
            set_limit(previous)
        self._line = self._reader.line_num
        # Since Python 3.11 the csv module accepts NUL. In an ESCO file a NUL
        # means damage (a download preallocated with zeros and cut short).
        if "\x00" in "".join(row):
            raise MalformedCSVError(
                self.path,
                start,
                "a NUL byte in the record starting here (a damaged download?)",
                "text without NUL bytes",
            )
        return start, row

    def _csv_error(self, start: int, exc: csv.Error) -> EscoFormatError:
        text = str(exc)
        at = self._reader.line_num
        if "field larger than field limit" in text:
            return MalformedCSVError(
                self.path,
                start,
                f"a field of the record starting here is larger than "
                f"{self.max_field_size} characters (an unterminated quote?)",
                "fields below the reader's max_field_size",
            )
        if "unexpected end of data" in text:
            return MalformedCSVError(
                self.path,
                start,
                f"the file ends inside a quoted field that starts on this line "
                f"(read up to line {at}): the file looks truncated",
                "a closing quote and a complete last record",
            )
        return MalformedCSVError(
            self.path,
            start,
            f"invalid CSV in the record starting here (parser stopped at line {at}: {text})",
            "RFC 4180 quoting: a quoted field ends with a quote followed by a comma or line end",
        )

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(line, fields)`` for each record after the header, skipping
        blank lines. ``line`` is where the record starts."""
        while True:
            item = self._next()
            if item is None:
                return
            if item[1]:
                yield item
