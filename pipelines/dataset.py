"""The dataset writer: records stream in; Parquet, CSV, rejects and schema.json come out.

Records are spooled to a temporary Parquet file in row groups as they arrive (memory stays
flat). `finish()` de-duplicates by project_id (newest fetched_at wins; ties: the later page),
sorts by project_id, and writes every output file into a temporary folder beside the target.
`publish()` renames them into place; `abort()` leaves the previous files untouched. A crashed
run never leaves a half-written file where a reader looks.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from extract.schema import COLUMNS, LIST, MAP
from pipelines.arrow_schema import arrow_schema, schema_json
from pipelines.csv_writer import write_csv
from pipelines.validate import validate_record

OUTPUT_FILES = ("projects.parquet", "projects.csv", "rejects.jsonl", "schema.json")


@dataclass
class RunSummary:
    pages: int = 0                 # records offered + rejects
    records: int = 0               # rows written (after de-duplication)
    rejects: int = 0
    duplicates: int = 0            # records replaced by a newer page of the same project
    invalid: int = 0               # records that failed validation (also in rejects)
    unknown_labels: Counter = field(default_factory=Counter)
    fill_rate: dict[str, float] = field(default_factory=dict)
    reject_reasons: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["unknown_labels"] = dict(self.unknown_labels.most_common())
        d["reject_reasons"] = dict(self.reject_reasons.most_common())
        return d


class OutputError(Exception):
    """The output folder cannot be used (not a folder, not writable)."""


class DatasetWriter:
    def __init__(self, out_dir: str | os.PathLike, *, excel_csv: bool = False,
                 row_group_size: int = 1000) -> None:
        self.out_dir = Path(out_dir)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=".projektbank-tmp-", dir=self.out_dir))
        except OSError as exc:
            raise OutputError(f"cannot write to output folder {self.out_dir}: "
                              f"{exc.strerror or exc}") from exc
        self.excel_csv = excel_csv
        self.row_group_size = row_group_size
        self.schema = arrow_schema()
        self.summary = RunSummary()
        self._buffer: list[dict] = []
        self._seq = 0
        self._best: dict[str, tuple[datetime, int]] = {}
        self._spool_path = self.tmp / "spool.parquet"
        self._spool: pq.ParquetWriter | None = None
        self._rejects = open(self.tmp / "rejects.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        self._finished = False

    # --- streaming in ---------------------------------------------------------------
    def add(self, record: dict) -> bool:
        """Offer a record; False when it is invalid (it is then listed as a reject)."""
        problems = validate_record(record)
        if problems:
            self.summary.invalid += 1
            self.reject(record.get("source_url") or "?", "invalid record: " + "; ".join(problems))
            return False
        self.summary.pages += 1
        self.summary.unknown_labels.update(record["extra_fields"].keys())
        seq = self._seq
        self._seq += 1
        key = (record["fetched_at"], seq)
        pid = record["project_id"]
        if pid in self._best:
            self.summary.duplicates += 1
            if key > self._best[pid]:
                self._best[pid] = key
        else:
            self._best[pid] = key
        self._buffer.append({**record, "_seq": seq})
        if len(self._buffer) >= self.row_group_size:
            self._flush()
        return True

    def reject(self, source: str, reason: str, **details) -> None:
        self.summary.pages += 1
        self.summary.rejects += 1
        self.summary.reject_reasons[reason.split(":")[0]] += 1
        entry = {"source": str(source), "reason": reason, **details}
        self._rejects.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def _flush(self) -> None:
        if not self._buffer:
            return
        schema = self.schema.append(pa.field("_seq", pa.int64()))
        table = pa.Table.from_pylist(self._buffer, schema=schema)
        if self._spool is None:
            self._spool = pq.ParquetWriter(self._spool_path, schema, compression="lz4")
        self._spool.write_table(table)
        self._buffer.clear()

    # --- finishing --------------------------------------------------------------------
    def finish(self) -> RunSummary:
        """Write every output file to the temporary folder; nothing is published yet."""
        if self._finished:
            return self.summary
        self._flush()
        self._rejects.close()
        if self._spool is not None:
            self._spool.close()
            table = self._winners_sorted()
            self._spool_path.unlink()
        else:
            table = self.schema.empty_table()
        if not table.schema.equals(self.schema, check_metadata=False):
            table = table.cast(self.schema)
        table = table.replace_schema_metadata(self.schema.metadata)
        pq.write_table(table, self.tmp / "projects.parquet", compression="zstd",
                       row_group_size=self.row_group_size, write_statistics=True)
        write_csv(table, self.tmp / "projects.csv", excel=self.excel_csv)
        (self.tmp / "schema.json").write_text(
            json.dumps(schema_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        self.summary.records = table.num_rows
        self.summary.fill_rate = fill_rates(table)
        self._finished = True
        return self.summary

    def _winners_sorted(self) -> pa.Table:
        """The newest record of each project, sorted by project_id, read back from the spool.

        Only the key columns are sorted in Python; the rows are gathered with one `take`, so a
        large run holds about two copies of the table at most.
        """
        keys = pq.read_table(self._spool_path, columns=["project_id", "_seq"])
        winners = {seq for _, seq in self._best.values()}
        pids = keys["project_id"].to_pylist()
        order = sorted((i for i, seq in enumerate(keys["_seq"].to_pylist()) if seq in winners),
                       key=pids.__getitem__)
        del keys, pids
        spooled = pq.read_table(self._spool_path)
        return spooled.take(pa.array(order, pa.int64())).drop_columns(["_seq"])

    def publish(self, extra_files: dict[str, str] | None = None) -> None:
        """Move the finished files into place, one atomic rename each."""
        if not self._finished:
            self.finish()
        for name, text in (extra_files or {}).items():
            (self.tmp / name).write_text(text, encoding="utf-8")
        for name in [*OUTPUT_FILES, *(extra_files or {})]:
            os.replace(self.tmp / name, self.out_dir / name)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def abort(self) -> None:
        """Drop everything this run wrote; the previous datasets stay as they were."""
        if not self._rejects.closed:
            self._rejects.close()
        if self._spool is not None and not self._finished:
            self._spool.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.publish()
        else:
            self.abort()


def fill_rates(table: pa.Table) -> dict[str, float]:
    """Share of rows with a value per column (an empty list or map counts as no value)."""
    n = table.num_rows
    out = {}
    for col in COLUMNS:
        arr = table[col.name]
        if n == 0:
            out[col.name] = 0.0
            continue
        if col.type in (LIST, MAP):  # from the offsets: maps have no value_lengths kernel
            filled = 0
            for chunk in arr.chunks:
                offsets = chunk.offsets.to_numpy()
                valid = chunk.is_valid().to_numpy(zero_copy_only=False)
                filled += int((((offsets[1:] - offsets[:-1]) > 0) & valid).sum())
        else:
            filled = n - arr.null_count
        out[col.name] = round((filled or 0) / n, 4)
    return out


def utc_now() -> datetime:
    return datetime.now(UTC)
