"""Show what changed between crawls: DIR/changes.parquet, the change log of a crawl history.

Every scheduled `projektbank crawl --out DIR` compares its projects with the previous crawl and
records one row per changed column (`changed`), and one row per project that `appeared` or
`disappeared`, with the crawl date that saw it. Provenance (fetched_at, …) is not a change.

The text summary gives the counts (appeared, disappeared, changed columns per column), then
the changes, newest crawl first. --format csv or json prints the rows for scripts (columns:
crawl_date, project_id, change, column, old_value, new_value; values as text, lists/maps JSON).

Examples:
  projektbank changes output/esf
  projektbank changes output/esf --since 2025-01-01 --format csv > changes.csv
  projektbank changes output/esf --project 23-002-S02 --format json

Exit status: 0 (also when nothing changed or the history has a single crawl so far);
1 when DIR has no crawl history or its change log is unreadable; 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import Counter
from datetime import date
from pathlib import Path

HELP = "show what changed between crawls (the change log of a crawl history)"

FIELDS = ("crawl_date", "project_id", "change", "column", "old_value", "new_value")
MAX_SHOWN = 70  # characters of a value in the text listing


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", metavar="DIR", help="a crawl's output folder (projektbank crawl --out)")
    p.add_argument("--since", type=_date, metavar="DATE",
                   help="only changes recorded on crawl dates from DATE on (YYYY-MM-DD, inclusive)")
    p.add_argument("--project", metavar="ID", action="append",
                   help="only this project_id (e.g. 23-002-S02); repeatable")
    p.add_argument("--column", metavar="COL", action="append",
                   help="only changes of this column (e.g. project_name); repeatable")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text",
                   help="text: summary and listing (default); csv or json: the rows, for scripts")


def _fail(message: str, code: int = 1) -> int:
    print(f"projektbank changes: {message}", file=sys.stderr)
    return code


def _shown(value: str | None) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 2] + "…\""


def run(args: argparse.Namespace) -> int:
    out = Path(args.dir)
    if not out.is_dir():
        return _fail(f"no such folder: {out}", 2)
    from projektbank.pipelines.history import (
        CHANGES_FILE,
        HistoryError,
        list_snapshots,
        read_changes,
    )

    snapshots = list(list_snapshots(out))
    try:
        log = read_changes(out)
    except HistoryError as exc:
        return _fail(str(exc))
    if log is None:
        if snapshots:  # a history without a log: made by hand or cut short
            return _fail(f"no {CHANGES_FILE} in {out} although it has {len(snapshots)} "
                         f"snapshot(s); the next crawl writes it")
        return _fail(f"no {CHANGES_FILE} in {out}: not a crawl history (made by "
                     f"'projektbank crawl --out {out}')")
    rows = log.to_pylist()
    if args.since:
        rows = [r for r in rows if r["crawl_date"] >= args.since]
    if args.project:
        wanted = set(args.project)
        rows = [r for r in rows if r["project_id"] in wanted]
    if args.column:
        from projektbank.pipelines.history import COMPARED_COLUMNS

        unknown = sorted(set(args.column) - set(COMPARED_COLUMNS))
        if unknown:
            return _fail(f"--column {unknown[0]}: not a compared column (one of: "
                         f"{', '.join(COMPARED_COLUMNS)})", 2)
        cols = set(args.column)
        rows = [r for r in rows if r["column"] in cols]
    try:
        return _write(out, snapshots, rows, args)
    except BrokenPipeError:  # `projektbank changes … | head`: the reader has enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return 0


def _write(out: Path, snapshots: list[date], rows: list[dict], args) -> int:

    if args.format == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(FIELDS)
        for r in rows:
            w.writerow(["" if r[f] is None else str(r[f]) for f in FIELDS])
        return 0
    if args.format == "json":
        for r in rows:
            r["crawl_date"] = r["crawl_date"].isoformat()
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    print(_summary(out, snapshots, rows, args))
    return 0


def _summary(out: Path, snapshots: list[date], rows: list[dict], args) -> str:
    lines = []
    if snapshots:
        lines.append(f"{out}: {len(snapshots)} crawl(s) in the history, "
                     f"{snapshots[0]} … {snapshots[-1]}")
    else:
        lines.append(f"{out}: change log without snapshots")
    scope = []
    if args.since:
        scope.append(f"since {args.since}")
    if args.project:
        scope.append("project " + ", ".join(args.project))
    if args.column:
        scope.append("column " + ", ".join(args.column))
    kinds = Counter(r["change"] for r in rows)
    per_column = Counter(r["column"] for r in rows if r["change"] == "changed")
    changed_projects = len({r["project_id"] for r in rows if r["change"] == "changed"})
    days = sorted({r["crawl_date"] for r in rows}, reverse=True)
    head = "changes" + (f" ({'; '.join(scope)})" if scope else "")
    if not rows:
        if len(snapshots) <= 1 and not scope:
            lines.append("no changes yet: changes are recorded from the second crawl on")
        else:
            lines.append(f"{head}: none")
        return "\n".join(lines)
    lines.append(f"{head}: {len(days)} crawl date(s) with changes")
    lines.append(f"  appeared: {kinds['appeared']}   disappeared: {kinds['disappeared']}   "
                 f"changed: {kinds['changed']} value(s) in {changed_projects} project(s)"
                 + (f"   fetch failed: {kinds['fetch_failed']}" if kinds["fetch_failed"] else ""))
    if per_column:
        width = max(len(c) for c in per_column)
        lines.append("  changed values per column:")
        for col, n in per_column.most_common():
            lines.append(f"    {col:<{width}}  {n}")
    for day in days:
        lines.append("")
        lines.append(f"{day}")
        for r in rows:
            if r["crawl_date"] != day:
                continue
            if r["change"] == "appeared":
                lines.append(f"  + {r['project_id']}  appeared")
            elif r["change"] == "disappeared":
                lines.append(f"  - {r['project_id']}  disappeared")
            elif r["change"] == "fetch_failed":
                lines.append(f"  ! {r['project_id']}  fetch failed (previous row kept)")
            else:
                lines.append(f"  ~ {r['project_id']}  {r['column']}: {_shown(r['old_value'])} → "
                             f"{_shown(r['new_value'])}")
    return "\n".join(lines)
