"""Timestamps as both badge versions write them: ISO 8601, UTC, whole seconds, ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso_utc", "parse_iso", "utcnow"]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, truncated to whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


def iso_utc(value: datetime | str) -> str:
    """``2024-05-01T12:00:00Z`` for an aware datetime; naive datetimes are taken as UTC.

    A string is parsed first, so callers may pass either.
    """
    if isinstance(value, str):
        value = parse_iso(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    """An aware datetime from ISO 8601 text (``Z`` or an offset; naive is taken as UTC).

    Raises ``ValueError`` for text that is not a date-time.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
