"""Crawl history: dated snapshots, the latest view with first_seen/last_seen, and the change log.

A scheduled crawl publishes with `publish_run(out_dir, writer, crawl_date)` instead of
`writer.publish()` (after `writer.finish()` and the run assertions; a failed run calls
`writer.abort()` and publishes nothing). The output folder then holds:

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
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from projektbank.extract.schema import BOOL, BY_NAME, COLUMN_NAMES, COLUMNS, DATE, FLOAT, LIST, MAP
from projektbank.pipelines.arrow_schema import arrow_schema
from projektbank.pipelines.csv_writer import write_csv
from projektbank.pipelines.dataset import OUTPUT_FILES, DatasetWriter

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


def _read_snapshot(path: Path, columns: list[str] | None = None, schema_only: bool = False):
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
            rows.append(_row(crawl_date, pid, APPEARED))
        elif pid not in after:
            rows.append(_row(crawl_date, pid, DISAPPEARED))
        else:
            a, b = before[pid], after[pid]
            for c in cols:  # schema order
                if a[c] != b[c]:
                    rows.append(_row(crawl_date, pid, CHANGED, c, a[c], b[c]))
    return rows


def _row(crawl_date: date, pid: str, kind: str, column: str | None = None,
         old: str | None = None, new: str | None = None) -> dict:
    return {"crawl_date": crawl_date, "project_id": pid, "change": kind, "column": column,
            "old_value": old, "new_value": new}


# --- first_seen ------------------------------------------------------------------------------
def _first_seen(snapshots: dict[date, Path], latest: Path, crawl_date: date) -> dict[str, date]:
    """project_id → earliest crawl date before `crawl_date` it is known to have been seen."""
    first: dict[str, date] = {}

    def note(ids: list, seen: list) -> None:
        for pid, d in zip(ids, seen, strict=True):
            if d is not None and d < crawl_date and (pid not in first or d < first[pid]):
                first[pid] = d

    for d, path in snapshots.items():
        if d >= crawl_date:
            continue
        names = _read_snapshot(path, schema_only=True).names
        cols = ["project_id"] + (["first_seen"] if "first_seen" in names else [])
        t = _read_snapshot(path, columns=cols)
        ids = t["project_id"].to_pylist()
        note(ids, [d] * len(ids))
        if "first_seen" in names:
            note(ids, t["first_seen"].to_pylist())
    if latest.is_file():
        try:
            names = pq.read_schema(latest).names
            if "first_seen" in names:
                t = pq.read_table(latest, columns=["project_id", "first_seen"])
                note(t["project_id"].to_pylist(), t["first_seen"].to_pylist())
        except (OSError, pa.ArrowException):
            pass  # an unreadable latest view is about to be replaced; snapshots suffice
    return first


def _latest_last_seen(latest: Path) -> date | None:
    try:
        if latest.is_file() and "last_seen" in pq.read_schema(latest).names:
            value = pc.max(pq.read_table(latest, columns=["last_seen"])["last_seen"]).as_py()
            return value
    except (OSError, pa.ArrowException):
        return None
    return None


# --- writing -----------------------------------------------------------------------------------
def _tmp_name(target: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(name, public_file_mode())  # mkstemp makes 0600; analysts read the history too
    return Path(name)


def public_file_mode() -> int:
    """The mode a plainly created file gets here (0666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_parquet(table: pa.Table, path: Path, row_group_size: int) -> None:
    pq.write_table(table, path, compression="zstd", row_group_size=row_group_size,
                   write_statistics=True)
    _fsync(path)


def _with_history(table: pa.Table, first: dict[str, date], crawl_date: date) -> pa.Table:
    ids = table["project_id"].to_pylist()
    first_seen = pa.array([first.get(pid, crawl_date) for pid in ids], pa.date32())
    last_seen = pa.array([crawl_date] * len(ids), pa.date32())
    schema = arrow_schema()
    table = table.set_column(table.schema.get_field_index("first_seen"),
                             schema.field("first_seen"), first_seen)
    table = table.set_column(table.schema.get_field_index("last_seen"),
                             schema.field("last_seen"), last_seen)
    meta = dict(schema.metadata or {})
    meta[b"crawl_date"] = crawl_date.isoformat().encode()
    return table.cast(schema).replace_schema_metadata(meta)


def _carry_forward(table: pa.Table, latest: Path,
                   unfetched: Callable[[str], bool] | None) -> tuple[pa.Table, list[str]]:
    """The run's rows plus the previous latest view's rows of projects whose page this crawl
    could not fetch (sorted by project_id again); and those project ids."""
    if unfetched is None or not latest.is_file():
        return table, []
    try:
        prev = pq.read_table(latest)
    except (OSError, pa.ArrowException) as exc:
        raise HistoryError(f"cannot read the latest view {latest} ({exc}); move it aside to "
                           f"start the latest view anew (the snapshots keep the history)") from exc
    if "project_id" not in prev.column_names or "source_url" not in prev.column_names:
        return table, []
    have = set(table["project_id"].to_pylist())
    ids = prev["project_id"].to_pylist()
    take = [i for i, (pid, url) in enumerate(zip(ids, prev["source_url"].to_pylist(), strict=True))
            if pid not in have and url and unfetched(url)]
    if not take:
        return table, []
    old = prev.take(take)
    arrays = [old[f.name].cast(f.type) if f.name in old.column_names
              else pa.nulls(len(take), f.type) for f in table.schema]
    both = pa.concat_tables([table, pa.Table.from_arrays(arrays, schema=table.schema)])
    both = both.take(pc.sort_indices(both["project_id"])).combine_chunks()
    return both, [ids[i] for i in take]


def _changes_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=changes_schema())


