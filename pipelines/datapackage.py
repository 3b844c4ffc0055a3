"""`datapackage.json` beside `projects.csv`: a Frictionless Data Package (Table Schema) derived
from the one schema (extract/schema.py), so CSV readers get every column's type, description
and missing value.

    frictionless validate output/samples/datapackage.json

How the CSV writes each logical type, and the Table Schema type that reads it back:
  string, category → string          date → date (ISO `2024-01-31`)
  int → integer                      float → number (`62.5`; --excel-csv: `62,5`, decimalChar)
  bool → boolean (`true`/`false`)    timestamp → datetime (ISO, `Z`, fractions of a second)
  list → array (JSON text)           map → object (JSON text)
A missing value is an empty cell. Text that a spreadsheet would run as a formula starts with
`'` in the CSV (see pipelines/csv_writer.py); Parquet keeps it verbatim.
"""

from __future__ import annotations

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
)
from projektbank.extract.version import EXTRACTOR_VERSION

SOURCE_URL = "https://www.esf.se/resultat/projektbanken/"
FILE = "datapackage.json"

_TYPES = {STRING: "string", CATEGORY: "string", DATE: "date", FLOAT: "number", INT: "integer",
          BOOL: "boolean", TIMESTAMP: "datetime", LIST: "array", MAP: "object"}


def table_field(col: Column, *, excel: bool = False) -> dict:
    field = {"name": col.name, "type": _TYPES[col.type], "description": col.description}
    if col.labels:
        field["title"] = " / ".join(col.labels)
    if col.type == BOOL:
        field["trueValues"] = ["true"]
        field["falseValues"] = ["false"]
    elif col.type == FLOAT:
        field["decimalChar"] = "," if excel else "."
        field["groupChar"] = ""
    elif col.type == INT:
        field["bareNumber"] = True
    elif col.type == TIMESTAMP:
        field["format"] = "any"   # ISO 8601 with `Z` and microseconds
    if col.name == "project_id":
        field["constraints"] = {"required": True, "unique": True}
    return field


def table_schema(*, excel: bool = False) -> dict:
    return {"fields": [table_field(c, excel=excel) for c in COLUMNS],
            "missingValues": [""],
            "primaryKey": ["project_id"]}


def datapackage(*, excel: bool = False) -> dict:
    """The data package of one output folder's `projects.csv` (as written with or without
    --excel-csv)."""
    resource = {
        "name": "projects",
        "path": "projects.csv",
        "profile": "tabular-data-resource",
        "title": "ESF project bank: one row per project",
        "description": "Projects of the Swedish ESF Council's project bank, extracted by "
                       "projektbank; the same rows and columns as projects.parquet.",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig" if excel else "utf-8",
        "dialect": {"delimiter": ";" if excel else ",", "quoteChar": '"', "doubleQuote": True,
                    "header": True},
        "schema": table_schema(excel=excel),
    }
    return {
        "profile": "tabular-data-package",
        "name": "esf-projektbanken",
        "title": "Svenska ESF-rådet: Projektbanken (projects of the European Social Fund in "
                 "Sweden)",
        "description": "Public project information published by the Swedish ESF Council "
                       "(Svenska ESF-rådet) in its project bank, extracted into typed records. "
                       "Cite the source URL, the crawl date (or the fetched_at of the rows) and "
                       "the extractor version.",
        "sources": [{"title": "Svenska ESF-rådet, Projektbanken", "path": SOURCE_URL}],
        "keywords": ["ESF", "ESF+", "European Social Fund", "Sweden", "projects"],
        "projektbank": {"extractor_version": EXTRACTOR_VERSION},
        "resources": [resource],
    }
