"""What report.html shows, gathered from an output folder: `read_folder` reads each file
leniently (a missing or unreadable one becomes a line in `Folder.problems`), and the helpers
below aggregate it (programme periods, reject and message kinds, fill rates per period).
No HTML here: sections.py draws it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from projektbank.extract.identifiers import DNR_ANY

PERIODS = ("2007-2013", "2014-2020", "2021-2027")


@dataclass
class Folder:
    """What an output folder holds, read leniently."""

    path: Path
    table: object = None                    # pyarrow Table of projects.parquet, or None
    producer: str | None = None
    crawl: dict | None = None               # crawl_report.json
    rejects: list[dict] = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)   # crawl date → snapshot file
    changes: object = None                  # pyarrow Table of changes.parquet, or None
    problems: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.snapshots or (self.path / "changes.parquet").exists():
            return "crawl history"
        return "crawl" if self.crawl is not None else "extract"


def read_folder(out_dir: str | os.PathLike) -> Folder:
    import pyarrow.parquet as pq

    path = Path(out_dir)
    f = Folder(path)
    parquet = path / "projects.parquet"
    if parquet.is_file():
        try:
            f.table = pq.read_table(parquet)
            meta = f.table.schema.metadata or {}
            f.producer = (meta.get(b"producer") or b"").decode() or None
        except Exception as exc:  # a report never fails on a bad file: it says so
            f.problems.append(f"projects.parquet unreadable: {exc}")
    else:
        f.problems.append("no projects.parquet in this folder")
    report = path / "crawl_report.json"
    if report.is_file():
        try:
            f.crawl = json.loads(report.read_text(encoding="utf-8"))
            if not isinstance(f.crawl, dict):
                f.crawl = None
                f.problems.append("crawl_report.json is not a JSON object")
        except (OSError, ValueError) as exc:
            f.problems.append(f"crawl_report.json unreadable: {exc}")
    rejects = path / "rejects.jsonl"
    if rejects.is_file():
        try:
            with rejects.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        try:
                            f.rejects.append(json.loads(line))
                        except ValueError:
                            f.rejects.append({"source": "?", "reason": "unreadable line"})
        except OSError as exc:
            f.problems.append(f"rejects.jsonl unreadable: {exc}")
    try:
        from projektbank.pipelines.history import list_snapshots, read_changes

        f.snapshots = list_snapshots(path)
        f.changes = read_changes(path)
    except Exception as exc:
        f.problems.append(f"crawl history unreadable: {exc}")
    return f


# --- aggregation --------------------------------------------------------------------------------
def column_values(table, name: str) -> list:
    if table is None or name not in table.column_names:
        return [None] * (table.num_rows if table is not None else 0)
    arr = table[name]
    import pyarrow as pa

    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(pa.string())
    return arr.to_pylist()


def period_order(periods) -> list[str]:
    present = {p for p in periods if p}
    return [p for p in PERIODS if p in present] + sorted(present - set(PERIODS)) + (
        ["(none)"] if any(p is None for p in periods) else [])


def reason_kind(reason: str) -> str:
    """A reject reason without its specifics: `no project block (2 known labels)` → `no
    project block`; `invalid record: …` → `invalid record`; `not HTML (PDF)` stays."""
    reason = re.sub(r"\s*\(\d+ known labels?\)", "", str(reason or "?"))
    return reason.split(":", 1)[0].strip() or "?"


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|‘[^’]*’")
# project ids (`22-021-S03`, `2019/00492`) and long numbers; short numbers (`SE0`, `UTF-8`,
# a year) are part of what a message says
_SPECIFIC = re.compile(rf"{DNR_ANY.pattern}|(?<![\w-])\d{{5,}}(?![\w-])")


def message_kind(message: str) -> tuple[str, str]:
    """`column: text` → (column, the text with quoted values and numbers replaced)."""
    column, sep, text = str(message).partition(":")
    if not sep:
        column, text = "(record)", message
    text = _SPECIFIC.sub("…", _QUOTED.sub("'…'", text.strip()))
    return column.strip(), text


def fill_by_period(table) -> tuple[list[str], dict[str, int], dict[tuple[str, str], float]]:
    """Fill rate of every column within each programme period (and over all rows), measured on
    the published table. An empty list or map counts as no value."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from projektbank.extract.schema import COLUMNS

    periods = period_order(column_values(table, "programme_period"))
    pcol = pa.chunked_array([pa.array(column_values(table, "programme_period"), pa.string())])
    counts, rates = {}, {}
    groups = [(p, pc.equal(pcol, p) if p != "(none)" else pc.is_null(pcol)) for p in periods]
    groups.append(("all", None))
    for name, mask in groups:
        sub = table if mask is None else table.filter(mask)
        counts[name] = sub.num_rows
        for col in COLUMNS:
            if col.name not in sub.column_names or not sub.num_rows:
                rates[(col.name, name)] = 0.0
                continue
            arr = sub[col.name]
            if pa.types.is_list(arr.type) or pa.types.is_map(arr.type):
                filled = sum(1 for v in arr.to_pylist() if v)
            else:
                filled = sub.num_rows - arr.null_count
            rates[(col.name, name)] = filled / sub.num_rows
    return periods, counts, rates


def published_in(column, period: str) -> bool:
    """Whether the source publishes `column` in `period` (schema `periods`; unknown: yes)."""
    periods = getattr(column, "periods", None)
    return period not in PERIODS or periods is None or period in periods
