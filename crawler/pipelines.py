"""Thin Scrapy pipelines around the writers, and the crawl job that ties a run together.

Page items from the spider go: RawArchivePipeline (WARC, pipelines/raw_archive.py) →
DatasetPipeline, which hands each page to the one extraction path shared with
`projektbank extract` (pipelines.extract_run.extract_page: parse_page → validate →
DatasetWriter, which de-duplicates by project_id and writes Parquet/CSV/rejects). So the
crawl's dataset equals a rebuild from DIR/raw by construction.

At the end of the run (spider_closed): finish → run assertions → publish (with
crawl_report.json) or abort (the previous datasets stay), and a report either way.

Resuming (`--resume DIR` = JOBDIR): DIR/projektbank-job.json records the job's state.
- a job left `running` (killed, e.g. SIGKILL): Scrapy's queue files cannot be trusted, so they
  are removed; the raw archive's last partial record is cut off; list pages are fetched again
  and every detail page already in DIR/raw is skipped;
- a job left `interrupted` (Ctrl-C, clean shutdown): Scrapy's queue and seen-set are used;
- either way the pages archived by earlier runs of the job are fed to the writer first, so the
  dataset is the same as an uninterrupted crawl's;
- a `finished` job (or none): a new job. The previous job's raw files move to DIR/raw-previous/.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from crawler.report import (
    CrawlReport,
    check_assertions,
    key_columns,
    parse_min_fill,
    write_json_atomic,
)
from crawler.urls import canonical_detail_url, is_detail_url

logger = logging.getLogger(__name__)

MARKER = "projektbank-job.json"
FAILURES = "projektbank-failures.jsonl"
SCRAPY_STATE = ("requests.queue", "requests.seen", "spider.state")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def check_output_dir(out: str | os.PathLike) -> Path:
    """Create *out* if needed and make sure it is writable; raises OSError with a reason."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise OSError(f"output folder is a file: {path}")
    path.mkdir(parents=True, exist_ok=True)
    probe = path / f".projektbank-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"")
    finally:
        probe.unlink(missing_ok=True)
    return path


def _hard_exit(code: int) -> None:  # pragma: no cover - runs at interpreter exit
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


class _Recorder:
    """Stands in for the DatasetWriter in an extraction worker; the calls are replayed."""

    def __init__(self):
        self.calls: list[tuple[str, tuple, dict]] = []

    def add(self, record: dict) -> bool:
        self.calls.append(("add", (record,), {}))
        return True

    def reject(self, source: str, reason: str, **details) -> None:
        self.calls.append(("reject", (source, reason), details))


def extract_calls(url: str, body: bytes, fetched_at, headers: dict, status: int) -> list:
    """Run in a worker process: the writer calls extract_page makes for one page."""
    from pipelines.extract_run import extract_page
    from pipelines.sources import Page

    recorder = _Recorder()
    extract_page(recorder, Page(source=url, url=url, body=body, fetched_at=fetched_at,
                                headers=headers, status=status))
    return recorder.calls


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:  # the crawl died (e.g. SIGKILL): do not linger
            os._exit(0)


def _init_worker() -> None:
    import threading

    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    _warm_worker()


def _warm_worker() -> None:
    import extract  # noqa: F401
    import pipelines.extract_run  # noqa: F401


def extract_workers(setting) -> int:
    """PROJEKTBANK_EXTRACT_WORKERS: -1 (auto: one per spare CPU, at most 4) or a number."""
    n = int(setting if setting is not None else -1)
    if n < 0:
        n = min(4, (os.cpu_count() or 1) - 1)
    return max(0, n)


