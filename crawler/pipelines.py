"""The Scrapy pipeline around the writers, and the crawl job that ties a run together.

Page items from the spider go to PagePipeline, which hands each page to crawler/page_flow.py:
in worker processes, its WARC record (pipelines/warc/) and the one extraction path
shared with `projektbank extract` (pipelines.extract_run.extract_page: parse_page → validate);
then, in archive order, the record is appended to DIR/raw and the row goes to the
DatasetWriter, which de-duplicates by project_id and writes Parquet/CSV/rejects. So the
crawl's dataset equals a rebuild from DIR/raw by construction.

At the end of the run (spider_closed): finish → run assertions → publish (with
crawl_report.json) or abort (the previous datasets stay), and a report either way.

Resuming (`--resume DIR` = JOBDIR): DIR/projektbank-job.json records the job's state.
- a job left `running` (killed, e.g. SIGKILL) or `interrupted` (Ctrl-C, clean shutdown):
  Scrapy's queue files are removed (not trusted: see _resolve_job); the raw archive's last
  partial record is cut off; list pages are fetched again and every detail page already in
  DIR/raw is skipped;
- either way the pages archived by earlier runs of the job are fed to the writer first, so the
  dataset is the same as an uninterrupted crawl's;
- a `finished` job (or none): a new job. The previous job's raw files move to DIR/raw-previous/.

Fetching less (PROJEKTBANK_CONDITIONAL_REQUESTS, default on; issue 4): PreviousCrawl indexes
DIR/raw-previous/ (the previous job's archive: URL, sha256, ETag/Last-Modified, record location).
A detail page it holds is requested with `If-None-Match`/`If-Modified-Since` (when the server
sent validators). A `304`, or a `200` with the same body sha256 and Content-Type, means unchanged:
the previous WARC record is copied byte for byte into DIR/raw (plus a metadata record saying so;
see pipelines/warc/), and the previous row of the latest view (DIR/projects.parquet) is
reused as it is (same URL, sha256, fetched_at and extractor version) instead of being extracted
again; otherwise the copied page is extracted (e.g. a page that was a reject). A reused record
keeps its fetched_at: it is the page as fetched then; publish_run moves last_seen on. List pages,
robots.txt and sitemaps are always fetched fresh. `crawl_report.json` → `conditional`.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from projektbank.crawler.out_folder import check_output_dir, lock_output_dir
from projektbank.crawler.report import (
    CrawlReport,
    check_assertions,
    describe_cause,
    key_columns,
    parse_max_failures,
    parse_min_fill,
    write_json_atomic,
)
from projektbank.crawler.urls import canonical_detail_url, is_detail_url

logger = logging.getLogger(__name__)

MARKER = "projektbank-job.json"
FAILURES = "projektbank-failures.jsonl"
SCRAPY_STATE = ("requests.queue", "requests.seen", "spider.state")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _hard_exit(code: int) -> None:  # pragma: no cover - runs at interpreter exit
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def _path_query(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _move_warc_files(src: Path, dst: Path) -> None:
    """Move the WARC files of *src* into *dst* (same relative names); other files stay, and
    *src* goes only when nothing else is left in it."""
    from projektbank.pipelines.warc import warc_files

    for path in warc_files(src):
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    for folder in sorted((p for p in src.rglob("*") if p.is_dir()), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass
    try:
        src.rmdir()
    except OSError:
        pass


DEFAULT_MAX_FAILURES = 0.05    # --max-failures default: 5 % of the pages tried …
DEFAULT_MAX_FAILED_PAGES = 5   # … or this many pages, whichever is more
REFETCH = "refetch"
CONDITIONAL_COUNTERS = ("with_previous", "sent", "not_modified", "unchanged_hash", "changed",
                        "reused_pages", "reused_records", "reextracted", "refetched", "bytes_saved")


class PreviousCrawl:
    """The previous job's archive (DIR/raw-previous/) and latest view (DIR/projects.parquet):
    what a conditional request sends, and what an unchanged page reuses."""

    def __init__(self, out_dir: Path, files: list[Path]):
        from projektbank.pipelines.warc import index_responses

        self.out_dir = out_dir
        self.files = files
        self.by_url: dict = {}   # canonical detail URL → ArchivedResponse (the newest record)
        for entry in index_responses(files):
            if entry.status != 200 or not entry.sha256:
                continue
            for u in (entry.requested_url, entry.url):
                if u and is_detail_url(u):
                    try:
                        self.by_url[canonical_detail_url(u)] = entry
                    except ValueError:
                        continue
        self._table = None
        self._rows: dict[str, int] = {}
        if self.by_url:
            self._load_latest_view()

    def __len__(self) -> int:
        return len(self.by_url)

    def _load_latest_view(self) -> None:
        import pyarrow.parquet as pq
        from projektbank.extract.schema import COLUMN_NAMES

        path = self.out_dir / "projects.parquet"
        if not path.is_file():
            return
        try:
            if tuple(pq.read_schema(path).names) != COLUMN_NAMES:
                logger.info("the latest view has another schema: unchanged pages are extracted again")
                return
            self._table = pq.read_table(path)
        except Exception as exc:  # an unreadable latest view: extract instead
            logger.warning("cannot read %s (%s): unchanged pages are extracted again", path, exc)
            return
        for i, url in enumerate(self._table["source_url"].to_pylist()):
            if url:
                self._rows[url] = i

    def get(self, canonical: str):
        return self.by_url.get(canonical)

    @staticmethod
    def conditional_headers(entry) -> dict[str, str]:
        headers = {}
        if entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        return headers

    def load(self, entry) -> tuple[bytes, dict] | None:
        """The previous record: its gzip member and the page in it, or None when unreadable."""
        from projektbank.pipelines.warc import parse_member, read_member

        try:
            member = read_member(entry.path, entry.offset, entry.length)
            url, status, headers, body, fetched_at = parse_member(member)
        except Exception as exc:
            logger.warning("previous record of %s unreadable (%s): fetching it again", entry.url, exc)
            return None
        if status != 200 or hashlib.sha256(body).hexdigest() != entry.sha256:
            logger.warning("previous record of %s does not match its index: fetching it again", entry.url)
            return None
        return member, {"url": url, "status": status, "headers": headers, "body": body,
                        "fetched_at": fetched_at}

    def row_for(self, url: str, sha256: str, fetched_at: datetime) -> dict | None:
        """The latest view's row made from exactly this page by this extractor, as a record
        for the writer (maps as dicts, first_seen/last_seen left to publish_run); else None."""
        from projektbank.extract.schema import COLUMNS, MAP
        from projektbank.extract.version import EXTRACTOR_VERSION

        i = self._rows.get(url)
        if i is None or self._table is None:
            return None
        row = self._table.slice(i, 1).to_pylist()[0]
        if (row["content_sha256"] != sha256 or row["fetched_at"] != fetched_at
                or row["extractor_version"] != EXTRACTOR_VERSION):
            return None
        for col in COLUMNS:
            if col.type == MAP and row[col.name] is not None:
                row[col.name] = dict(row[col.name])
        row["first_seen"] = row["last_seen"] = None
        return row


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
        self.prior_links: list[str] = []     # detail links on their pages: followed again
        self.prior_failures: dict[str, dict] = {}
        self.segments: list[dict] = []
        self.resumed = False
        self.archive = None
        self.writer = None
        self.flow = None                     # crawler.page_flow.PageFlow: archive + extraction
        self.pages_this_run = 0
        self.archived_this_run: set[str] = set()
        self.previous: PreviousCrawl | None = None
        self.fetch_less: Counter = Counter()
        self.exit_code = 0
        self.status = "running"
        self.reason = ""
        self.stop_request: tuple[str, str, int] | None = None  # (status, reason, exit code): guard
        self.history = None                  # pipelines.history.HistoryResult once published
        self.redirected: set[str] = set()    # canonical detail URLs that redirected to a page we got
        self.sample = bool(getattr(spider, "limit", None))  # --limit N: no history
        given = getattr(spider, "max_failures", None)
        if given is None:
            given = self.settings.get("PROJEKTBANK_MAX_FAILURES")
        # default: 5 % of the pages tried, but a few failures never stop a small crawl
        self.max_failures = parse_max_failures(given) if given not in (None, "") else None
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
        lock_output_dir(out_dir)  # one crawl per output folder (the CLI took it already)
        job = cls(crawler, spider, out_dir)
        job._resolve_job()
        job._load_previous()
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
            # Scrapy's on-disk queue is never used: after a kill it was never saved, and after
            # a Ctrl-C its restored requests were seen to reach a robots.txt-disallowed page
            # (tests/test_crawl.py, the Ctrl-C test). The frontier is rebuilt instead: list
            # pages again, every detail page already in DIR/raw skipped.
            self._wipe_scrapy_state()
            if marker["state"] == "running" and self.segments:
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
        from projektbank.pipelines.warc import warc_files

        if not warc_files(self.raw_dir):
            return
        previous = self.out_dir / "raw-previous"
        for old in warc_files(previous):  # only our files: a crawl deletes nothing it did not write
            old.unlink()
        _move_warc_files(self.raw_dir, previous)

    def _keep_published_archive(self) -> None:
        """A run that published nothing leaves the published dataset's archive in DIR/raw:
        its own pages move to DIR/raw-failed/<run_id>/ (kept for inspection), and the previous
        job's archive, which the latest view was built from, comes back from raw-previous/."""
        from projektbank.pipelines.warc import warc_files

        try:
            self.close_archive()  # idempotent; already closed on the normal paths
        except Exception:  # a broken archive is still moved aside below
            logger.exception("closing the raw archive failed")
        if warc_files(self.raw_dir):
            failed = self.out_dir / "raw-failed" / self.run_id
            _move_warc_files(self.raw_dir, failed)
            logger.info("this run published nothing: its pages are kept in %s", failed)
        previous = self.out_dir / "raw-previous"
        if warc_files(previous) and not warc_files(self.raw_dir):
            _move_warc_files(previous, self.raw_dir)

    def _load_previous(self) -> None:
        """Index the previous job's archive for conditional requests (fetch less)."""
        from projektbank.pipelines.warc import warc_files

        if not self.settings.getbool("PROJEKTBANK_CONDITIONAL_REQUESTS", True):
            return
        files = warc_files(self.out_dir / "raw-previous")
        if not files:
            return
        t0 = time.time()
        self.previous = PreviousCrawl(self.out_dir, files)
        logger.info("previous archive: %d project pages in %d file(s), indexed in %.1fs",
                    len(self.previous), len(files), time.time() - t0)

    # --- fetch less ---------------------------------------------------------------------
    def previous_request_args(self, canonical: str) -> tuple[dict, dict]:
        """Headers and meta for a detail request: conditional when the previous run has it."""
        if self.previous is None:
            return {}, {}
        entry = self.previous.get(canonical)
        if entry is None:
            return {}, {}
        self.fetch_less["with_previous"] += 1
        meta = {"projektbank_prev": canonical}
        headers = PreviousCrawl.conditional_headers(entry)
        if headers:
            self.fetch_less["sent"] += 1
            meta["handle_httpstatus_list"] = [304]
        return headers, meta

    def revalidate(self, response, headers: list[tuple[str, str]]):
        """A response to a request for a page the previous run has: a reuse item when it is
        unchanged (304, or the same sha256 and Content-Type), REFETCH when a 304 cannot be
        served from the previous record, None to archive and extract the response as usual."""
        key = response.meta.get("projektbank_prev")
        entry = self.previous.get(key) if (key and self.previous is not None) else None
        if entry is None:
            return REFETCH if response.status == 304 else None
        c = self.fetch_less
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        if response.status == 304:
            reason = "not_modified"
        elif (response.status == 200 and content_type == entry.content_type
              and hashlib.sha256(response.body).hexdigest() == entry.sha256):
            reason = "unchanged_hash"
        else:
            c["changed"] += 1
            return None
        loaded = self.previous.load(entry)
        if loaded is None:
            c["refetched"] += 1
            return REFETCH if response.status == 304 else None
        member, page = loaded
        c[reason] += 1
        c["reused_pages"] += 1
        if reason == "not_modified":
            c["bytes_saved"] += len(page["body"])
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        etag = etag.decode("latin-1") if etag else (entry.etag if reason == "not_modified" else None)
        modified = (modified.decode("latin-1") if modified
                    else (entry.last_modified if reason == "not_modified" else None))
        try:
            copied_from = str(entry.path.relative_to(self.out_dir))
        except ValueError:
            copied_from = str(entry.path)
        return {"kind": "page", "reused": reason, **page,
                "requested_url": response.request.url if response.request else response.url,
                "sha256": entry.sha256, "member": member, "record_id": entry.record_id,
                "revalidated_at": datetime.now(UTC),
                "info": {"reason": reason, "status": response.status,
                         "requested_url": response.request.url if response.request else response.url,
                         "etag": etag, "last_modified": modified, "copied_from": copied_from}}

    async def add_reused(self, item: dict) -> None:
        """The previous record, copied into this run's archive (no new response is stored),
        then its previous row, or the copy extracted again when there is no such row."""
        from projektbank.pipelines.warc import reused_copy

        copied = reused_copy(item["member"], item["url"], item["record_id"],
                             item["revalidated_at"], item["info"], self.archive.level)
        try:
            row = self.previous.row_for(item["url"], item["sha256"], item["fetched_at"])
        except Exception as exc:  # never lose the page: extract it instead
            logger.warning("reusing the row of %s failed (%s): extracting it", item["url"], exc)
            row = None
        if row is not None:
            self.fetch_less["reused_records"] += 1
        else:  # no row of this page (a reject, another extractor version): extract the copy
            self.fetch_less["reextracted"] += 1
        self._count_page(item)
        await self.flow.put_reused(copied, row, item)

    async def add_page(self, item: dict) -> None:
        """A fetched page: archived and extracted by the page flow, in archive order."""
        self._count_page(item)
        await self.flow.put(item)

    def note_redirects(self, urls) -> None:
        """The URLs a fetched page was redirected from (Scrapy's `redirect_urls`)."""
        for u in urls or ():
            if is_detail_url(u):
                try:
                    self.redirected.add(canonical_detail_url(u))
                except ValueError:
                    continue

    def _count_page(self, item: dict) -> None:
        self.pages_this_run += 1
        for u in (item["url"], item.get("requested_url")):
            if u and is_detail_url(u):
                self.archived_this_run.add(canonical_detail_url(u))

    def _conditional_report(self) -> dict:
        return {"enabled": self.settings.getbool("PROJEKTBANK_CONDITIONAL_REQUESTS", True),
                "previous_pages": len(self.previous) if self.previous is not None else 0,
                **{k: self.fetch_less.get(k, 0) for k in CONDITIONAL_COUNTERS}}

    def _load_prior(self) -> None:
        from projektbank.pipelines.warc import iter_responses, repair, warc_files

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
        from projektbank.pipelines.warc import RawArchive

        s = self.settings
        self.archive = RawArchive(
            self.raw_dir, self.run_id, max_bytes=s.getint("PROJEKTBANK_WARC_MAX_BYTES", 1 << 30),
            level=s.getint("PROJEKTBANK_WARC_GZIP_LEVEL", 1),
            info={"operator": s.get("USER_AGENT", ""), "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore",
                  "start-urls": " ".join(self.spider.start_urls), "job-id": self.job_id})

    def open_writer(self) -> None:
        from projektbank.crawler.urls import detail_links
        from projektbank.pipelines.dataset import DatasetWriter
        from projektbank.pipelines.extract_run import extract_page
        from projektbank.pipelines.page_flow import PageFlow, worker_count
        from projektbank.pipelines.warc import read_warc

        self.writer = DatasetWriter(self.out_dir)
        # contact persons, e-mail, phone: only when the operator asks (a rebuild then needs
        # `projektbank extract --include-personal-data` to match)
        self.personal_data = self.settings.getbool("PROJEKTBANK_INCLUDE_PERSONAL_DATA", False)
        self.flow = PageFlow(self.archive, self.writer, personal_data=self.personal_data,
                             workers=worker_count(self.settings.get("PROJEKTBANK_EXTRACT_WORKERS", -1)),
                             level=self.archive.level, on_error=self._write_failed)
        for path in self.prior_files:  # earlier runs of this job, exactly as `extract` reads them
            for page in read_warc(path):
                extract_page(self.writer, page, personal_data=self.personal_data)
                if getattr(page, "body", None):  # not an Unreadable
                    self.prior_links.extend(detail_links(page.url, page.body))

    def _write_failed(self, exc: BaseException) -> None:
        """The first page that could not be written (e.g. a full disk): stop the crawl now."""
        import asyncio

        logger.error("writing pages failed (%s): stopping the crawl", exc)
        asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="write_error"))

    def close_flow(self) -> None:
        if self.flow is not None:
            self.flow.close()

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
            self._keep_published_archive()
            # this run's pages went to raw-failed/: a --resume must start a new job, not take
            # the restored previous archive for this job's pages
            self._write_marker("finished")
            self._write_report(None, [])
        finally:
            self.close_flow()
            if self.report.failure_log is not None:
                self.report.failure_log.close()
            self.crawler.projektbank_exit = (self.exit_code, self.reason)
            if self.exit_code and self.settings.getbool("PROJEKTBANK_EXIT_HOOK", True):
                atexit.register(_hard_exit, self.exit_code)

    def _close(self, reason: str) -> None:
        try:
            self._close_run(reason)
        finally:
            from projektbank.pipelines.report_html import report_wanted, try_write_report

            if self.settings.getbool("PROJEKTBANK_REPORT_HTML", True) and report_wanted():
                try_write_report(self.out_dir)  # report.html of whatever the folder now holds

    def _close_run(self, reason: str) -> None:
        self.close_flow()
        self.close_archive()
        self._end_segment(reason)
        if self.writer is None:
            self.status, self.reason, self.exit_code = "error", f"crawl did not start ({reason})", 1
            self._keep_published_archive()
            self._write_report(None, [])
            return
        if self.flow is not None and self.flow.error is not None:
            # pages whose writing failed are in Scrapy's seen-set but not in DIR/raw: "running"
            # makes a resume rebuild the frontier from DIR/raw, so they are fetched again
            self.writer.abort()
            self.status, self.exit_code = "error", 1
            self.reason = f"writing a page failed: {self.flow.error} (previous datasets kept" + (
                f"; fix the cause and resume with --resume {self.jobdir})" if self.jobdir else ")")
            self._write_marker("running" if self.jobdir else "finished")
            if not self.jobdir:
                self._keep_published_archive()
            self._write_report(None, [])
            return
        if reason != "finished" or self.stop_request is not None:
            self.writer.abort()
            self.status, why, self.exit_code = self.stop_request or (
                "interrupted", f"crawl stopped before the end ({reason})", 130 if reason == "shutdown" else 1)
            self.reason = why + (f"; previous datasets kept; resume with --resume {self.jobdir}"
                                 if self.jobdir else "; previous datasets kept")
            self._write_marker("interrupted" if self.jobdir else "finished")
            if not self.jobdir:  # nothing will resume it
                self._keep_published_archive()
            self._write_report(None, [])
            return
        self._list_lost()
        summary = self.writer.finish()
        problems = check_assertions(summary, self.min_records, self.min_fill)
        problems += self._failure_assertion()
        rejects = self._read_rejects()
        unreachable = self._unreachable_start() if self.pages_this_run + len(self.archived) == 0 else None
        if unreachable:
            self.writer.abort()
            self.status, self.exit_code = "error", 1
            self.reason = unreachable + " (previous datasets kept)"
            self._keep_published_archive()
            self._write_report(summary, rejects, problems)
        elif problems:
            self.writer.abort()
            self.status, self.exit_code = "assertions_failed", 1
            self.reason = "run assertion failed: " + "; ".join(problems) + " (previous datasets kept)"
            self._keep_published_archive()
            self._write_report(summary, rejects, problems)
        elif self.sample:  # --limit: a smoke test, published on its own, never into a history
            self.status = "finished"
            report = self._build_report(summary, rejects, [])
            self.writer.publish()
            write_json_atomic(self.out_dir / "crawl_report.json", report)
        else:
            from projektbank.pipelines.history import HistoryError
            from projektbank.pipelines.run import publish_run

            self.status = "published"
            report = self._build_report(summary, rejects, [])
            unfetched = self._unfetched()
            try:
                self.history = publish_run(
                    self.out_dir, self.writer, self.crawl_date(), unfetched=unfetched,
                    extra_files={"crawl_report.json": lambda h: json.dumps(
                        {**report, "history": h.as_dict()}, ensure_ascii=False, indent=2,
                        default=str) + "\n"})
                logger.info("published crawl of %s: %s", self.crawl_date(), self.history.as_dict())
                self._add_published_fill_rates(report)
            except HistoryError as exc:  # a crawl date older than the history: publish nothing
                self.writer.abort()
                self.status = "error" if str(exc).startswith("cannot read") else "history_refused"
                self.exit_code = 1
                self.reason = f"{exc} (previous datasets kept)"
                self._keep_published_archive()
                self._write_report(summary, rejects, [str(exc)])
        self._write_marker("finished")

    def _add_published_fill_rates(self, report: dict) -> None:
        """crawl_report.json: fill rates measured on the published table (first_seen and
        last_seen come from the history) and per programme period (a column a period does not
        publish is null there, not 0)."""
        import pyarrow.parquet as pq
        from projektbank.pipelines.fill_rate import fill_rate_by_period

        try:
            table = pq.read_table(self.out_dir / "projects.parquet")
            by_period = fill_rate_by_period(table)
            rates = dict(report.get("fill_rate") or {})
            for name in ("first_seen", "last_seen"):
                if name in table.column_names and table.num_rows:
                    rates[name] = round(1 - table[name].null_count / table.num_rows, 4)
            report = {**report, "fill_rate": rates, "history": self.history.as_dict(),
                      "fill_rate_by_period": {p: {c: (None if v is None else round(v, 4))
                                                  for c, v in cols.items()}
                                              for p, cols in by_period.items()}}
            write_json_atomic(self.out_dir / "crawl_report.json", report)
        except Exception:  # the datasets are published; the report keeps its first version
            logger.exception("adding the published fill rates to crawl_report.json failed")

    def _end_segment(self, reason: str) -> None:
        """This run's entry in the job's segments: when and why it ended, what it fetched."""
        self.segments[-1].update({"end": _iso(time.time()), "end_reason": reason,
                                  "pages": self.pages_this_run,
                                  "list_pages": self.report.counters["list_pages"]})

    def abort_now(self, status: str, reason: str, code: int) -> None:
        """Stop this process now (a second signal; a stop that did not end in time): nothing is
        published, temporary files go, the marker lets --resume continue, the report is written.
        As after a SIGKILL, the archive's last record may be cut: a resume repairs it."""
        try:
            self.status, self.exit_code = status, code
            self.reason = reason + (f"; previous datasets kept; resume with --resume {self.jobdir}"
                                    if self.jobdir else "; previous datasets kept")
            if self.flow is not None:
                try:
                    self.flow.kill()
                except Exception:  # exiting anyway
                    logger.exception("ending the extraction workers failed")
            if self.writer is not None:
                self.writer.abort()
            if self.segments:
                self._end_segment(status)
            if self.jobdir:
                self._write_marker("interrupted")
            else:
                self._keep_published_archive()
            self._write_report(None, [])
            if self.report.failure_log is not None:
                self.report.failure_log.close()
        except Exception:  # exiting anyway: say why
            logger.exception("stopping at once failed")
        finally:
            print(f"projektbank crawl: {self.reason}", file=sys.stderr, flush=True)
            _hard_exit(code)

    def _final_failures(self) -> list[dict]:
        """Every URL that finally failed in this job (a page archived since is not one)."""
        archived = self.archived | self.archived_this_run
        failures = {**self.prior_failures, **self.report.failures}
        return [f for u, f in sorted(failures.items())
                if not (is_detail_url(u) and canonical_detail_url(u) in archived)]

    def _failure_assertion(self) -> list[str]:
        """--max-failures: N pages, or a fraction of the list and detail pages tried."""
        limit = self.max_failures
        failed = [f for f in self._final_failures() if f.get("kind") in ("detail", "list")]
        tried = (len(self.archived | self.archived_this_run) + len(failed)
                 + self.report.counters["list_pages"])
        if limit is None:  # the default
            allowed = max(DEFAULT_MAX_FAILED_PAGES, int(DEFAULT_MAX_FAILURES * tried))
            if len(failed) > allowed:
                return [f"{len(failed)} of {tried} pages failed ({len(failed) / tried:.0%}), more "
                        f"than the default --max-failures ({DEFAULT_MAX_FAILURES:.0%}, at least "
                        f"{DEFAULT_MAX_FAILED_PAGES} pages)"]
        elif isinstance(limit, int):
            if len(failed) > limit:
                return [f"{len(failed)} pages failed, more than --max-failures {limit}"]
        elif tried and len(failed) > limit * tried:
            return [f"{len(failed)} of {tried} pages failed ({len(failed) / tried:.0%}), more than "
                    f"--max-failures {limit:g}"]
        return []

    def _unreachable_start(self) -> str | None:
        """Nothing fetched and a start URL failed: the one-line cause (connection refused, …)."""
        failures = {f["url"]: f for f in self._final_failures()}
        for url in self.spider.start_urls:
            f = failures.get(url) or next((v for u, v in failures.items()
                                           if u.rstrip("/") == url.rstrip("/")), None)
            if f is not None:
                return f"cannot crawl {url}: {describe_cause(f['reason'])}"
        return None

    def _list_lost(self) -> None:
        """A finished crawl: every detail URL it requested is archived, failed, or forbidden by
        robots.txt; one that ended otherwise (redirected off-site, a redirect loop that the
        duplicate filter ended, …) is listed as a failure, never lost silently."""
        archived = self.archived | self.archived_this_run | self.redirected
        accounted = set()
        for url in [*self.report.failures, *self.prior_failures, *self.report.disallowed]:
            try:
                accounted.add(canonical_detail_url(url) if is_detail_url(url) else url)
            except ValueError:
                accounted.add(url)
        for url in sorted(set(self.spider.seen_details) - archived - accounted):
            self.report.fail(url, "detail", "no page: the request ended without a response "
                             "(redirected off-site, a redirect loop, or filtered)")

    def _unfetched(self):
        """Detail pages this crawl found linked but did not archive (failed, or not reached):
        their previous rows stay in the latest view (publish_run)."""
        archived = self.archived | self.archived_this_run | self.redirected
        # by path and query: the previous row may have been fetched under another host name
        missing = {_path_query(u) for u in set(self.spider.seen_details) - archived}
        if not missing:
            return None

        def unfetched(url: str) -> bool:
            try:
                return is_detail_url(url) and _path_query(canonical_detail_url(url)) in missing
            except ValueError:
                return False
        return unfetched

    def summary_line(self) -> str:
        """The operator's last line of a run."""
        took = int(time.time() - self.started)
        hours, rest = divmod(took, 3600)
        took_text = (f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s")
        failed = len(self._final_failures())
        fail_text = (f"{failed:,} page{'s' if failed != 1 else ''} failed (listed in "
                     f"crawl_report.json)" if failed else "no page failed")
        h = self.history
        if self.status == "published" and h is not None:
            kept = f", {h.fetch_failed:,} kept after a failed fetch" if h.fetch_failed else ""
            appeared = h.records if h.baseline == "none" else h.appeared  # a first crawl: all new
            return (f"published {h.records:,} records ({appeared:,} appeared, "
                    f"{h.changed_projects:,} changed, {h.disappeared:,} disappeared{kept}); "
                    f"{fail_text}; {took_text}")
        if self.status == "finished":
            return f"finished: {self.records_written():,} records in {self.out_dir} (--limit sample); {fail_text}; {took_text}"
        return f"{self.status}: {self.reason}"

    def records_written(self) -> int:
        try:
            import pyarrow.parquet as pq

            return pq.read_metadata(self.out_dir / "projects.parquet").num_rows
        except Exception:
            return 0

    def crawl_date(self) -> date:
        """The snapshot date: PROJEKTBANK_CRAWL_DATE (--crawl-date), else the UTC day the job
        started (a resumed job keeps its first day)."""
        from projektbank.pipelines.warc import parse_timestamp

        fixed = self.settings.get("PROJEKTBANK_CRAWL_DATE")
        if fixed:
            return date.fromisoformat(str(fixed))
        start = str(self.segments[0].get("start") or _iso(self.started))
        return parse_timestamp(start).date()

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
        failures = self._final_failures()
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
            "assertions": {"min_records": self.min_records, "min_fill": self.min_fill,
                           "max_failures": self.max_failures if self.max_failures is not None
                           else f"{DEFAULT_MAX_FAILURES:.0%} (at least {DEFAULT_MAX_FAILED_PAGES} pages)"},
            "lines_not_understood": getattr(summary, "lines_not_understood", None) if summary else None,
            "assertion_failures": problems,
            "requests": stats.get("downloader/request_count", 0),
            "response_bytes": stats.get("downloader/response_bytes", 0),
            "status_counts": status_counts,
            "pages_per_second": round(self.pages_this_run / max(end - self.started, 1e-6), 2),
            "conditional": self._conditional_report(),
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


class PagePipeline(_JobPipeline):
    """Each detail page: WARC record → DIR/raw, parse_page → validate → DatasetWriter
    (de-duplicate, Parquet/CSV/rejects), through crawler.page_flow (worker processes, in
    archive order, in batches). process_item returns when the page is written: Scrapy's
    scraper back-pressure (SCRAPER_SLOT_MAX_ACTIVE_SIZE) then bounds the pages in flight, and
    the spider is idle only when every page is written."""

    def open_spider(self):
        self.job = self.crawler.spider.job
        self.job.open_archive()
        self.job.open_writer()

    async def process_item(self, item):
        if isinstance(item, dict) and item.get("kind") == "page":
            if item.get("reused"):
                await self.job.add_reused(item)
                self.crawler.stats.inc_value("projektbank/pages_reused")
            else:
                await self.job.add_page(item)
            self.crawler.stats.inc_value("projektbank/pages")
            return {"url": item["url"], "status": item["status"],  # the body stays out of logs
                    **({"reused": item["reused"]} if item.get("reused") else {})}
        return item

    async def close_spider(self):
        if self.job is not None and self.job.flow is not None:
            try:
                await self.job.flow.drain()
            finally:
                self.job.close_archive()
