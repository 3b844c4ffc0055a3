"""Crawl history: dated snapshots, the latest view with first_seen/last_seen, and the change log.

This module reads the history and compares tables; pipelines/history_plan.py works out what a
crawl date adds to it before anything is written, and pipelines/run.py (`Run` with a
`crawl_date`) publishes it. The output folder then holds:

    DIR/projects.parquet, projects.csv   the latest view: the projects on the site at the last
                                         crawl, with first_seen and last_seen filled
    DIR/snapshots/crawl_date=YYYY-MM-DD/projects.parquet
                                         every crawl's rows (Hive-style partitions: DuckDB,
                                         pyarrow/pandas, polars and Spark read the folder as one
                                         dataset with a `crawl_date` column)
    DIR/changes.parquet                  the change log (schema: `changes_schema()`)

Rules (the README's "Crawl history" section says the same for users):
- A snapshot is exactly the latest view that its crawl published (same schema, same rows,
  `first_seen`/`last_seen` as of that crawl). The file holds no `crawl_date` column (the folder
  name is the partition key; pyarrow refuses a column that is also a partition key); the date is
  in the file's schema metadata (`crawl_date`) for readers of a single file.
- A second run on the same crawl date replaces that day's snapshot and that day's change rows.
  A crawl date older than the newest snapshot is refused (HistoryError): history only moves on.
- first_seen = the earliest crawl date on which the project was in a snapshot (also honouring
  first_seen values recorded in earlier snapshots and in the previous latest view, so pruning old
  snapshots keeps the dates); last_seen = this crawl date for every project in the run.
- A project missing from this run is not in the latest view (the latest view is the site as it
  is now); the change log records it as `disappeared` on this crawl date, and its last state stays
  in the snapshot of its last_seen date. If it comes back it is `appeared` again, with its
  original first_seen.
- Change rows of crawl date D compare this run with the baseline: the newest snapshot before D.
  On the first day of a history there is none; a rerun on that first day compares with that
  day's first run (kept as DIR/.history/first-run_crawl_date=D.parquet until a later crawl date is
  published). The very first run writes no change rows (nothing is known to have changed; its
  projects all get first_seen = D) and an empty changes.parquet.
- Compared columns (`COMPARED_COLUMNS`): the published fields and the columns derived from the
  page (programme_period, description). Not compared: provenance and history columns
  (`PROVENANCE_COLUMNS`: a re-fetch is not a change), audit columns (fields_raw, extra_fields,
  validation_messages: a field change already shows in its column) and enrichment columns
  (code-list labels, municipalities…: functions of compared columns and of the code lists, so a
  code-list update is not reported as a change of every project). A column missing from either
  side (schema added later) is not compared.
- Values are text: strings as they are, dates ISO (`2026-06-30`), integers in decimal, floats as
  Python writes them (`40.0`), booleans `true`/`false`, lists/maps as JSON; null stays null.

Order of writes (each file to a temporary name in its own folder, then os.replace): the
snapshot, the change log, then the latest view (projects.parquet, projects.csv, rejects.jsonl,
schema.json, extra files). A run killed while publishing leaves every file either the old one
or the new one, never half-written; killed after the snapshot but before the latest view, the
history already holds the run and the next run (same day or later) builds on it.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from projektbank.extract.schema import BOOL, BY_NAME, COLUMN_NAMES, COLUMNS, DATE, FLOAT, LIST, MAP

SNAPSHOT_DIR = "snapshots"
SNAPSHOT_FILE = "projects.parquet"
CHANGES_FILE = "changes.parquet"
PARTITION_KEY = "crawl_date"
BASELINE_DIR = ".history"
_PARTITION_RE = re.compile(r"^crawl_date=(\d{4}-\d{2}-\d{2})$")
_FIRST_RUN_RE = re.compile(r"^first-run_crawl_date=(\d{4}-\d{2}-\d{2})\.parquet$")

# Change kinds, in the order rows of one project are listed.
APPEARED, DISAPPEARED, CHANGED = "appeared", "disappeared", "changed"
# still linked, but its page could not be fetched in this crawl: the previous row is kept
FETCH_FAILED = "fetch_failed"
CHANGE_KINDS = (APPEARED, DISAPPEARED, CHANGED, FETCH_FAILED)

COMPARED_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in COLUMNS if c.group in ("field", "derived") and c.name != "project_id")
_COLUMN_ORDER = {name: i for i, name in enumerate(COLUMN_NAMES)}

# extra_files values: the text, or a function of the result (e.g. a report that includes it).
ExtraFile = str | Callable[["HistoryResult"], str]


class HistoryError(Exception):
    """The run cannot be added to the history (crawl date goes back, unreadable change log)."""


def changes_schema() -> pa.Schema:
    def f(name: str, typ: pa.DataType, description: str) -> pa.Field:
        return pa.field(name, typ, nullable=True, metadata={"description": description})

    return pa.schema([
        f("crawl_date", pa.date32(), "Crawl date on which the change was seen (the crawl that "
          "found the new state; the baseline is the previous crawl)."),
        f("project_id", pa.string(), "Project identifier (see projects.parquet)."),
        f("change", pa.string(), "`changed` (one row per changed column), `appeared` (not in the "
          "previous crawl), `disappeared` (in the previous crawl, no longer linked anywhere the "
          "crawl looked, and the crawl completed) or `fetch_failed` (still linked, but its page "
          "could not be fetched: its previous row stays in the latest view, last_seen unchanged)."),
        f("column", pa.string(), "The changed column of projects.parquet; null for appeared and "
          "disappeared."),
        f("old_value", pa.string(), "Value in the previous crawl, as text (dates ISO, lists and "
          "maps JSON); null when it had none (and for appeared/disappeared)."),
        f("new_value", pa.string(), "Value in this crawl, as text; null when it has none (and for "
          "appeared/disappeared)."),
    ], metadata={"dataset": "esf.se project bank (projektbank): change log"})


@dataclass
class HistoryResult:
    crawl_date: date
    records: int
    snapshot: Path
    baseline_date: date | None = None      # crawl date of the snapshot compared with
    baseline: str = "none"                 # previous crawl | first run of the day | none
    same_day_rerun: bool = False           # this crawl date had a snapshot already (replaced)
    appeared: int = 0
    disappeared: int = 0
    fetch_failed: int = 0                  # previous rows kept: the page failed in this crawl
    changed_fields: int = 0
    changed_projects: int = 0
    changed_columns: Counter = field(default_factory=Counter)
    snapshots: int = 0                     # snapshots in the history after this run

    def as_dict(self) -> dict:
        return {
            "crawl_date": self.crawl_date.isoformat(),
            "records": self.records,
            "snapshot": str(self.snapshot),
            "snapshots": self.snapshots,
            "baseline": self.baseline,
            "baseline_date": self.baseline_date.isoformat() if self.baseline_date else None,
            "same_day_rerun": self.same_day_rerun,
            "appeared": self.appeared,
            "disappeared": self.disappeared,
            "fetch_failed": self.fetch_failed,
            "changed_fields": self.changed_fields,
            "changed_projects": self.changed_projects,
            "changed_columns": dict(self.changed_columns.most_common()),
        }


# --- reading the history ---------------------------------------------------------------------
def snapshot_path(out_dir: str | os.PathLike, crawl_date: date) -> Path:
    return Path(out_dir) / SNAPSHOT_DIR / f"{PARTITION_KEY}={crawl_date.isoformat()}" / SNAPSHOT_FILE


def list_snapshots(out_dir: str | os.PathLike) -> dict[date, Path]:
    """Crawl date → snapshot file, oldest first (partitions without a finished file are skipped)."""
    root = Path(out_dir) / SNAPSHOT_DIR
    found: dict[date, Path] = {}
    if not root.is_dir():
        return found
    for child in root.iterdir():
        m = _PARTITION_RE.match(child.name)
        if not m or not (child / SNAPSHOT_FILE).is_file():
            continue
        try:
            found[date.fromisoformat(m.group(1))] = child / SNAPSHOT_FILE
        except ValueError:
            continue
    return dict(sorted(found.items()))


def read_snapshot(path: Path, columns: list[str] | None = None, schema_only: bool = False):
    """A snapshot (or a first-run baseline); HistoryError naming the file and the way out."""
    try:
        return pq.read_schema(path) if schema_only else pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException) as exc:
        raise HistoryError(f"cannot read the snapshot {path} ({exc}); to recover, move its "
                           f"crawl_date=… folder out of {path.parent.parent} and crawl again (that "
                           f"day then drops out of the history)") from exc


COVERED_KEY = b"projektbank.covered_dates"


def covered_dates(out_dir: str | os.PathLike) -> set[date] | None:
    """Crawl dates whose change rows the log holds (None: a log written before this was kept,
    taken as complete)."""
    path = Path(out_dir) / CHANGES_FILE
    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException):
        return None
    if COVERED_KEY not in meta:
        return None
    return {date.fromisoformat(d) for d in json.loads(meta[COVERED_KEY])}


def read_changes(out_dir: str | os.PathLike) -> pa.Table | None:
    """The change log, or None when there is none yet."""
    path = Path(out_dir) / CHANGES_FILE
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise HistoryError(f"cannot read the change log {path} ({exc}); to recover, move it aside: "
                           f"the next crawl starts a new log (the snapshots keep the history, and "
                           f"`projektbank changes` can be rebuilt from them)") from exc
    try:
        return table.select(changes_schema().names).cast(changes_schema())
    except (KeyError, pa.ArrowException) as exc:
        raise HistoryError(f"{path} is not a projektbank change log: {exc}") from exc


# --- comparing ---------------------------------------------------------------------------------
def value_text(value: object, kind: str) -> str | None:
    """A column value as change-log text."""
    if value is None:
        return None
    if kind == MAP:
        return json.dumps(dict(value), ensure_ascii=False)
    if kind == LIST:
        return json.dumps(list(value), ensure_ascii=False)
    if kind == BOOL:
        return "true" if value else "false"
    if kind == DATE:
        return value.isoformat()
    if kind == FLOAT:
        return repr(float(value))
    return str(value)


def _rows_by_id(table: pa.Table, columns: Iterable[str]) -> dict[str, dict[str, str | None]]:
    cols = list(columns)
    kinds = [BY_NAME[c].type for c in cols]
    data = table.select(["project_id", *cols]).to_pydict()
    out = {}
    for i, pid in enumerate(data["project_id"]):
        out[pid] = {c: value_text(data[c][i], k) for c, k in zip(cols, kinds, strict=True)}
    return out


def diff_tables(old: pa.Table, new: pa.Table, crawl_date: date) -> list[dict]:
    """Change-log rows from `old` (the baseline) to `new`, in log order."""
    names = set(old.column_names) & set(new.column_names)
    cols = [c for c in COMPARED_COLUMNS if c in names]
    before, after = _rows_by_id(old, cols), _rows_by_id(new, cols)
    rows = []
    for pid in sorted(before.keys() | after.keys()):
        if pid not in before:
            rows.append(change_row(crawl_date, pid, APPEARED))
        elif pid not in after:
            rows.append(change_row(crawl_date, pid, DISAPPEARED))
        else:
            a, b = before[pid], after[pid]
            for c in cols:  # schema order
                if a[c] != b[c]:
                    rows.append(change_row(crawl_date, pid, CHANGED, c, a[c], b[c]))
    return rows


def change_row(crawl_date: date, pid: str, kind: str, column: str | None = None,
         old: str | None = None, new: str | None = None) -> dict:
    return {"crawl_date": crawl_date, "project_id": pid, "change": kind, "column": column,
            "old_value": old, "new_value": new}
