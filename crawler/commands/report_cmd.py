"""(Re)draw report.html for an output folder: a crawl's (with its history) or an extract's.

One self-contained page (no script, nothing loaded from the network; charts as inline SVG):
the run (status, records, rejects by reason, failures, retries, conditional-request savings,
unknown labels, lines not understood), records by programme period, region, programme area and
start year, budgets and grants, fill rates per column and programme period, validation messages
by column and kind, and for a crawl history the projects per crawl date and the changes per run.
Every file it reads is optional: what a folder lacks, the page says.

Examples:
  projektbank report output/esf
  projektbank report output/samples && xdg-open output/samples/report.html

Exit status: 0 when written; 1 when DIR is not a folder or cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "(re)draw report.html for an output folder (charts of records, fill rates, changes)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", metavar="DIR", help="an output folder (of projektbank crawl or extract)")


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"projektbank report: not a folder: {folder}", file=sys.stderr)
        return 1
    from projektbank.pipelines.report_html import write_report

    try:
        path = write_report(folder)
    except OSError as exc:
        print(f"projektbank report: cannot write {folder / 'report.html'}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 1
    print(path)
    return 0
