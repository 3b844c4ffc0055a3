"""The one timestamp format of the archive, and the one parser of ISO 8601 timestamps."""

from __future__ import annotations

from datetime import UTC, datetime


def warc_date(ts: datetime) -> str:
    """ISO 8601 UTC with microseconds, as WARC/1.1 allows."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(value: object) -> datetime | None:
    """A WARC-Date or any ISO 8601 date-time (`Z` or an offset; without one it is UTC) as an
    aware UTC datetime; None for anything else: not text, over 64 characters (no real
    timestamp is; a hostile sidecar may hold megabytes), not a date-time, or out of range once
    in UTC (year 1 or 9999 at the edge)."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
