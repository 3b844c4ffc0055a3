"""What one crawl date adds to a crawl history, worked out before anything is written.

`HistoryPlan(out_dir, crawl_date)` reads the history first: it refuses a crawl date that goes
back (HistoryError, nothing written), and knows each project's first_seen. The dataset writer
then writes the latest view once, already stamped (`stamp()`: first_seen/last_seen and the
`crawl_date` schema metadata), with the previous rows of pages this crawl could not fetch merged
in (`carry_forward()`). `stage()` then puts the snapshot (a byte copy of the latest view: the
same file, not encoded again) and the change log beside their targets; pipelines/run.py puts
them in place before the latest view. The rules are in pipelines/history.py.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from projektbank.pipelines.arrow_schema import arrow_schema
from projektbank.pipelines.atomic import Staging, cleanup_stale, link_or_copy
from projektbank.pipelines.history import (
    APPEARED,
    BASELINE_DIR,
    CHANGED,
    CHANGES_FILE,
    COMPARED_COLUMNS,
    COVERED_KEY,
    DISAPPEARED,
    FETCH_FAILED,
    PARTITION_KEY,
    SNAPSHOT_FILE,
    HistoryError,
    HistoryResult,
    change_row,
    changes_schema,
    covered_dates,
    diff_tables,
    list_snapshots,
    read_changes,
    read_snapshot,
    snapshot_path,
)

_FIRST_RUN_PREFIX = "first-run_"


class HistoryPlan:
    def __init__(self, out_dir: str | os.PathLike, crawl_date: date) -> None:
        if isinstance(crawl_date, datetime) or not isinstance(crawl_date, date):
            raise TypeError(f"crawl_date must be a date, not {type(crawl_date).__name__}")
        self.out = Path(out_dir)
        self.crawl_date = crawl_date
        self.latest = self.out / "projects.parquet"
        self.snapshots = list_snapshots(self.out)
        newest = max(self.snapshots, default=None)
        if newest is not None and newest > crawl_date:
            raise HistoryError(f"crawl date {crawl_date} is older than the newest snapshot "
                               f"({newest}); the history only moves forward")
        seen_last = _latest_last_seen(self.latest)
        if seen_last is not None and seen_last > crawl_date:
            raise HistoryError(f"crawl date {crawl_date} is older than the latest view's "
                               f"last_seen ({seen_last}); the history only moves forward")
        self.first_seen = _first_seen(self.snapshots, self.latest, crawl_date)
        schema = arrow_schema()
        meta = dict(schema.metadata or {})
        meta[b"crawl_date"] = crawl_date.isoformat().encode()
        self.schema = schema.with_metadata(meta)   # the latest view's and the snapshot's
        self.carried: pa.Table | None = None       # previous rows kept (sorted by project_id)
        self.carried_ids: list[str] = []
        self.keep_first_run = False   # set by changes(): keep this day's first run as baseline

    # --- while the dataset is written ---------------------------------------------------
    def stamp(self, table: pa.Table) -> pa.Table:
        """first_seen (from the history, else this crawl date) and last_seen (this crawl date)."""
        ids = table["project_id"].to_pylist()
        first = pa.array([self.first_seen.get(pid, self.crawl_date) for pid in ids], pa.date32())
        last = pa.array([self.crawl_date] * len(ids), pa.date32())
        for name, values in (("first_seen", first), ("last_seen", last)):
            table = table.set_column(table.schema.get_field_index(name),
                                     self.schema.field(name), values)
        return table.cast(self.schema)

    def carry_forward(self, unfetched: Callable[[str], bool] | None, have: set[str]) -> None:
        """The previous latest view's rows of projects not in this run (`have`) whose page
        this crawl found linked but could not fetch (`unfetched(source_url)`)."""
        if unfetched is None or not self.latest.is_file():
            return
        try:
            prev = pq.read_table(self.latest)
        except (OSError, pa.ArrowException) as exc:
            raise HistoryError(f"cannot read the latest view {self.latest} ({exc}); move it aside "
                               f"to start the latest view anew (the snapshots keep the "
                               f"history)") from exc
        if "project_id" not in prev.column_names or "source_url" not in prev.column_names:
            return
        ids = prev["project_id"].to_pylist()
        urls = prev["source_url"].to_pylist()
        take = [i for i, (pid, url) in enumerate(zip(ids, urls, strict=True))
                if pid not in have and url and unfetched(url)]
        if not take:
            return
        old = prev.take(take)
        arrays = [old[f.name].cast(f.type) if f.name in old.column_names
                  else pa.nulls(len(take), f.type) for f in self.schema]
        carried = pa.Table.from_arrays(arrays, schema=self.schema)
        self.carried = carried.take(pc.sort_indices(carried["project_id"])).combine_chunks()
        self.carried_ids = [ids[i] for i in take]

    # --- after it is written, before anything is published -----------------------------
    def changes(self, view: Path) -> tuple[pa.Table, HistoryResult]:
        """The new change log and the run's HistoryResult; `view`: the written latest view."""
        out, day, snapshots = self.out, self.crawl_date, self.snapshots
        names = pq.read_schema(view).names
        table = pq.read_table(view, columns=[c for c in ("project_id", *COMPARED_COLUMNS)
                                             if c in names])
        result = HistoryResult(day, table.num_rows, snapshot_path(out, day),
                               same_day_rerun=day in snapshots)
        earlier = [d for d in snapshots if d < day]
        baseline = None
        self.keep_first_run = False
        if earlier:
            result.baseline_date, result.baseline = max(earlier), "previous crawl"
            baseline = read_snapshot(snapshots[max(earlier)])
        elif day in snapshots:
            result.baseline_date, result.baseline = day, "first run of the day"
            self.keep_first_run = not self.first_run.is_file()
            baseline = read_snapshot(snapshots[day] if self.keep_first_run else self.first_run)
        rows = diff_tables(baseline, table, day) if baseline is not None else []
        rows += [change_row(day, pid, FETCH_FAILED) for pid in self.carried_ids]
        _count(result, rows, len(self.carried_ids))
        result.snapshots = len(snapshots) + (0 if result.same_day_rerun else 1)
        return self._log(rows), result

    def _log(self, rows: list[dict]) -> pa.Table:
        """The previous log without this day's rows (and with any day a killed run left out
        filled in), plus `rows`; days in order."""
        day, snapshots = self.crawl_date, self.snapshots
        old_log = read_changes(self.out)
        covered = covered_dates(self.out) if old_log is not None else set()
        # A snapshot whose change rows never reached the log (a run killed between the two
        # renames): compare it with its predecessor now, so no day of the history goes missing.
        ordered = sorted(d for d in snapshots if d < day)
        gaps = [d for k, d in enumerate(ordered) if k > 0 and covered is not None
                and d not in covered]
        for gap in gaps:
            before = ordered[ordered.index(gap) - 1]
            rows = diff_tables(read_snapshot(snapshots[before]), read_snapshot(snapshots[gap]),
                               gap) + rows
        redo = {day, *gaps}
        log = pa.Table.from_pylist(rows, schema=changes_schema())
        if old_log is not None:
            keep = pc.invert(pc.is_in(old_log["crawl_date"],
                                      value_set=pa.array(sorted(redo), pa.date32())))
            log = pa.concat_tables([old_log.filter(keep), log])
        log = log.take(pc.sort_indices(log["crawl_date"]))  # stable: days in order, rows as listed
        done = sorted({*(covered or ()), *ordered, day})
        return log.replace_schema_metadata({COVERED_KEY: json.dumps([d.isoformat() for d in done])})

    @property
    def first_run(self) -> Path:
        return (self.out / BASELINE_DIR
                / f"{_FIRST_RUN_PREFIX}{PARTITION_KEY}={self.crawl_date.isoformat()}.parquet")

    def stage(self, staging: Staging, view: Path, log: pa.Table, snapshot: Path) -> None:
        """The first run of the first day kept as that day's baseline (in place at once, as
        before), then the snapshot and the change log staged: they go in place first."""
        cleanup_stale(snapshot.parent, SNAPSHOT_FILE)
        cleanup_stale(self.out, CHANGES_FILE)
        if self.keep_first_run:
            first = Staging()
            try:
                first.stage(self.first_run, lambda tmp: _relink(self.snapshots[self.crawl_date], tmp))
                first.commit()
            finally:
                first.discard()
        # a copy, not a link: an in-place edit of the latest view must not reach the history
        staging.stage(snapshot, lambda tmp: shutil.copyfile(view, tmp))
        staging.stage(self.out / CHANGES_FILE, lambda tmp: pq.write_table(
            log, tmp, compression="zstd", row_group_size=10000, write_statistics=True))

    def tidy(self) -> None:
        """Once a later crawl date is published, the first day's baseline is not needed."""
        if not any(d < self.crawl_date for d in self.snapshots):
            return
        base_dir = self.out / BASELINE_DIR
        for p in base_dir.glob(f"{_FIRST_RUN_PREFIX}*.parquet") if base_dir.is_dir() else ():
            if p.name < self.first_run.name:   # ISO dates sort as text
                p.unlink(missing_ok=True)
        try:
            base_dir.rmdir()
        except OSError:
            pass


