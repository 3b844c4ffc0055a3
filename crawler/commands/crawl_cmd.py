"""Crawl the esf.se project bank (or a local copy of it) into datasets.

Discovers project pages from the list pages (pagination, never filter links), robots.txt
sitemaps, --sitemap, --ids and --kohesio-csv; fetches each project once, politely (robots.txt,
AutoThrottle, at least 1 s between requests); archives every page (DIR/raw/*.warc.gz) and
writes DIR/projects.parquet, projects.csv, rejects.jsonl, schema.json and crawl_report.json.

The same as `scrapy crawl esf -a start_url=URL -a out=DIR [-s NAME=VALUE]...` (with
`-s JOBDIR=DIR` for --resume).

The terminal shows progress and one last line (`published 4,213 records (12 appeared, 3 changed,
0 disappeared); 2 pages failed (listed in crawl_report.json); 3h12m`); Scrapy's log goes to
--log-file (default DIR/crawl.log), or to the terminal with -v.

Status (crawl_report.json) and exit code (one table: crawler/outcomes.py):
  published          0    the datasets were published
  finished           0    a --limit sample was written to its own --out
  assertions_failed  1    a run assertion failed (--min-records, --min-fill, --max-failures);
                          the previous datasets stay
  history_refused    1    --crawl-date is older than the folder's history
  error              1    could not run (unreachable start URL, …), stalled (no response for
                          longer than the crawl's own waits allow), the site sent a Retry-After
                          over PROJEKTBANK_RETRY_AFTER_MAX, or a write failed; previous datasets
                          stay; with --resume the job continues from where it stopped
  interrupted        130  Ctrl-C/SIGTERM (a second one stops at once); continue with --resume
  (bad arguments: exit 2)

Examples:
  projektbank crawl                                   # the live site, into output/esf
  projektbank crawl --start-url http://127.0.0.1:8000/resultat/projektbanken/ \\
      --out /tmp/esf -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False
  projektbank crawl --resume output/esf-job           # resumable (a killed run continues)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = "crawl the project bank (live or a local copy) into Parquet/CSV, with a raw WARC archive"

DEFAULT_START = "https://www.esf.se/resultat/projektbanken/"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start-url", action="append", metavar="URL", dest="start_urls",
                   help=f"list page (or project page) to start from; repeatable "
                        f"(default: {DEFAULT_START})")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="output folder (default: output/esf)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   dest="settings", help="a Scrapy setting, as with `scrapy crawl -s`; repeatable")
    p.add_argument("--resume", metavar="DIR",
                   help="job folder (Scrapy JOBDIR): a stopped or killed crawl continues from it")
    p.add_argument("--sitemap", action="append", default=[], metavar="URL",
                   help="also seed from this sitemap (robots.txt Sitemap: lines are read anyway)")
    p.add_argument("--ids", metavar="FILE",
                   help="also fetch these projects: diarienummer or project URLs, one per line")
    p.add_argument("--kohesio-csv", metavar="FILE",
                   help="also fetch the ESF+ operations (2021SE05SFPR001_<dnr>) of a Kohesio CSV")
    p.add_argument("--min-records", type=int, default=None, metavar="N",
                   help="run assertion: at least N records, else keep the previous datasets "
                        "(default: 1)")
    p.add_argument("--crawl-date", metavar="YYYY-MM-DD",
                   help="date of this crawl's snapshot (default: the UTC day the crawl started)")
    p.add_argument("--max-failures", default=None, metavar="N|FRACTION",
                   help="run assertion: publish only if at most N pages (3) or this fraction of "
                        "the pages tried (0.05, 5%%) finally failed (default: 0.05)")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="a sample: fetch at most N project pages and publish them to --out "
                        "without history (status 'finished'); for smoke-testing the live site")
    p.add_argument("--log-file", default=None, metavar="FILE",
                   help="Scrapy's log (default: DIR/crawl.log; with -v the terminal)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="Scrapy's log on the terminal (and in --log-file when given)")
    p.add_argument("-S", "--set-unchecked", action="append", default=[], metavar="NAME=VALUE",
                   dest="unchecked",
                   help="a setting that neither Scrapy nor projektbank defines (a third-party "
                        "add-on's); -s refuses unknown names to catch typos")
    p.add_argument("--min-fill", action="append", default=[], metavar="COL=FRAC",
                   help="run assertion: column COL filled in at least FRAC of the rows (0.8, or 80%%); "
                        "repeatable (default: 0.5 for each key column; COL=0 turns one off)")


def _fail(message: str, code: int = 2) -> int:
    print(f"projektbank crawl: {message}", file=sys.stderr)
    return code


def known_setting_names() -> set[str]:
    """Every setting name Scrapy or projektbank defines (for -s typo checks)."""
    from projektbank.crawler import settings as ours
    from scrapy.settings import default_settings

    return {n for n in (*dir(default_settings), *dir(ours)) if n.isupper()}


def _parse_settings(items: list[str], check: bool) -> tuple[dict[str, str], str | None]:
    import difflib

    known = known_setting_names() if check else set()
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            return out, f"-s expects NAME=VALUE, got {item!r}"
        if check and name not in known:
            close = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]}?" if close else ""
            return out, (f"-s {name}: no such setting in Scrapy or projektbank{hint} (a third-party "
                         f"setting: -S {name}=VALUE)")
        out[name] = value
    return out, None


def _newest_history_date(out: str):
    from projektbank.pipelines.history import list_snapshots

    snaps = list_snapshots(out) if Path(out).is_dir() else {}
    return max(snaps, default=None)


class _Refused(Exception):
    """A one-line reason not to crawl, and the exit code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def run(args: argparse.Namespace) -> int:
    try:
        overrides, min_fill, max_failures = _check_arguments(args)
        out = _check_out(args, overrides)
        settings, log_file = _scrapy_settings(args, overrides, out)
    except _Refused as exc:
        return _fail(str(exc), exc.code)
    from projektbank.crawler.spiders.esf import EsfSpider
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    # by class, not a Crawler made beforehand: crawl() would merge the process's settings into
    # that one again, over what EsfSpider.update_settings added
    process.crawl(EsfSpider, **_spider_args(args, out, min_fill, max_failures))
    (crawler,) = process.crawlers  # read after the run: its job state has the outcome
    process.start()
    return _finish(crawler, log_file)


