"""The dataset writer: records stream in; Parquet, CSV, rejects and schema.json come out.

Records are spooled to a temporary Parquet file in row groups as they arrive (memory stays
flat). `finish()` de-duplicates by project_id (newest fetched_at wins; ties: the later page),
sorts by project_id, and writes every output file into a temporary folder beside the target.
`publish()` renames them into place; `abort()` leaves the previous files untouched. A crashed
run never leaves a half-written file where a reader looks.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from projektbank.extract.page import lines_not_understood
from projektbank.pipelines.arrow_schema import arrow_schema, schema_json
from projektbank.pipelines.atomic import Staging, remove_dead_temp_folders
from projektbank.pipelines.csv_writer import CsvWriter
from projektbank.pipelines.slices import FillCounter, canonical_dictionaries, merge_carried
from projektbank.pipelines.validate import validate_record

_REASON_DETAIL = re.compile(r"\s*\(\d+ known labels?\)")
OUTPUT_FILES = ("projects.parquet", "projects.csv", "rejects.jsonl", "schema.json",
                "datapackage.json")


@dataclass
class RunSummary:
    pages: int = 0                 # records offered + rejects
    records: int = 0               # rows written (after de-duplication)
    rejects: int = 0
    duplicates: int = 0            # records replaced by a newer page of the same project
    invalid: int = 0               # records that failed validation (also in rejects)
    unknown_labels: Counter = field(default_factory=Counter)
    # lines inside label blocks that were neither a pair nor part of a value (each is named in
    # its record's validation_messages), over every valid record offered
    lines_not_understood: int = 0
    fill_rate: dict[str, float] = field(default_factory=dict)
    reject_reasons: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["unknown_labels"] = dict(self.unknown_labels.most_common())
        d["reject_reasons"] = dict(self.reject_reasons.most_common())
        return d


TMP_PREFIX = ".projektbank-tmp-"


@dataclass
class PreparedRows:
    """Valid records as one Arrow table (the dataset schema), and each one's unknown labels:
    what DatasetWriter.add_rows() takes."""

    table: pa.Table
    project_ids: list[str]
    fetched_at: list[datetime]
    unknown_labels: list[list[str]]
    lines_not_understood: list[int] = field(default_factory=list)  # per record; [] = none


def prepare_rows(records: list[dict]) -> PreparedRows:
    """Records that passed validate_record, converted for add_rows() (picklable, so a worker
    process can do the conversion)."""
    return PreparedRows(pa.Table.from_pylist(records, schema=arrow_schema()),
                        [r["project_id"] for r in records], [r["fetched_at"] for r in records],
                        [list(r["extra_fields"]) for r in records],
                        [lines_not_understood(r) for r in records])


class OutputError(Exception):
    """The output folder cannot be used (not a folder, not writable)."""


class DatasetWriter:
    def __init__(self, out_dir: str | os.PathLike, *, excel_csv: bool = False,
                 row_group_size: int = 1000, spool_batch: int = 200,
                 min_slice: int = 1000,
                 history: dict[str, tuple[object, object]] | None = None) -> None:
        self.out_dir = Path(out_dir)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            remove_dead_temp_folders(self.out_dir, TMP_PREFIX)
            self.tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=self.out_dir))
        except OSError as exc:
            raise OutputError(f"cannot write to output folder {self.out_dir}: "
                              f"{exc.strerror or exc}") from exc
        self.excel_csv = excel_csv
        self.row_group_size = row_group_size
        self.spool_batch = spool_batch  # records held in memory before they go to the spool
        self.min_slice = min_slice      # rows gathered per output slice, at least
        # project_id → (first_seen, last_seen) from a crawl history (see crawl_history())
        self.history = history
        self.schema = arrow_schema()
        self.summary = RunSummary()
        self._buffer: list[dict] = []
        self._tables: list[pa.Table] = []   # from add_rows, with _seq
        self._buffered = 0                  # rows in _buffer and _tables
        self._seq = 0
        self._best: dict[str, tuple[datetime, int]] = {}
        self._spool_path = self.tmp / "spool.parquet"
        self._spool: pq.ParquetWriter | None = None
        # spool writes run on one background thread (Parquet encoding releases the GIL), at
        # most one at a time: the caller (the crawl's Scrapy thread) does not wait for them
        self._spool_thread = None
        self._spool_write = None
        self._rejects = open(self.tmp / "rejects.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        self._finished = False
        self._stamped_with = None   # the history the dataset files were last written with

    # --- streaming in ---------------------------------------------------------------
    def add(self, record: dict) -> bool:
        """Offer a record; False when it is invalid (it is then listed as a reject)."""
        if self.history is not None and record.get("project_id") in self.history:
            first, last = self.history[record["project_id"]]
            record = {**record, "first_seen": first, "last_seen": last}
        problems = validate_record(record)
        if problems:
            self.reject_invalid(record.get("source_url") or "?", problems)
            return False
        seq = self._accept(record["project_id"], record["fetched_at"], record["extra_fields"].keys(),
                           lines_not_understood(record))
        self._buffer.append({**record, "_seq": seq})
        self._buffered += 1
        if self._buffered >= self.spool_batch:
            self._flush()
        return True

    def add_rows(self, rows: PreparedRows) -> None:
        """Records already validated and converted to Arrow (prepare_rows, in the crawl's
        worker processes), in order: the same as add() of each, without the per-record work
        on the calling thread."""
        table = rows.table if self.history is None else self._with_row_history(rows)
        seqs = [self._accept(pid, fetched_at, unknown) for pid, fetched_at, unknown in zip(
            rows.project_ids, rows.fetched_at, rows.unknown_labels, strict=True)]
        self.summary.lines_not_understood += sum(rows.lines_not_understood)
        self._tables.append(table.append_column("_seq", pa.array(seqs, pa.int64())))
        self._buffered += len(seqs)
        if self._buffered >= self.spool_batch:
            self._flush()

    def _with_row_history(self, rows: PreparedRows) -> pa.Table:
        """first_seen/last_seen from the crawl history, as add() sets them."""
        table = rows.table
        for k, name in enumerate(("first_seen", "last_seen")):
            old = table[name].to_pylist()
            values = [self.history[pid][k] if pid in self.history else v
                      for pid, v in zip(rows.project_ids, old, strict=True)]
            i = table.schema.get_field_index(name)
            field_ = table.schema.field(i)
            table = table.set_column(i, field_, pa.array(values, field_.type))
        return table

    def _accept(self, pid: str, fetched_at: datetime, unknown_labels,
                not_understood: int = 0) -> int:
        """Count a valid record and keep the newest page per project; returns its seq."""
        self.summary.pages += 1
        self.summary.unknown_labels.update(unknown_labels)
        self.summary.lines_not_understood += not_understood
        seq = self._seq
        self._seq += 1
        key = (fetched_at, seq)
        if pid in self._best:
            self.summary.duplicates += 1
            if key > self._best[pid]:
                self._best[pid] = key
        else:
            self._best[pid] = key
        return seq

    def reject_invalid(self, source: str, problems: list[str]) -> None:
        self.summary.invalid += 1
        self.reject(source, "invalid record: " + "; ".join(problems))

    def reject(self, source: str, reason: str, **details) -> None:
        self.summary.pages += 1
        self.summary.rejects += 1
        # one count per kind: "no project block (3 known labels)" → "no project block"
        self.summary.reject_reasons[_REASON_DETAIL.sub("", reason.split(":")[0])] += 1
        entry = {"source": str(source), "reason": reason, **details}
        self._rejects.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def _flush(self) -> None:
        self._wait_spool()  # first: an error of the write in flight leaves the buffers as they are
        schema = self.schema.append(pa.field("_seq", pa.int64()))
        tables = list(self._tables)
        if self._buffer:
            tables.append(pa.Table.from_pylist(self._buffer, schema=schema))
        if not tables:
            return
        if self._spool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._spool = pq.ParquetWriter(self._spool_path, schema, compression="lz4")
            self._spool_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spool")
        # the spool's row order does not matter: finish() picks rows by _seq and sorts them
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        self._spool_write = self._spool_thread.submit(self._spool.write_table, table)
        self._buffer.clear()
        self._tables = []
        self._buffered = 0

    def _wait_spool(self) -> None:
        """Wait for the spool write in flight (and raise its error, e.g. a full disk)."""
        if self._spool_write is not None:
            write, self._spool_write = self._spool_write, None
            write.result()

    def _close_spool(self) -> None:
        try:
            self._wait_spool()
        finally:
            if self._spool_thread is not None:
                self._spool_thread.shutdown(wait=True)
                self._spool_thread = None
            self._spool.close()

    # --- finishing --------------------------------------------------------------------
    def finish(self, history=None) -> RunSummary:
        """Write every output file to the temporary folder; nothing is published yet.

        `history`: a pipelines.history_plan.HistoryPlan: the dataset is written already
        stamped with first_seen/last_seen, with the rows it carries forward merged in (the
        summary and fill rates count this run's rows only, as without a history). The dataset
        is written once: finishing again returns the summary."""
        if self._finished:
            if history is not self._stamped_with:
                raise RuntimeError("the dataset is written already, with another history")
            return self.summary
        self._flush()
        self._rejects.close()
        if self._spool is not None:
            self._close_spool()
        fill = FillCounter()
        self._write_dataset(history, fill)
        self._spool_path.unlink(missing_ok=True)  # the dataset is written once: disk back now
        (self.tmp / "schema.json").write_text(
            json.dumps(schema_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        from projektbank.pipelines.datapackage import datapackage

        (self.tmp / "datapackage.json").write_text(json.dumps(
            datapackage(excel=self.excel_csv), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8")
        self.summary.records = fill.rows
        self.summary.fill_rate = fill.rates()
        self._finished = True
        return self.summary

    @property
    def finished(self) -> bool:
        return self._finished

    def project_ids(self) -> set[str]:
        """The projects this run has a valid record of."""
        return set(self._best)

    def _write_dataset(self, history, fill: FillCounter | None) -> None:
        """projects.parquet and projects.csv, a slice at a time, in project_id order."""
        csv_out = CsvWriter(self.tmp / "projects.csv", excel=self.excel_csv)
        schema = self.schema if history is None else history.schema
        carried = None if history is None else history.carried
        with pq.ParquetWriter(self.tmp / "projects.parquet", schema, compression="zstd",
                              write_statistics=True) as parquet_out:
            def write(chunk: pa.Table) -> None:
                parquet_out.write_table(chunk, row_group_size=self.row_group_size)
                csv_out.write(chunk)

            for chunk in self._sorted_winners():
                chunk = canonical_dictionaries(chunk, self.schema)
                if fill is not None:
                    fill.add(chunk)
                if history is not None:
                    chunk, carried = merge_carried(history.stamp(chunk), carried, schema)
                write(chunk)
            if carried is not None and carried.num_rows:
                write(canonical_dictionaries(carried, schema))
        csv_out.close()
        self._stamped_with = history

    def _sorted_winners(self, passes: int = 32) -> Iterator[pa.Table]:
        """The newest record of each project, in project_id order, a slice at a time.

        Only the key columns are sorted in memory. Each slice gathers its rows from the spool's
        row groups, so memory holds one slice (about 1/passes of the data), never the table.
        """
        if self._spool is None:
            return
        spool = pq.ParquetFile(self._spool_path)
        keys = spool.read(columns=["project_id", "_seq"], use_threads=False)
        winners = {seq for _, seq in self._best.values()}
        pids = keys["project_id"].to_pylist()
        order = sorted((i for i, seq in enumerate(keys["_seq"].to_pylist()) if seq in winners),
                       key=pids.__getitem__)
        del keys, pids
        starts = [0]
        for g in range(spool.num_row_groups):
            starts.append(starts[-1] + spool.metadata.row_group(g).num_rows)
        size = max(self.min_slice, -(-len(order) // passes))
        for lo in range(0, len(order), size):
            wanted = order[lo: lo + size]
            by_group: dict[int, list[tuple[int, int]]] = {}
            for out_pos, row in enumerate(wanted):
                g = bisect.bisect_right(starts, row) - 1
                by_group.setdefault(g, []).append((out_pos, row - starts[g]))
            pieces, positions = [], []
            for g, items in sorted(by_group.items()):
                group = spool.read_row_group(g, use_threads=False)
                pieces.append(group.take(pa.array([local for _, local in items], pa.int64())))
                positions.extend(out_pos for out_pos, _ in items)
            gathered = pa.concat_tables(pieces)
            inverse = [0] * len(positions)
            for k, out_pos in enumerate(positions):
                inverse[out_pos] = k
            yield gathered.take(pa.array(inverse, pa.int64())).drop_columns(["_seq"])

    def stage(self, staging: Staging, extra_files: dict[str, str] | None = None) -> None:
        """The finished files (and `extra_files`: name → text), staged to go in place."""
        for name, text in (extra_files or {}).items():
            (self.tmp / name).write_text(text, encoding="utf-8")
        for name in [*OUTPUT_FILES, *(extra_files or {})]:
            staging.stage_file(self.tmp / name, self.out_dir / name)

    def publish(self, extra_files: dict[str, str] | None = None) -> None:
        """Move the finished files into place, one atomic rename each."""
        if not self._finished:
            self.finish()
        staging = Staging()
        try:
            self.stage(staging, extra_files)
            staging.commit()
        finally:
            staging.discard()
        self.cleanup()

    def cleanup(self) -> None:
        """The temporary folder, once everything in it is published (or dropped)."""
        shutil.rmtree(self.tmp, ignore_errors=True)

    def abort(self) -> None:
        """Drop everything this run wrote; the previous datasets stay as they were."""
        if not self._rejects.closed:
            self._rejects.close()
        if self._spool is not None and not self._finished:
            try:
                self._close_spool()
            except Exception:  # aborting anyway: the spool is deleted below
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.publish()
        else:
            self.abort()


def utc_now() -> datetime:
    return datetime.now(UTC)
