"""Enrichment (issue 5) — placeholder until the code-list matcher lands: sets the enrichment
columns to 'unknown' so records stay schema-complete."""

from __future__ import annotations

from extract.schema import COLUMNS, LIST


def enrich(record: dict) -> list[str]:
    for col in COLUMNS:
        if col.group == "enrichment":
            record[col.name] = [] if col.type == LIST else None
    return []
