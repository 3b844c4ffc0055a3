"""Re-extract project records from saved pages, offline.

PATH may be a saved page (.html, .htm, or a .txt text rendering), a folder (read
recursively), a WARC file (.warc, .warc.gz), or a crawl's raw archive folder (DIR/raw).
A page's URL and fetch time come from its WARC record, a sidecar `NAME.meta.json`
({"url", "fetched_at", "headers"}), its <link rel="canonical">, or else the file path and
modification time.

Writes to --out: projects.parquet, projects.csv, rejects.jsonl (every input that gave no
record, with the reason), schema.json, datapackage.json and report.html. Pages that give no
record are listed, not fatal.

Guards: a dataset is not replaced by an empty one, nor by fewer than --min-records rows
(--force replaces it anyway); a folder holding a crawl history (snapshots/, changes.parquet) is
only written through that history (--crawl-date: the extract becomes that crawl date's snapshot,
with the change log and the latest view updated). Exit status: 0 published, 1 refused or
failed (one-line reason; the previous files stay), 2 bad arguments.
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
    p.add_argument("--max-page-bytes", type=int, default=None, metavar="N",
                   help="refuse (list in rejects.jsonl) a page, WARC record or gzip member larger "
                        "than N bytes (default: 10485760, the crawl's limit)")
    p.add_argument("--min-records", type=int, default=None, metavar="N",
                   help="publish only when at least N records came out (else the previous "
                        "files stay; exit 1)")
    p.add_argument("--force", action="store_true",
                   help="replace the dataset in --out even with fewer records than it holds "
                        "(also with none)")
    p.add_argument("--crawl-date", metavar="YYYY-MM-DD",
                   help="--out holds a crawl history: add this extract to it as the snapshot of "
                        "this crawl date (not older than its newest), updating the change log and "
                        "the latest view")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="extract in N worker processes (default: one per CPU; 1: in this "
                        "process); the files are the same whatever N")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")


def _fail(message: str, code: int = 1) -> int:
    print(f"projektbank extract: {message}", file=sys.stderr)
    return code


def history_files(out: Path) -> list[str]:
    """What makes `out` a crawl history's folder (snapshots/, changes.parquet)."""
    return [name for name, there in (("snapshots/", (out / "snapshots").is_dir()),
                                     ("changes.parquet", (out / "changes.parquet").is_file()))
            if there]


def published_rows(out: Path) -> int:
    """Rows of the dataset published in `out` (0 when there is none or it is unreadable)."""
    path = out / "projects.parquet"
    if not path.is_file():
        return 0
    try:
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    except Exception:
        return 0


def run(args: argparse.Namespace) -> int:
    checked = _checked(args)
    if isinstance(checked, int):
        return checked
    limits, crawl_date, workers = checked
    out = Path(args.out)
    refused = _folder_refusal(out, crawl_date)
    if refused:
        return _fail(refused)
    from projektbank.pipelines.dataset import OutputError
    from projektbank.pipelines.extract_run import extract_pages
    from projektbank.pipelines.history import HistoryError
    from projektbank.pipelines.run import Run, crawl_history

    found = None if args.no_history else crawl_history(args.paths)
    if found and not args.quiet:
        print(f"first_seen/last_seen from the crawl history in {found[0]}", file=sys.stderr)
    before = published_rows(out)
    try:
        run = Run(out, crawl_date=crawl_date, excel_csv=args.excel_csv,
                  personal_data=args.include_personal_data,
                  row_history=found[1] if found else None)
    except OutputError as exc:
        return _fail(str(exc))
    except HistoryError as exc:   # the crawl date goes back: refused before anything is read
        return _fail(f"{exc} (previous files kept)")
    try:
        extract_pages(run.writer, args.paths, progress=not args.quiet and sys.stderr.isatty(),
                      personal_data=args.include_personal_data, limits=limits, workers=workers)
        summary = run.finish()
        refusal = _refusal(args, summary.records, before, out)
        if refusal:
            run.abort(refusal)
            return _fail(f"refused: {refusal} (previous files kept; --force publishes anyway)")
        try:
            result = run.publish()
        except HistoryError as exc:
            run.abort(str(exc))
            return _fail(f"{exc} (previous files kept)")
    except OSError as exc:   # a full disk, a folder gone: one line, nothing published
        _abort(run.writer)
        return _fail(f"writing {_shown(str(out))} failed: {_shown(exc.strerror or str(exc))} "
                     "(nothing published; the previous files stay)")
    except BaseException:
        _abort(run.writer)
        raise
    from projektbank.pipelines.report_html import report_wanted

    report = _write_report(out, args.quiet) if report_wanted() else None
    if not args.quiet:
        _print_summary(summary, result, out, report)
    return 0


