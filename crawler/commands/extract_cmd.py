"""Re-extract project records from saved pages, offline.

PATH may be a saved page (.html, .htm, or a .txt text rendering), a folder (read
recursively), a WARC file (.warc, .warc.gz), or a crawl's raw archive folder (DIR/raw).
A page's URL and fetch time come from its WARC record, a sidecar `NAME.meta.json`
({"url", "fetched_at", "headers"}), its <link rel="canonical">, or else the file path and
modification time.

Writes to --out: projects.parquet, projects.csv, rejects.jsonl (every input that gave no
record, with the reason) and schema.json. Pages that give no record are listed, not fatal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "re-extract records from saved pages, folders, WARC files or a raw archive (no network)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or WARC files")
    p.add_argument("--out", default="output/extract", metavar="DIR",
                   help="output folder (default: %(default)s)")
    p.add_argument("--excel-csv", action="store_true",
                   help="write projects.csv for Excel: a BOM and ';' separators")
    p.add_argument("--no-history", action="store_true",
                   help="for a crawl's DIR/raw: leave first_seen/last_seen empty instead of "
                        "taking them from the crawl's history (DIR/projects.parquet)")
    p.add_argument("--include-personal-data", action="store_true",
                   help="keep contact persons, e-mail addresses and phone numbers in fields_raw "
                        "(left out by default; a personnummer stays masked)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")


def run(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"projektbank extract: no such file or folder: {missing[0]}", file=sys.stderr)
        return 2
    from pipelines.dataset import DatasetWriter, OutputError, crawl_history
    from pipelines.extract_run import extract_to

    found = None if args.no_history else crawl_history(args.paths)
    if found and not args.quiet:
        print(f"first_seen/last_seen from the crawl history in {found[0]}", file=sys.stderr)
    try:
        writer = DatasetWriter(args.out, excel_csv=args.excel_csv,
                               history=found[1] if found else None)
    except OutputError as exc:
        print(f"projektbank extract: {exc}", file=sys.stderr)
        return 1
    try:
        summary = extract_to(writer, args.paths, progress=not args.quiet and sys.stderr.isatty(),
                             personal_data=args.include_personal_data)
        writer.publish()
    except BaseException:
        writer.abort()
        raise
    if not args.quiet:
        unknown = ", ".join(f"{k} ({v})" for k, v in summary.unknown_labels.most_common(5))
        print(f"pages read: {summary.pages}  records: {summary.records}  "
              f"rejects: {summary.rejects}  duplicates replaced: {summary.duplicates}  "
              f"lines not understood: {summary.lines_not_understood}\n"
              f"unknown labels: {unknown or 'none'}\n"
              f"written to {Path(args.out)}/: projects.parquet projects.csv rejects.jsonl "
              f"schema.json", file=sys.stderr)
    return 0
