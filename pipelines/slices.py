"""What each slice of the dataset goes through as DatasetWriter.finish() writes it: the same
dictionary encoding whatever order the pages came in, the rows a crawl history carries forward
merged in project_id order, and the fill count of the run summary."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from projektbank.extract.schema import COLUMNS, LIST, MAP


def merge_carried(chunk: pa.Table, carried: pa.Table | None,
                   schema: pa.Schema) -> tuple[pa.Table, pa.Table | None]:
    """The chunk with the carried rows (sorted) that sort before its last project_id merged
    in; and the carried rows left for later chunks."""
    if carried is None or not carried.num_rows or not chunk.num_rows:
        return chunk, carried
    last = chunk["project_id"][-1]
    k = pc.sum(pc.less_equal(carried["project_id"], last)).as_py() or 0
    if not k:
        return chunk, carried
    both = pa.concat_tables([chunk, carried.slice(0, k)])
    both = both.take(pc.sort_indices(both["project_id"]))
    return canonical_dictionaries(both, schema), carried.slice(k)


def canonical_dictionaries(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Re-encode dictionary columns in order of first appearance in the (sorted) rows, so the
    same rows give the same file whatever order the pages arrived in."""
    columns = []
    for target in schema:
        arr = table[target.name]
        if pa.types.is_dictionary(target.type):
            arr = pc.dictionary_encode(arr.cast(pa.string())).cast(target.type)
        elif arr.type != target.type:
            arr = arr.cast(target.type)
        columns.append(arr)
    return pa.Table.from_arrays(columns, schema=schema)


class FillCounter:
    """Share of rows with a value per column (an empty list or map counts as no value)."""

    def __init__(self) -> None:
        self.rows = 0
        self.filled = dict.fromkeys((c.name for c in COLUMNS), 0)

    def add(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        for col in COLUMNS:
            arr = table[col.name]
            if col.type in (LIST, MAP):  # from the offsets: maps have no value_lengths kernel
                for chunk in arr.chunks:
                    offsets = chunk.offsets.to_numpy()
                    valid = chunk.is_valid().to_numpy(zero_copy_only=False)
                    self.filled[col.name] += int((((offsets[1:] - offsets[:-1]) > 0) & valid).sum())
            else:
                self.filled[col.name] += table.num_rows - arr.null_count

    def rates(self) -> dict[str, float]:
        return {name: round(n / self.rows, 4) if self.rows else 0.0
                for name, n in self.filled.items()}
