"""Fill rate per programme period: which share of each period's rows has a column filled.

A column that a period's pages do not publish (extract/schema.py `Column.periods`) is None for
that period, not 0.0: an empty `fund` on 2014–2020 rows is not a gap in the data.

"Filled" means what the run summary's fill rate means: not null; a list or map column not empty.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from projektbank.extract.schema import ALL_PERIODS, BY_NAME


def fill_rate_by_period(table: pa.Table) -> dict[str, dict[str, float | None]]:
    """{period: {column: fraction of that period's rows with the column filled, or None where
    the period does not publish the column}} for the three programme periods.

    Rows are grouped by `programme_period`; rows without one count in no period. A period with
    no rows gets None for every column (there is nothing to rate). Columns not in the schema
    are rated for every period.
    """
    periods = table.column("programme_period").cast(pa.string()) if table.num_rows else None
    out: dict[str, dict[str, float | None]] = {}
    for period in ALL_PERIODS:
        mask = pc.equal(periods, period) if periods is not None else None
        rows = table.filter(pc.fill_null(mask, False)) if mask is not None else table.slice(0, 0)
        n = rows.num_rows
        rates: dict[str, float | None] = {}
        for name in table.column_names:
            col = BY_NAME.get(name)
            if (col is not None and period not in col.periods) or n == 0:
                rates[name] = None
                continue
            rates[name] = _filled(rows.column(name)) / n
        out[period] = rates
    return out


def _filled(column: pa.ChunkedArray) -> int:
    """Rows with a value; lists and maps: non-empty (as the run summary's fill rate counts)."""
    typ = column.type
    if pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_map(typ):
        filled = 0
        for chunk in column.chunks:  # from the offsets: maps have no value_lengths kernel
            offsets = chunk.offsets.to_numpy()
            valid = chunk.is_valid().to_numpy(zero_copy_only=False)
            filled += int((((offsets[1:] - offsets[:-1]) > 0) & valid).sum())
        return filled
    return len(column) - column.null_count