def _folder_refusal(out: Path, crawl_date) -> str | None:
    """Why `out` cannot take this extract now, or None."""
    history = history_files(out)
    if history and crawl_date is None:
        return (f"{out} holds a crawl history ({' and '.join(history)}): replacing its latest "
                "view would leave the snapshots, the change log and the crawl report stale; "
                "extract into another folder, or add the extract to the history with "
                "--crawl-date YYYY-MM-DD")
    if crawl_date is not None and out.is_dir():   # a crawl writing there now: wait for it
        from projektbank.crawler.out_folder import OutputFolderError, lock_output_dir

        try:
            lock_output_dir(out)
        except OutputFolderError as exc:
            return str(exc)
    return None


def _print_summary(summary, result, out: Path, report: Path | None) -> None:
    unknown = ", ".join(f"{k} ({v})" for k, v in summary.unknown_labels.most_common(5))
    hist = (f"\nadded to the crawl history as {result.crawl_date}: appeared {result.appeared}, "
            f"disappeared {result.disappeared}, changed fields {result.changed_fields}"
            if result is not None else "")
    print(f"pages read: {summary.pages}  records: {summary.records}  "
          f"rejects: {summary.rejects}  duplicates replaced: {summary.duplicates}  "
          f"lines not understood: {summary.lines_not_understood}\n"
          f"unknown labels: {unknown or 'none'}{hist}\n"
          f"written to {out}/: projects.parquet projects.csv rejects.jsonl schema.json "
          f"datapackage.json{' report.html' if report else ''}", file=sys.stderr)


def _checked(args: argparse.Namespace):
    """The page limits, the crawl date and the worker count, or the exit code of a bad
    argument (after its one-line message)."""
    urls = [p for p in args.paths if str(p).lower().startswith(("http://", "https://"))]
    if urls:
        return _fail(f"{urls[0]} is a URL: extract reads saved pages only (no network); fetch "
                     f"it with `projektbank crawl --start-url {urls[0]}` (or `projektbank crawl "
                     "--ids FILE` for project numbers)", 2)
    missing = [p for p in args.paths if not _lexists(p)]
    if missing:
        return _fail(f"no such file or folder: {_shown(missing[0])}", 2)
    from projektbank.pipelines.inputs import DEFAULT_LIMITS, Limits

    limits = DEFAULT_LIMITS
    if args.max_page_bytes is not None:
        if args.max_page_bytes < 1:
            return _fail("--max-page-bytes must be 1 or more", 2)
        limits = Limits(max_page_bytes=args.max_page_bytes)
    if args.min_records is not None and args.min_records < 0:
        return _fail("--min-records must be 0 or more", 2)
    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be 1 or more", 2)
    from projektbank.pipelines.extract_run import cpu_count

    workers = cpu_count() if args.workers is None else args.workers
    crawl_date = None
    if args.crawl_date:
        from datetime import date

        try:
            crawl_date = date.fromisoformat(args.crawl_date)
        except ValueError:
            return _fail(f"--crawl-date: not a date (YYYY-MM-DD): {args.crawl_date}", 2)
    return limits, crawl_date, workers


def _refusal(args: argparse.Namespace, records: int, before: int, out: Path) -> str | None:
    """Why the run must not replace the published dataset (None: it may)."""
    if args.force:
        return None
    if args.min_records is not None and records < args.min_records:
        return f"{records} records, fewer than --min-records {args.min_records}"
    if before and records < before and records == 0:
        return f"0 records would replace the {before} in {out / 'projects.parquet'}"
    return None


def _abort(writer) -> None:
    try:
        writer.abort()
    except Exception:  # the disk that failed the run may fail the clean-up too
        import shutil

        shutil.rmtree(writer.tmp, ignore_errors=True)


def _lexists(path: str) -> bool:
    """The path names something (a broken symlink too; a name too long to look up is listed
    as a reject, not refused here)."""
    import errno
    import os

    try:
        os.lstat(path)
        return True
    except OSError as exc:
        return exc.errno != errno.ENOENT
    except ValueError:
        return True


def _shown(text: str) -> str:
    from projektbank.pipelines.inputs import safe_text, shorten

    return shorten(safe_text(text))


def _write_report(out: Path, quiet: bool) -> Path | None:
    """report.html beside the published files; a failure to draw it never fails the extract."""
    try:
        from projektbank.pipelines.report_html import write_report

        return write_report(out)
    except Exception as exc:
        print(f"projektbank extract: report.html not written: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return None
