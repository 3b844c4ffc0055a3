"""Record validation against the one schema: shape and types, before anything is written."""

from __future__ import annotations

from datetime import date, datetime

from projektbank.extract.schema import BOOL, COLUMNS, DATE, FLOAT, INT, LIST, MAP, TIMESTAMP

_CHECK = {
    DATE: lambda v: isinstance(v, date) and not isinstance(v, datetime),
    TIMESTAMP: lambda v: isinstance(v, datetime) and v.tzinfo is not None,
    INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
    FLOAT: lambda v: isinstance(v, float | int) and not isinstance(v, bool),
    BOOL: lambda v: isinstance(v, bool),
    MAP: lambda v: isinstance(v, dict) and all(
        isinstance(k, str) and isinstance(x, str) for k, x in v.items()),
    LIST: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
}


def validate_record(record: dict) -> list[str]:
    """Problems that would make the record unwritable or misleading; [] when it is sound."""
    problems = []
    missing = [c.name for c in COLUMNS if c.name not in record]
    if missing:
        problems.append(f"record: missing columns {', '.join(missing)}")
    extra = sorted(set(record) - {c.name for c in COLUMNS})
    if extra:
        problems.append(f"record: columns not in the schema {', '.join(extra)}")
    for col in COLUMNS:
        value = record.get(col.name)
        if value is None:
            continue
        check = _CHECK.get(col.type, lambda v: isinstance(v, str))
        if not check(value):
            problems.append(f"{col.name}: {type(value).__name__} is not {col.type}")
    if not record.get("project_id"):
        problems.append("project_id: missing")
    return problems
