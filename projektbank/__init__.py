"""projektbank for analysts: the datasets as pandas DataFrames with honest types.

    import projektbank
    df = projektbank.read_projects("output/esf")                          # the latest view
    old = projektbank.read_projects("output/esf", snapshot="2026-01-12")  # one crawl
    allc = projektbank.read_projects("output/esf", snapshot="all")        # every crawl + crawl_date
    df, changes = projektbank.read_projects("output/esf", changes=True)   # and the change log

Types: amounts, counts and other integers are nullable `Int64` (a missing amount is `<NA>`,
never a float); booleans `boolean`; text (codes and labels too) `string`; dates (`start_date`,
`end_date`, `first_seen`, `last_seen`, `crawl_date`) `datetime64` (so `df.start_date.dt.year`
and `df.start_date >= "2022-01-01"` work); `fetched_at` `datetime64[us, UTC]`;
`eu_cofinancing_rate_pct` `float64`; list columns Python lists, map columns (`fields_raw`,
`extra_fields`) dicts.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from projektbank._version import __version__

# A source checkout keeps extract/, pipelines/ and crawler/ beside this folder; an installed
# wheel puts them inside it (pyproject's package-dir). Searching the checkout's root as well
# lets `projektbank.extract` resolve to the tree this file came from: a checkout on
# PYTHONPATH, or `scrapy crawl esf` run before any install.
_root = Path(__file__).resolve().parent.parent
if (not (Path(__file__).resolve().parent / "extract").is_dir()
        and (_root / "extract" / "__init__.py").is_file()
        and (_root / "crawler" / "__init__.py").is_file()):
    __path__.append(str(_root))  # noqa: F821 - a package's own search path

__all__ = ["__version__", "read_changes", "read_projects", "to_pandas"]


def _mapping():
    import pandas as pd
    import pyarrow as pa

    return {pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype(),
            pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype(),
            pa.large_string(): pd.StringDtype()}.get


def to_pandas(table):
    """A projektbank Arrow table (projects, a snapshot or the change log) as a DataFrame with
    the types above."""
    import pyarrow as pa

    fields = [pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type,
                       f.nullable, f.metadata) for f in table.schema]
    table = table.cast(pa.schema(fields, metadata=table.schema.metadata))
    df = table.to_pandas(types_mapper=_mapping(), date_as_object=False,
                         maps_as_pydicts="strict")
    for f in fields:
        if pa.types.is_list(f.type) or pa.types.is_large_list(f.type):
            df[f.name] = [None if v is None else list(v) for v in df[f.name]]
    return df


def _folder(path: str | os.PathLike) -> tuple[Path, Path]:
    """(the output folder, its projects.parquet) for a folder or a .parquet file."""
    p = Path(path)
    if p.is_file():
        return p.parent, p
    if not p.is_dir():
        raise FileNotFoundError(f"no such output folder or file: {p}")
    target = p / "projects.parquet"
    if not target.is_file():
        raise FileNotFoundError(f"{p} has no projects.parquet (run projektbank crawl or "
                                "projektbank extract with --out there)")
    return p, target


def read_projects(path: str | os.PathLike = "output/esf", *,
                  snapshot: str | date | None = None, changes: bool = False):
    """The projects of an output folder as a pandas DataFrame.

    `snapshot`: a crawl date (`"2026-01-12"` or a date) reads that crawl's snapshot of a crawl
    history; `"all"` reads every snapshot, with a `crawl_date` column. `changes=True` returns
    `(projects, change_log)`.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder, latest = _folder(path)
    if snapshot is None:
        table = pq.read_table(latest)
    else:
        from projektbank.pipelines.history import list_snapshots

        snaps = list_snapshots(folder)
        if not snaps:
            raise FileNotFoundError(f"{folder} holds no crawl history (snapshots/)")
        if str(snapshot) == "all":
            parts = []
            for day, file in snaps.items():
                t = pq.read_table(file)
                t = t.cast(pa.schema([pa.field(f.name, pa.string()) if
                                      pa.types.is_dictionary(f.type) else f for f in t.schema]))
                parts.append(t.append_column(pa.field("crawl_date", pa.date32()),
                                             pa.array([day] * t.num_rows, pa.date32())))
            table = pa.concat_tables(parts, promote_options="permissive")
        else:
            day = snapshot if isinstance(snapshot, date) else date.fromisoformat(str(snapshot))
            if day not in snaps:
                known = ", ".join(d.isoformat() for d in snaps)
                raise FileNotFoundError(f"no snapshot of {day} in {folder} (crawl dates: {known})")
            table = pq.read_table(snaps[day])
    df = to_pandas(table)
    if changes:
        return df, read_changes(folder)
    return df


def read_changes(path: str | os.PathLike = "output/esf"):
    """The change log of a crawl history (`crawl_date, project_id, change, column, old_value,
    new_value`) as a DataFrame; empty when the folder has no history yet."""
    from projektbank.pipelines.history import changes_schema
    from projektbank.pipelines.history import read_changes as _read

    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    table = _read(folder)
    return to_pandas(table if table is not None else changes_schema().empty_table())