def _check_arguments(args: argparse.Namespace) -> tuple[dict, dict, int | float | None]:
    """The -s/-S settings, the URLs and files, and the run assertions, checked."""
    overrides, problem = _parse_settings(args.settings, check=True)
    if problem:
        raise _Refused(problem)
    unchecked, problem = _parse_settings(args.unchecked, check=False)
    if problem:
        raise _Refused(problem.replace("-s ", "-S "))
    overrides.update(unchecked)
    for url in (args.start_urls or [DEFAULT_START]) + list(args.sitemap):
        if not url.lower().startswith(("http://", "https://")):
            raise _Refused(f"not an http(s) URL: {url}")
    for label, path in (("--ids", args.ids), ("--kohesio-csv", args.kohesio_csv)):
        if path and not Path(path).is_file():
            raise _Refused(f"{label}: no such file: {path}")
    if args.crawl_date:
        from datetime import date

        try:
            date.fromisoformat(args.crawl_date)
        except ValueError:
            raise _Refused(f"--crawl-date: not a date (YYYY-MM-DD): {args.crawl_date}") from None
        overrides["PROJEKTBANK_CRAWL_DATE"] = args.crawl_date
    if args.min_records is not None and args.min_records < 0:
        raise _Refused("--min-records must be 0 or more")
    if args.limit is not None and args.limit < 1:
        raise _Refused("--limit must be 1 or more")

    from projektbank.crawler.report import parse_max_failures, parse_min_fill
    from projektbank.extract.schema import COLUMN_NAMES

    try:
        min_fill = parse_min_fill(args.min_fill)
        max_failures = parse_max_failures(args.max_failures) if args.max_failures is not None else None
    except ValueError as exc:
        raise _Refused(str(exc)) from None
    unknown = [c for c in min_fill if c not in COLUMN_NAMES]
    if unknown:
        raise _Refused(f"--min-fill: unknown column {unknown[0]!r}")
    return overrides, min_fill, max_failures


