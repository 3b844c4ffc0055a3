"""CSV writer: the Parquet table's rows and column order, for spreadsheets and scripts.

UTF-8; list and map columns as JSON text; dates ISO; timestamps ISO with `Z`. A text cell that a
spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR, also in a
full-width or compatibility form that NFKC folds into one of those, or with U+2212 `−`) gets a
leading `'` (OWASP's CSV-injection advice); Parquet keeps the text verbatim. Written with pyarrow's CSV
writer (far faster than pandas `to_csv`). `excel=True` (for Excel in a Swedish locale): a BOM,
`;` separators and decimal commas (`62,5`). `datapackage.json` (pipelines/datapackage.py)
describes either form.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from projektbank.extract.schema import BY_NAME, CATEGORY, FLOAT, LIST, MAP, STRING, TIMESTAMP

FORMULA_START = r"^[=+\-@\t\r\x{2212}]"
# the first character as a spreadsheet may read it: NFKC folds the full-width and compatibility
# forms (`＝` U+FF1D, `﹦` U+FE66, `＋`, `－`, `＠`, `⁺`, …) into `=`, `+`, `-` and `@`; the minus
# sign U+2212 is matched as itself
_HEAD = 8


def neutralise_formulas(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    head = pc.utf8_normalize(pc.utf8_slice_codeunits(arr, 0, _HEAD), form="NFKC")
    risky = pc.match_substring_regex(head, FORMULA_START)
    return pc.if_else(risky, pc.binary_join_element_wise("'", arr, ""), arr)


def _json_column(arr: pa.ChunkedArray, is_map: bool) -> pa.Array:
    out = []
    for value in arr.to_pylist():
        if value is None:
            out.append(None)
        elif is_map:
            out.append(json.dumps(dict(value), ensure_ascii=False))
        else:
            out.append(json.dumps(value, ensure_ascii=False))
    return pa.array(out, pa.string())


def csv_table(table: pa.Table, *, decimal_comma: bool = False) -> pa.Table:
    """The table with every column flattened to what CSV can hold (`decimal_comma`: floats
    written `62,5`, as a spreadsheet in a `;`-separated locale reads them)."""
    columns, names = [], []
    for name in table.column_names:
        arr = table[name]
        kind = BY_NAME[name].type if name in BY_NAME else None
        if kind in (LIST, MAP):
            arr = pa.chunked_array([_json_column(arr, kind == MAP)], pa.string())
        elif kind == TIMESTAMP:
            arr = pc.strftime(arr, format="%Y-%m-%dT%H:%M:%SZ")  # %S keeps the microseconds
        elif kind == CATEGORY:
            arr = arr.cast(pa.string())
        elif kind == FLOAT and decimal_comma:
            arr = pc.replace_substring(arr.cast(pa.string()), ".", ",")
        if kind in (LIST, MAP, STRING, CATEGORY):
            arr = neutralise_formulas(arr)
        columns.append(arr)
        names.append(name)
    return pa.table(columns, names=names)


class CsvWriter:
    """Streams tables into one CSV file; the JSON text of list/map columns exists a slice at a
    time, never for all rows at once."""

    def __init__(self, path: Path, *, excel: bool = False, chunk_rows: int = 2000) -> None:
        self.fh = open(path, "wb")  # noqa: SIM115 - closed in close()
        if excel:
            self.fh.write("\ufeff".encode())
        self.options = pacsv.WriteOptions(include_header=True, delimiter=";" if excel else ",",
                                          quoting_style="needed")
        self.chunk_rows = chunk_rows
        self.excel = excel
        self._writer: pacsv.CSVWriter | None = None

    def write(self, table: pa.Table) -> None:
        for start in range(0, max(table.num_rows, 1), self.chunk_rows):
            flat = csv_table(table.slice(start, self.chunk_rows), decimal_comma=self.excel)
            if self._writer is None:
                self._writer = pacsv.CSVWriter(self.fh, flat.schema, write_options=self.options)
            self._writer.write_table(flat)

    def close(self) -> None:
        if self._writer is None:  # no rows at all: still a header
            from projektbank.pipelines.arrow_schema import arrow_schema

            self.write(arrow_schema().empty_table())
        self._writer.close()
        self.fh.close()


def write_csv(table: pa.Table, path: Path, *, excel: bool = False) -> None:
    out = CsvWriter(path, excel=excel)
    out.write(table)
    out.close()
