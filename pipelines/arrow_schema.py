"""The Arrow/Parquet schema, derived from the one schema (extract/schema.py)."""

from __future__ import annotations

import json
from functools import cache

import pyarrow as pa
from projektbank.extract.schema import (
    BOOL,
    CATEGORY,
    COLUMNS,
    DATE,
    FLOAT,
    INT,
    LIST,
    MAP,
    STRING,
    TIMESTAMP,
    Column,
    arrow_type_name,
)
from projektbank.extract.version import EXTRACTOR_VERSION

_TYPES = {
    STRING: pa.string(),
    CATEGORY: pa.dictionary(pa.int32(), pa.string()),
    DATE: pa.date32(),
    FLOAT: pa.float64(),
    INT: pa.int64(),
    BOOL: pa.bool_(),
    TIMESTAMP: pa.timestamp("us", tz="UTC"),
    MAP: pa.map_(pa.string(), pa.string()),
    LIST: pa.list_(pa.string()),
}


def arrow_field(col: Column) -> pa.Field:
    meta = {"description": col.description}
    if col.labels:
        meta["source_labels"] = json.dumps(list(col.labels), ensure_ascii=False)
    return pa.field(col.name, _TYPES[col.type], nullable=True, metadata=meta)


@cache
def arrow_schema() -> pa.Schema:
    return pa.schema([arrow_field(c) for c in COLUMNS],
                     metadata={"producer": EXTRACTOR_VERSION,
                               "dataset": "esf.se project bank (projektbank)"})


def schema_json() -> dict:
    """`schema.json`, written beside each dataset: the data dictionary as data."""
    return {
        "producer": EXTRACTOR_VERSION,
        "columns": [
            {"name": c.name, "type": arrow_type_name(c), "source_labels": list(c.labels),
             "description": c.description, "group": c.group,
             **({"codelist": c.codelist} if c.codelist else {})}
            for c in COLUMNS
        ],
    }