class CrawlJob:
    """State of one crawl run (and of its job, when resumed)."""

    def __init__(self, crawler, spider, out_dir: Path):
        self.crawler = crawler
        self.spider = spider
        self.settings = crawler.settings
        self.out_dir = out_dir
        self.raw_dir = out_dir / "raw"
        self.started = time.time()
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")[:-4] + "Z"
        self.job_id = self.run_id
        self.jobdir = Path(self.settings["JOBDIR"]) if self.settings.get("JOBDIR") else None
        self.report = CrawlReport()
        self.archived: set[str] = set()      # canonical URLs already in DIR/raw (this job)
        self.prior_files: list[Path] = []    # WARC files of earlier runs of this job
        self.prior_failures: dict[str, dict] = {}
        self.segments: list[dict] = []
        self.resumed = False
        self.archive = None
        self.writer = None
        self.pool = None
        self.pages_this_run = 0
        self.archived_this_run: set[str] = set()
        self.exit_code = 0
        self.status = "running"
        self.reason = ""
        self.min_records = int(spider.min_records if spider.min_records is not None
                               else self.settings.getint("PROJEKTBANK_MIN_RECORDS", 1))
        fill = {c: self.settings.getfloat("PROJEKTBANK_DEFAULT_MIN_FILL", 0.5) for c in key_columns()}
        fill.update(parse_min_fill(self.settings.get("PROJEKTBANK_MIN_FILL") or {}))
        fill.update(parse_min_fill(spider.min_fill))
        self.min_fill = {k: v for k, v in fill.items() if v > 0}

    # --- before the engine starts -------------------------------------------------------
    @classmethod
    def prepare(cls, crawler, spider) -> CrawlJob:
        out = spider.out or crawler.settings.get("PROJEKTBANK_OUT") or "output/esf"
        out_dir = check_output_dir(out).resolve()
        job = cls(crawler, spider, out_dir)
        job._resolve_job()
        crawler.projektbank_job = job
        return job

    def _marker_path(self) -> Path | None:
        return self.jobdir / MARKER if self.jobdir else None

    def _write_marker(self, state: str) -> None:
        path = self._marker_path()
        if path is None:
            return
        write_json_atomic(path, {"job_id": self.job_id, "out": str(self.out_dir), "state": state,
                                 "start_urls": self.spider.start_urls, "segments": self.segments})

    def _resolve_job(self) -> None:
        marker = None
        if self.jobdir is not None:
            self.jobdir.mkdir(parents=True, exist_ok=True)
            path = self._marker_path()
            if path.exists():
                try:
                    marker = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    marker = None
        if (marker and marker.get("state") in ("running", "interrupted")
                and marker.get("out") == str(self.out_dir)):
            self.resumed = True
            self.job_id = marker.get("job_id") or self.job_id
            self.segments = list(marker.get("segments") or [])
            if marker["state"] == "running":
                # killed: Scrapy's on-disk queue was never saved; rebuild the frontier instead
                self._wipe_scrapy_state()
                if self.segments:
                    self.segments[-1].setdefault("end_reason", "killed")
            self._load_prior()
        else:
            if self.jobdir is not None:
                self._wipe_scrapy_state()
                (self.jobdir / FAILURES).unlink(missing_ok=True)
            self._rotate_raw()
        if self.jobdir is not None:
            self.report.failure_log = (self.jobdir / FAILURES).open("a", encoding="utf-8")
        self.segments.append({"run_id": self.run_id, "start": _iso(self.started)})
        self._write_marker("running")

    def _wipe_scrapy_state(self) -> None:
        for name in SCRAPY_STATE:
            p = self.jobdir / name
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            elif p.exists():
                p.unlink()

    def _rotate_raw(self) -> None:
        """A new job: the previous job's raw archive moves to DIR/raw-previous/."""
        from pipelines.raw_archive import warc_files

        if not warc_files(self.raw_dir):
            return
        previous = self.out_dir / "raw-previous"
        shutil.rmtree(previous, ignore_errors=True)
        os.replace(self.raw_dir, previous)

    def _load_prior(self) -> None:
        from pipelines.raw_archive import iter_responses, repair, warc_files

        self.prior_files = warc_files(self.raw_dir)
        for path in self.prior_files:
            cut = repair(path)
            if cut:
                self.report.count("raw_bytes_cut_after_kill", cut)
        for url, _status, _ts, requested in iter_responses(self.prior_files):
            for u in (url, requested):
                if u and is_detail_url(u):
                    self.archived.add(canonical_detail_url(u))
        if self.jobdir is not None and (self.jobdir / FAILURES).exists():
            for line in (self.jobdir / FAILURES).read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut by a kill
                self.prior_failures[entry["url"]] = entry
        logger.info("resuming job %s: %d pages already archived in %d file(s)",
                    self.job_id, len(self.archived), len(self.prior_files))

    # --- pipelines ----------------------------------------------------------------------
    def open_archive(self) -> None:
        from pipelines.raw_archive import RawArchive

        s = self.settings
        self.archive = RawArchive(
            self.raw_dir, self.run_id, max_bytes=s.getint("PROJEKTBANK_WARC_MAX_BYTES", 1 << 30),
            info={"operator": s.get("USER_AGENT", ""), "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore",
                  "start-urls": " ".join(self.spider.start_urls), "job-id": self.job_id})

    def open_writer(self) -> None:
        from pipelines.dataset import DatasetWriter
        from pipelines.extract_run import extract_page
        from pipelines.sources import read_warc

        self.writer = DatasetWriter(self.out_dir)
        self._start_pool()
        for path in self.prior_files:  # earlier runs of this job, exactly as `extract` reads them
            for page in read_warc(path):
                extract_page(self.writer, page)

    def _start_pool(self) -> None:
        """Extraction in worker processes, so parsing does not hold up the crawl."""
        from scrapy.utils.asyncio import is_asyncio_available

        n = extract_workers(self.settings.get("PROJEKTBANK_EXTRACT_WORKERS", -1))
        if n == 0 or not is_asyncio_available():
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, wait

        self.pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_worker)
        wait([self.pool.submit(_warm_worker) for _ in range(n)])

    async def add_page_async(self, item: dict) -> None:
        if self.pool is None:
            self.add_page(item)
            return
        import asyncio
        from concurrent.futures.process import BrokenProcessPool

        try:
            calls = await asyncio.wrap_future(self.pool.submit(
                extract_calls, item["url"], item["body"], item["fetched_at"],
                dict(item["headers"]), item["status"]))
        except BrokenProcessPool:
            logger.warning("extraction workers died; extracting in the crawl process")
            self.pool = None
            self.add_page(item)
            return
        for name, args, kwargs in calls:
            getattr(self.writer, name)(*args, **kwargs)

    def close_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def archive_page(self, item: dict) -> None:
        sha, stored = self.archive.write(
            item["url"], item["status"], item["headers"], item["body"], item["fetched_at"],
            extra={"WARC-Projektbank-Requested-URI": item.get("requested_url") or item["url"]})
        item["headers"] = stored
        item["sha256"] = sha
        self.pages_this_run += 1
        for u in (item["url"], item.get("requested_url")):
            if u and is_detail_url(u):
                self.archived_this_run.add(canonical_detail_url(u))

    def add_page(self, item: dict) -> None:
        from pipelines.extract_run import extract_page
        from pipelines.sources import Page

        page = Page(source=item["url"], url=item["url"], body=item["body"],
                    fetched_at=item["fetched_at"], headers=dict(item["headers"]),
                    status=item["status"])
        extract_page(self.writer, page)

    def close_archive(self) -> None:
        if self.archive is not None:
            self.archive.close()

    # --- the end ------------------------------------------------------------------------
    def close(self, reason: str) -> None:
        try:
            self._close(reason)
        except Exception as exc:  # never lose the report
            logger.exception("closing the crawl failed")
            self.status, self.reason, self.exit_code = "error", f"{type(exc).__name__}: {exc}", 1
            if self.writer is not None:
                self.writer.abort()
            self._write_report(None, [])
        finally:
            self.close_pool()
            if self.report.failure_log is not None:
                self.report.failure_log.close()
            self.crawler.projektbank_exit = (self.exit_code, self.reason)
            if self.exit_code and self.settings.getbool("PROJEKTBANK_EXIT_HOOK", True):
                atexit.register(_hard_exit, self.exit_code)

    def _close(self, reason: str) -> None:
        self.close_pool()
        self.close_archive()
        self.segments[-1].update({"end": _iso(time.time()), "end_reason": reason,
                                  "pages": self.pages_this_run,
                                  "list_pages": self.report.counters["list_pages"]})
        if self.writer is None:
            self.status, self.reason, self.exit_code = "error", f"crawl did not start ({reason})", 1
            self._write_report(None, [])
            return
        if reason != "finished":
            self.writer.abort()
            self.status = "interrupted"
            self.reason = (f"crawl stopped before the end ({reason}); resume with --resume "
                           f"{self.jobdir}" if self.jobdir else f"crawl stopped before the end ({reason})")
            self.exit_code = 130 if reason == "shutdown" else 1
            self._write_marker("interrupted" if self.jobdir else "finished")
            self._write_report(None, [])
            return
        summary = self.writer.finish()
        problems = check_assertions(summary, self.min_records, self.min_fill)
        rejects = self._read_rejects()
        if problems:
            self.writer.abort()
            self.status, self.exit_code = "assertions_failed", 1
            self.reason = "run assertion failed: " + "; ".join(problems) + " (previous datasets kept)"
            self._write_report(summary, rejects, problems)
        else:
            from pipelines.history import HistoryError, publish_run

            self.status = "published"
            report = self._build_report(summary, rejects, [])
            try:
                history = publish_run(self.out_dir, self.writer, self.crawl_date(), extra_files={
                    "crawl_report.json": lambda h: json.dumps(
                        {**report, "history": h.as_dict()}, ensure_ascii=False, indent=2,
                        default=str) + "\n"})
                logger.info("published crawl of %s: %s", self.crawl_date(), history.as_dict())
            except HistoryError as exc:  # a crawl date older than the history: publish nothing
                self.writer.abort()
                self.status, self.exit_code = "history_refused", 1
                self.reason = f"{exc} (previous datasets kept)"
                self._write_report(summary, rejects, [str(exc)])
        self._write_marker("finished")

    def crawl_date(self) -> date:
        """The snapshot date: PROJEKTBANK_CRAWL_DATE (--crawl-date), else the UTC day the job
        started (a resumed job keeps its first day)."""
        fixed = self.settings.get("PROJEKTBANK_CRAWL_DATE")
        if fixed:
            return date.fromisoformat(str(fixed))
        start = str(self.segments[0].get("start") or _iso(self.started))
        return datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(UTC).date()

    def _read_rejects(self) -> list[dict]:
        path = self.writer.tmp / "rejects.jsonl"
        out = []
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                for i, line in enumerate(fh):
                    if i >= CrawlReport.MAX_LISTED:
                        break
                    entry = json.loads(line)
                    out.append({"url": entry.get("url") or entry.get("source"),
                                "reason": entry.get("reason")})
        return out

    def _write_report(self, summary, rejects, problems=()) -> None:
        write_json_atomic(self.out_dir / "crawl_report.json",
                          self._build_report(summary, rejects, list(problems)))

    def _build_report(self, summary, rejects: list[dict], problems: list[str]) -> dict:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        end = time.time()
        archived = self.archived | self.archived_this_run
        failures = {**self.prior_failures, **self.report.failures}
        failures = [f for u, f in sorted(failures.items())
                    if not (is_detail_url(u) and canonical_detail_url(u) in archived)]
        prior_list_pages = sum(int(s.get("list_pages") or 0) for s in self.segments[:-1])
        retry_reasons = {k.split("/", 2)[2]: v for k, v in stats.items()
                         if k.startswith("retry/reason_count/")}
        status_counts = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                         if k.startswith("downloader/response_status_count/")}
        s = self.settings
        report = {
            "status": self.status,
            "reason": self.reason or None,
            "run_id": self.run_id,
            "job_id": self.job_id,
            "resumed": self.resumed,
            "start": _iso(self.started),
            "end": _iso(end),
            "duration_s": round(end - self.started, 3),
            "start_urls": self.spider.start_urls,
            "out": str(self.out_dir),
            "list_pages": self.report.counters["list_pages"] + prior_list_pages,
            "detail_pages": self.pages_this_run + len(self.archived),
            "detail_pages_this_run": self.pages_this_run,
            "records": summary.records if summary else None,
            "rejects": summary.rejects if summary else None,
            "duplicates": summary.duplicates if summary else None,
            "invalid": getattr(summary, "invalid", None) if summary else None,
            "reject_reasons": dict(getattr(summary, "reject_reasons", {}) or {}) if summary else {},
            "reject_list": rejects,
            "failures": failures,
            "disallowed": sorted(self.report.disallowed.values(), key=lambda d: d["url"]),
            "retries": {"count": stats.get("retry/count", 0), "gave_up": stats.get("retry/max_reached", 0),
                        "reasons": retry_reasons,
                        "urls": [{"url": u, "last_reason": r} for u, r in sorted(self.report.retried.items())]},
            "unknown_labels": dict(summary.unknown_labels.most_common()) if summary else {},
            "fill_rate": summary.fill_rate if summary else {},
            "assertions": {"min_records": self.min_records, "min_fill": self.min_fill},
            "assertion_failures": problems,
            "requests": stats.get("downloader/request_count", 0),
            "response_bytes": stats.get("downloader/response_bytes", 0),
            "status_counts": status_counts,
            "pages_per_second": round(self.pages_this_run / max(end - self.started, 1e-6), 2),
            "counters": dict(sorted(self.report.counters.items())),
            "discovered_by": dict(self.report.sources),
            "raw_files": [p.name for p in sorted(set(self.prior_files) | set(
                self.archive.files if self.archive else []))],
            "settings": {k: s.get(k) for k in (
                "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
                "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "RETRY_TIMES", "JOBDIR")},
            "segments": self.segments,
        }
        return report


class _JobPipeline:
    """A thin Scrapy wrapper around the spider's CrawlJob."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.job: CrawlJob | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class RawArchivePipeline(_JobPipeline):
    """Every fetched detail page into DIR/raw/*.warc.gz, flushed record by record."""

    def open_spider(self):
        self.job = self.crawler.spider.job
        self.job.open_archive()

    def process_item(self, item):
        if isinstance(item, dict) and item.get("kind") == "page":
            self.job.archive_page(item)
        return item

    def close_spider(self):
        if self.job is not None:
            self.job.close_archive()


class DatasetPipeline(_JobPipeline):
    """parse_page → validate → de-duplicate → Parquet/CSV/rejects (pipelines.dataset)."""

    def open_spider(self):
        self.job = self.crawler.spider.job
        self.job.open_writer()

    async def process_item(self, item):
        if isinstance(item, dict) and item.get("kind") == "page":
            await self.job.add_page_async(item)
            self.crawler.stats.inc_value("projektbank/pages")
            return {"url": item["url"], "status": item["status"]}  # the body stays out of logs
        return item
