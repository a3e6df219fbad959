"""Dashboard tables: one structure rendered as an HTML table, a chart, CSV and JSON."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Suppressed:
    """A count of fewer than ``below`` people, never shown as a number."""

    below: int

    def as_json(self) -> dict:
        return {"fewer_than": self.below}


@dataclass
class Table:
    key: str  # URL-safe: the CSV export's name
    title: str  # translated
    columns: list[tuple[str, str]]  # (key, translated label); the first column labels the rows
    rows: list[list[Any]] = field(default_factory=list)
    chart: str = ""  # "", "line", "bar" or "map"
    note: str = ""  # translated, shown under the table

    def as_json(self) -> dict:
        keys = [key for key, _ in self.columns]
        return {"key": self.key, "title": self.title,
                "rows": [{k: _json_value(v) for k, v in zip(keys, row)} for row in self.rows]}

    def as_csv(self, fewer_than) -> str:
        """CSV with translated headers; ``fewer_than(n)`` words a suppressed figure."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([label for _, label in self.columns])
        for row in self.rows:
            writer.writerow([fewer_than(v.below) if isinstance(v, Suppressed) else _csv_safe(v)
                             for v in row])
        return out.getvalue()


def _json_value(value):
    return value.as_json() if isinstance(value, Suppressed) else value


def _csv_safe(value):
    # Text beginning with =, +, - or @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
