"""Crawl the esf.se project bank (or a local copy of it) into datasets.

Discovers project pages from the list pages (pagination, never filter links), robots.txt
sitemaps, --sitemap, --ids and --kohesio-csv; fetches each project once, politely (robots.txt,
AutoThrottle, at least 1 s between requests); archives every page (DIR/raw/*.warc.gz) and
writes DIR/projects.parquet, projects.csv, rejects.jsonl, schema.json and crawl_report.json.

The same as `scrapy crawl esf -a start_url=URL -a out=DIR [-s NAME=VALUE]...` (with
`-s JOBDIR=DIR` for --resume). Exit status: 0 when the datasets were published; 1 when a run
assertion failed (the previous datasets stay) or the crawl could not run; 130 when stopped
with Ctrl-C (continue it with --resume); 2 for bad arguments.

Examples:
  projektbank crawl                                   # the live site, into output/esf
  projektbank crawl --start-url http://127.0.0.1:8000/resultat/projektbanken/ \\
      --out /tmp/esf -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False
  projektbank crawl --resume output/esf/job           # resumable (a killed run continues)
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
    p.add_argument("--min-fill", action="append", default=[], metavar="COL=FRAC",
                   help="run assertion: column COL filled in at least FRAC of the rows (0.8, or 80%%); "
                        "repeatable (default: 0.5 for each key column; COL=0 turns one off)")


def _fail(message: str, code: int = 2) -> int:
    print(f"projektbank crawl: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    overrides: dict[str, str] = {}
    for item in args.settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            return _fail(f"-s expects NAME=VALUE, got {item!r}")
        overrides[name.strip()] = value
    start_urls = args.start_urls or [DEFAULT_START]
    for url in start_urls + list(args.sitemap):
        if not url.lower().startswith(("http://", "https://")):
            return _fail(f"not an http(s) URL: {url}")
    for label, path in (("--ids", args.ids), ("--kohesio-csv", args.kohesio_csv)):
        if path and not Path(path).is_file():
            return _fail(f"{label}: no such file: {path}")
    if args.crawl_date:
        try:
            from datetime import date

            date.fromisoformat(args.crawl_date)
        except ValueError:
            return _fail(f"--crawl-date: not a date (YYYY-MM-DD): {args.crawl_date}")
        overrides["PROJEKTBANK_CRAWL_DATE"] = args.crawl_date
    if args.min_records is not None and args.min_records < 0:
        return _fail("--min-records must be 0 or more")

    from crawler.report import parse_min_fill
    from extract.schema import COLUMN_NAMES

    try:
        min_fill = parse_min_fill(args.min_fill)
    except ValueError as exc:
        return _fail(str(exc))
    unknown = [c for c in min_fill if c not in COLUMN_NAMES]
    if unknown:
        return _fail(f"--min-fill: unknown column {unknown[0]!r}")

    from crawler.pipelines import check_output_dir

    out = args.out or overrides.get("PROJEKTBANK_OUT") or "output/esf"
    for label, folder in (("--out", out), ("--resume", args.resume)):
        if not folder:
            continue
        try:
            check_output_dir(folder)
        except OSError as exc:
            return _fail(f"{label}: cannot write to {folder}: {exc.strerror or exc}", 1)

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.esf import EsfSpider

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
            return _fail(f"-s {name}={overrides[name]}: expected {kind}")
    if args.resume:
        settings.set("JOBDIR", args.resume, priority="cmdline")
    settings.set("PROJEKTBANK_EXIT_HOOK", False, priority="cmdline")

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(EsfSpider)
    spider_args = {"start_url": start_urls, "out": out}
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
    process.crawl(crawler, **spider_args)
    process.start()

    code, reason = getattr(crawler, "projektbank_exit", (1, "the crawl did not start (see the log)"))
    job = getattr(crawler, "projektbank_job", None)
    if code:
        print(f"projektbank crawl: {reason}", file=sys.stderr)
    elif job is not None:
        print(f"projektbank crawl: published to {job.out_dir}/ (crawl_report.json has the details)",
              file=sys.stderr)
    return code