def _relink(src: Path, tmp: Path) -> None:
    tmp.unlink()
    link_or_copy(src, tmp)


def _count(result: HistoryResult, rows: list[dict], fetch_failed: int) -> None:
    result.fetch_failed = fetch_failed
    for r in rows:
        if r["change"] == APPEARED:
            result.appeared += 1
        elif r["change"] == DISAPPEARED:
            result.disappeared += 1
        elif r["change"] == CHANGED:
            result.changed_fields += 1
            result.changed_columns[r["column"]] += 1
    result.changed_projects = len({r["project_id"] for r in rows if r["change"] == CHANGED})


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
        names = read_snapshot(path, schema_only=True).names
        cols = ["project_id"] + (["first_seen"] if "first_seen" in names else [])
        t = read_snapshot(path, columns=cols)
        ids = t["project_id"].to_pylist()
        note(ids, [d] * len(ids))
        if "first_seen" in names:
            note(ids, t["first_seen"].to_pylist())
    if latest.is_file():
        try:
            if "first_seen" in pq.read_schema(latest).names:
                t = pq.read_table(latest, columns=["project_id", "first_seen"])
                note(t["project_id"].to_pylist(), t["first_seen"].to_pylist())
        except (OSError, pa.ArrowException):
            pass  # an unreadable latest view is about to be replaced; snapshots suffice
    return first


def _latest_last_seen(latest: Path) -> date | None:
    try:
        if latest.is_file() and "last_seen" in pq.read_schema(latest).names:
            return pc.max(pq.read_table(latest, columns=["last_seen"])["last_seen"]).as_py()
    except (OSError, pa.ArrowException):
        return None
    return None