def _cleanup_stale(folder: Path, prefix: str, max_age: float = 3600.0) -> None:
    """Temporary files a killed run left behind (older than an hour)."""
    if not folder.is_dir():
        return
    now = time.time()
    for p in folder.glob(f".{prefix}.*.tmp"):
        try:
            if now - p.stat().st_mtime > max_age:
                p.unlink()
        except OSError:
            pass


def publish_run(out_dir: str | os.PathLike, writer: DatasetWriter, crawl_date: date,
                extra_files: dict[str, ExtraFile] | None = None,
                unfetched: Callable[[str], bool] | None = None) -> HistoryResult:
    """Publish a finished run as crawl `crawl_date`: snapshot, change log, then the latest view.

    Call after `writer.finish()` and the run assertions, instead of `writer.publish()`.
    `extra_files`: name → text (or a function of the HistoryResult returning the text), written
    into the output folder with the latest view. Raises HistoryError (nothing published; the
    caller then calls `writer.abort()`) when the crawl date is older than the newest snapshot or
    the change log is unreadable.
    `unfetched(source_url)`: true for a page this crawl found linked but could not fetch; the
    previous latest view's row of such a project stays (first_seen/last_seen as they were) and
    the change log says `fetch_failed` instead of `disappeared`.
    """
    if isinstance(crawl_date, datetime) or not isinstance(crawl_date, date):
        raise TypeError(f"crawl_date must be a date, not {type(crawl_date).__name__}")
    out = Path(out_dir)
    writer.finish()
    snapshots = list_snapshots(out)
    latest = out / "projects.parquet"
    newest = max(snapshots, default=None)
    if newest is not None and newest > crawl_date:
        raise HistoryError(f"crawl date {crawl_date} is older than the newest snapshot "
                           f"({newest}); the history only moves forward")
    seen_last = _latest_last_seen(latest)
    if seen_last is not None and seen_last > crawl_date:
        raise HistoryError(f"crawl date {crawl_date} is older than the latest view's last_seen "
                           f"({seen_last}); the history only moves forward")

    run = pq.read_table(writer.tmp / "projects.parquet")
    table = _with_history(run, _first_seen(snapshots, latest, crawl_date), crawl_date)
    table, carried = _carry_forward(table, latest, unfetched)

    # the baseline of this crawl date
    earlier = [d for d in snapshots if d < crawl_date]
    first_run = out / BASELINE_DIR / f"first-run_{PARTITION_KEY}={crawl_date.isoformat()}.parquet"
    result = HistoryResult(crawl_date, table.num_rows, snapshot_path(out, crawl_date),
                           same_day_rerun=crawl_date in snapshots)
    keep_first_run = False
    baseline_table = None
    if earlier:
        result.baseline_date, result.baseline = max(earlier), "previous crawl"
        baseline_table = _read_snapshot(snapshots[max(earlier)])
    elif crawl_date in snapshots:
        result.baseline_date, result.baseline = crawl_date, "first run of the day"
        keep_first_run = not first_run.is_file()
        baseline_table = _read_snapshot(snapshots[crawl_date] if keep_first_run else first_run)
    rows = diff_tables(baseline_table, table, crawl_date) if baseline_table is not None else []
    rows += [_row(crawl_date, pid, FETCH_FAILED) for pid in carried]
    result.fetch_failed = len(carried)
    for r in rows:
        if r["change"] == APPEARED:
            result.appeared += 1
        elif r["change"] == DISAPPEARED:
            result.disappeared += 1
        elif r["change"] == FETCH_FAILED:
            pass
        else:
            result.changed_fields += 1
            result.changed_columns[r["column"]] += 1
    result.changed_projects = len({r["project_id"] for r in rows if r["change"] == CHANGED})
    result.snapshots = len(snapshots) + (0 if result.same_day_rerun else 1)

    old_log = read_changes(out)
    covered = covered_dates(out) if old_log is not None else set()
    # A snapshot whose change rows never reached the log (a run killed between the two
    # renames): compare it with its predecessor now, so no day of the history goes missing.
    ordered = sorted(d for d in snapshots if d < crawl_date)
    gaps = [d for k, d in enumerate(ordered) if k > 0 and covered is not None and d not in covered]
    for day in gaps:
        before = ordered[ordered.index(day) - 1]
        rows = diff_tables(_read_snapshot(snapshots[before]), _read_snapshot(snapshots[day]),
                           day) + rows
    redo = {crawl_date, *gaps}
    if old_log is not None:
        keep = pc.invert(pc.is_in(old_log["crawl_date"],
                                  value_set=pa.array(sorted(redo), pa.date32())))
        old_log = old_log.filter(keep)
    log = _changes_table(rows)
    if old_log is not None:
        log = pa.concat_tables([old_log, log])
    log = log.take(pc.sort_indices(log["crawl_date"]))  # stable: days in order, rows as listed
    done = sorted({*(covered or ()), *ordered, crawl_date})
    log = log.replace_schema_metadata({COVERED_KEY: json.dumps([d.isoformat() for d in done])})

    snap = result.snapshot
    snap.parent.mkdir(parents=True, exist_ok=True)
    _cleanup_stale(snap.parent, SNAPSHOT_FILE)
    _cleanup_stale(out, CHANGES_FILE)
    temps: list[Path] = []
    try:
        # 1. everything to temporary files, nothing visible yet
        snap_tmp = _tmp_name(snap)
        temps.append(snap_tmp)
        _write_parquet(table, snap_tmp, writer.row_group_size)
        log_tmp = _tmp_name(out / CHANGES_FILE)
        temps.append(log_tmp)
        _write_parquet(log, log_tmp, 10000)
        _write_parquet(table, writer.tmp / "projects.parquet", writer.row_group_size)
        write_csv(table, writer.tmp / "projects.csv", excel=writer.excel_csv)
        _fsync(writer.tmp / "projects.csv")
        for name, text in (extra_files or {}).items():
            if callable(text):
                text = text(result)
            (writer.tmp / name).write_text(text, encoding="utf-8")
        if keep_first_run:  # keep the first run of the first day as that day's baseline
            first_run.parent.mkdir(exist_ok=True)
            link_tmp = _tmp_name(first_run)
            temps.append(link_tmp)
            link_tmp.unlink()
            try:
                os.link(snapshots[crawl_date], link_tmp)
            except OSError:
                shutil.copyfile(snapshots[crawl_date], link_tmp)
            os.replace(link_tmp, first_run)
        # 2. the history first ...
        os.replace(snap_tmp, snap)
        os.replace(log_tmp, out / CHANGES_FILE)
        # 3. ... then the latest view
        for name in [*OUTPUT_FILES, *(extra_files or {})]:
            os.replace(writer.tmp / name, out / name)
    finally:
        for p in temps:
            try:
                p.unlink()
            except OSError:
                pass
    shutil.rmtree(writer.tmp, ignore_errors=True)
    if earlier:  # a later crawl date exists now: the first day's baseline is no longer needed
        base_dir = out / BASELINE_DIR
        for p in base_dir.glob("first-run_*.parquet") if base_dir.is_dir() else ():
            m = _FIRST_RUN_RE.match(p.name)
            if m and m.group(1) < crawl_date.isoformat():
                p.unlink(missing_ok=True)
        try:
            base_dir.rmdir()
        except OSError:
            pass
    return result