def _check_out(args: argparse.Namespace, overrides: dict) -> str:
    """The output folder: ours to write, locked for this process, its history not newer."""
    from datetime import UTC, date, datetime

    from projektbank.crawler.out_folder import (
        OutputFolderError,
        check_output_dir,
        lock_output_dir,
        refuse_reason,
    )

    out = args.out or overrides.get("PROJEKTBANK_OUT") or "output/esf"
    refused = refuse_reason(out)
    if refused:
        raise _Refused(f"--out: {refused}")
    for label, folder in (("--out", out), ("--resume", args.resume)):
        if not folder:
            continue
        try:
            check_output_dir(folder)
        except OSError as exc:
            raise _Refused(f"{label}: cannot write to {folder}: {exc.strerror or exc}", 1) from None
    try:
        lock_output_dir(out)  # held until this process exits
    except OutputFolderError as exc:
        raise _Refused(str(exc), 1) from None
    if args.limit is not None and (Path(out, "snapshots").exists() or Path(out, "changes.parquet").exists()):
        raise _Refused(f"--limit writes a sample without history, but {out} holds a crawl history: "
                       f"choose another --out", 2)
    newest = _newest_history_date(out)
    day = date.fromisoformat(args.crawl_date) if args.crawl_date else datetime.now(UTC).date()
    if newest is not None and newest > day and not args.resume and args.limit is None:
        raise _Refused(f"--crawl-date {day} is older than the newest snapshot in {out} ({newest}); "
                       f"the history only moves forward", 1)
    return out


def _scrapy_settings(args: argparse.Namespace, overrides: dict, out: str):
    """The project's settings with the command line's on top; the log file (None: terminal)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "projektbank.crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    defaults = {name: settings.get(name) for name in overrides}
    settings.setdict(overrides, priority="cmdline")
    for name, default in defaults.items():  # a typo'd value fails here, not deep in Scrapy
        getter = {bool: settings.getbool, int: settings.getint, float: settings.getfloat}.get(
            type(default))
        try:
            if getter is not None:
                getter(name)
        except (ValueError, TypeError):
            kind = {bool: "True or False", int: "a whole number", float: "a number"}[type(default)]
            raise _Refused(f"-s {name}={overrides[name]}: expected {kind}") from None
    if args.resume:
        settings.set("JOBDIR", args.resume, priority="cmdline")
    settings.set("PROJEKTBANK_EXIT_HOOK", False, priority="cmdline")
    log_file = args.log_file or (None if args.verbose else str(Path(out) / "crawl.log"))
    if log_file and "LOG_FILE" not in overrides:
        try:  # one run's log; appended to below, as Scrapy opens it more than once
            Path(log_file).parent.mkdir(parents=True, exist_ok=True)
            Path(log_file).write_text("", encoding="utf-8")
        except OSError as exc:
            raise _Refused(f"--log-file: cannot write to {log_file}: {exc.strerror or exc}", 1) from None
        settings.set("LOG_FILE", log_file, priority="cmdline")
        settings.set("LOG_FILE_APPEND", True, priority="cmdline")
    if not args.verbose:
        settings.set("PROJEKTBANK_PROGRESS", True, priority="cmdline")  # progress lines on stderr
    return settings, log_file


def _spider_args(args: argparse.Namespace, out: str, min_fill: dict, max_failures) -> dict:
    spider_args = {"start_url": args.start_urls or [DEFAULT_START], "out": out}
    if args.sitemap:
        spider_args["sitemap"] = list(args.sitemap)
    if args.ids:
        spider_args["ids"] = args.ids
    if args.kohesio_csv:
        spider_args["kohesio_csv"] = args.kohesio_csv
    if args.min_records is not None:
        spider_args["min_records"] = args.min_records
    if min_fill:
        spider_args["min_fill"] = min_fill
    if max_failures is not None:
        spider_args["max_failures"] = max_failures
    if args.limit is not None:
        spider_args["limit"] = args.limit
    return spider_args


def _finish(crawler, log_file: str | None) -> int:
    """The operator's last line and the exit code, from the run's outcome."""
    from projektbank.crawler.job_state import JobState
    from projektbank.crawler.outcomes import INTERRUPTED, NOT_STARTED

    job = JobState.of(crawler)
    if job is not None and job.outcome is None:  # the reactor stopped before the job closed
        job.abort_now(INTERRUPTED, "the crawl was stopped before it could close")
    if job is None:  # no job state: the crawl failed before Scrapy built its extensions
        print(f"projektbank crawl: the crawl did not start"
              f"{f' (see {log_file})' if log_file else ' (see the log)'}", file=sys.stderr)
        return NOT_STARTED.exit_code
    if job.outcome.published:
        print(job.summary_line(), file=sys.stderr)  # the operator's last line, as it is
    else:
        print(f"projektbank crawl: {job.reason}", file=sys.stderr)
    return job.outcome.exit_code
