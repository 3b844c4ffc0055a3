"""A run: pages in, one dataset out, published once.

    run = Run(out_dir, crawl_date=date(2026, 1, 12))   # HistoryError here: nothing written
    for page in pages:
        run.add(page)                                   # a record or a listed reject
    summary = run.finish()                              # every file written, none published
    result = run.publish(extra_files={...})             # or run.abort(reason)

With a `crawl_date` the run knows its crawl history before it writes (pipelines/history_plan.py):
the dataset is written once, already carrying first_seen/last_seen; the snapshot is a copy of
that file and the change log is written once. Every file goes in place through the one atomic
writer (pipelines/atomic.py) in this order: the snapshot, the change log, then the latest view
(projects.parquet, projects.csv, rejects.jsonl, schema.json, datapackage.json, extra files). A
run killed at any point leaves each file the old one or the new one.

The crawl hands its pages to `run.writer` through the page flow (pipelines/page_flow.py), as
`projektbank extract --workers N` does, so the crawl and `extract DIR/raw` share every step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from projektbank.pipelines.atomic import Staging
from projektbank.pipelines.dataset import DatasetWriter, RunSummary
from projektbank.pipelines.extract_run import extract_page
from projektbank.pipelines.history import ExtraFile, HistoryResult
from projektbank.pipelines.history_plan import HistoryPlan


class Run:
    def __init__(self, out_dir: str | os.PathLike, *, crawl_date: date | None = None,
                 excel_csv: bool = False, personal_data: bool = False,
                 row_history: dict[str, tuple[object, object]] | None = None) -> None:
        """`crawl_date`: publish into the crawl history of `out_dir` (HistoryError at once
        when the date goes back). `row_history`: first_seen/last_seen per project taken as
        they are (a rebuild of a crawl's DIR/raw; see crawl_history())."""
        self.out = Path(out_dir)
        # the history is read before the writer makes its temporary folder: a refused crawl
        # date leaves nothing behind
        self.plan = HistoryPlan(self.out, crawl_date) if crawl_date is not None else None
        self.writer = DatasetWriter(self.out, excel_csv=excel_csv, history=row_history)
        self.personal_data = personal_data
        self.abort_reason: str | None = None

    def in_history(self, crawl_date: date) -> None:
        """Publish into the crawl history as `crawl_date` (HistoryError at once when the date
        goes back). Any time before finish(): a crawl knows its date only at the end."""
        if self.writer.finished:
            raise RuntimeError("in_history() after finish(): the dataset is written already")
        self.plan = HistoryPlan(self.out, crawl_date)

    @property
    def summary(self) -> RunSummary:
        return self.writer.summary

    def add(self, page) -> None:
        """A sources.Page (or Unreadable): a record, or a reject with its reason."""
        extract_page(self.writer, page, personal_data=self.personal_data)

    def finish(self, unfetched: Callable[[str], bool] | None = None) -> RunSummary:
        """Write every file (nothing is published yet). `unfetched(source_url)`: true for a
        page the crawl found linked but could not fetch; its previous row stays in the latest
        view and the change log says `fetch_failed` (see pipelines/history.py)."""
        if self.plan is not None and not self.writer.finished:
            self.plan.carry_forward(unfetched, self.writer.project_ids())
        return self.writer.finish(self.plan)

    def publish(self, extra_files: dict[str, ExtraFile] | None = None) -> HistoryResult | None:
        """Put everything in place; the HistoryResult with a crawl date, else None.
        `extra_files`: name → text, or a function of the HistoryResult giving the text."""
        self.finish()
        return _publish(self.writer, self.plan, extra_files)

    def abort(self, reason: str = "") -> None:
        """Publish nothing: the previous files stay as they were."""
        self.abort_reason = reason
        self.writer.abort()


def _publish(writer: DatasetWriter, plan: HistoryPlan | None,
             extra_files: dict[str, ExtraFile] | None) -> HistoryResult | None:
    view = writer.tmp / "projects.parquet"
    result = None
    staging = Staging()
    try:
        if plan is not None:
            log, result = plan.changes(view)
            plan.stage(staging, view, log, result.snapshot)
        texts = {name: text(result) if callable(text) else text
                 for name, text in (extra_files or {}).items()}
        writer.stage(staging, texts)
        staging.commit()
    finally:
        staging.discard()
    writer.cleanup()
    if plan is not None:
        plan.tidy()
    return result


def crawl_history(paths) -> tuple[Path, dict[str, tuple[object, object]]] | None:
    """When the inputs are one crawl's raw archive (DIR/raw), that crawl's first_seen/last_seen
    per project, from its latest view DIR/projects.parquet: the dates come from the crawl
    history, not from the pages, so a rebuild takes them from there."""
    dirs = {Path(p).resolve().parent for p in paths if Path(p).resolve().name == "raw"}
    if len(dirs) != 1 or len(dirs) != len(list(paths)):
        return None
    (crawl_dir,) = dirs
    latest = crawl_dir / "projects.parquet"
    if not latest.exists():
        return None
    try:
        table = pq.read_table(latest, columns=["project_id", "first_seen", "last_seen"])
    except (OSError, KeyError, pa.ArrowInvalid):
        return None
    rows = table.to_pylist()
    return latest, {r["project_id"]: (r["first_seen"], r["last_seen"]) for r in rows
                    if r["first_seen"] is not None}


