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


@dataclass(frozen=True)
class Labelled:
    """A cell shown as ``label`` (a month's name) whose exports also keep ``value`` ("2026-11")
    for machines: JSON as ``value`` plus ``<column>_label``, CSV as a second column."""

    value: str
    label: str

    def __str__(self) -> str:
        return self.label


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
        return {
            "key": self.key,
            "title": self.title,
            "rows": [
                dict(item for k, v in zip(keys, row, strict=False) for item in _json_items(k, v))
                for row in self.rows
            ],
        }

    def as_csv(self, fewer_than, coded) -> str:
        """CSV with translated headers; ``fewer_than(n)`` words a suppressed figure, and a
        column of :class:`Labelled` cells is followed by their values under ``coded(key, label)``."""
        labelled = [
            any(isinstance(row[index], Labelled) for row in self.rows)
            for index in range(len(self.columns))
        ]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                header
                for (key, label), both in zip(self.columns, labelled, strict=False)
                for header in ([label, coded(key, label)] if both else [label])
            ]
        )
        for row in self.rows:
            writer.writerow(
                [
                    cell
                    for value, both in zip(row, labelled, strict=False)
                    for cell in _csv_cells(value, both, fewer_than)
                ]
            )
        return out.getvalue()


def _json_items(key: str, value):
    if isinstance(value, Labelled):
        return [(key, value.value), (f"{key}_label", value.label)]
    return [(key, value.as_json() if isinstance(value, Suppressed) else value)]


def _csv_cells(value, both: bool, fewer_than) -> list:
    if isinstance(value, Labelled):
        return [_csv_safe(value.label), _csv_safe(value.value)]
    cell = fewer_than(value.below) if isinstance(value, Suppressed) else _csv_safe(value)
    return [cell, ""] if both else [cell]


def _csv_safe(value):
    # Text beginning with =, +, - or @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
