"""The period a dashboard covers: ``start`` and ``end`` dates, ``end`` excluded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

DEFAULT_MONTHS = 6
MAX_DAYS = 3660  # ten years: longer ranges are typing mistakes, not questions


class PeriodError(ValueError):
    def __init__(self, message, fields):
        super().__init__(message)
        self.message = message
        self.fields = fields


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # excluded

    @classmethod
    def last_months(cls, today: dt.date, months: int = DEFAULT_MONTHS) -> Period:
        end = today + dt.timedelta(days=1)
        return cls(end - relativedelta(months=months), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Period:
        """The period of the same length just before this one, for comparisons."""
        return Period(self.start - dt.timedelta(days=self.days), self.start)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as naive UTC datetimes, as the tables store them."""
        return (
            dt.datetime.combine(self.start, dt.time()),
            dt.datetime.combine(self.end, dt.time()),
        )

    def months(self) -> list[str]:
        """Every month the period touches, as "YYYY-MM", in order."""
        found, month = [], self.start.replace(day=1)
        while month < self.end:
            found.append(month.strftime("%Y-%m"))
            month += relativedelta(months=1)
        return found

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def parse_period(params, today: dt.date, _) -> Period:
    """The period of ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (both included); the last six months
    when absent.  Raises :class:`PeriodError` with a message per field."""
    default = Period.last_months(today)
    errors, values = {}, {}
    for name in ("from", "to"):
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        try:
            values[name] = dt.date.fromisoformat(raw)
        except ValueError:
            errors[name] = _("Enter a date as YYYY-MM-DD, for example 2026-06-30.")
    if errors:
        raise PeriodError(_("The period is not valid."), errors)
    start = values.get("from", default.start)
    end = values.get("to", default.end - dt.timedelta(days=1)) + dt.timedelta(days=1)
    if end <= start:
        raise PeriodError(
            _("The period is not valid."),
            {"to": _("The end date must not be before the start date.")},
        )
    if (end - start).days > MAX_DAYS:
        raise PeriodError(
            _("The period is not valid."), {"from": _("Choose a period of at most ten years.")}
        )
    return Period(start, end)
