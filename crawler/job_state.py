"""The crawl's job state: a Scrapy extension (EXTENSIONS in crawler/settings.py) that owns one
run of a crawl job from before the engine starts to the process's exit code.

* Before the engine starts (from_crawler): the output folder is checked and locked, the job is
  resolved from JOBDIR's marker (crawler/job_folder.py): a new job rotates DIR/raw to
  DIR/raw-previous; a resumed one (`running` or `interrupted`) repairs DIR/raw and knows
  which detail pages it holds, and which URLs failed in earlier runs.
* During the run: the CrawlReport (crawler/report.py) the spider, the middlewares and the
  pipeline write into; a stop the crawl guard asks for (request_stop).
* At spider_closed: crawler/run_end.py decides how the run ended; `settle` applies that
  Outcome (crawler/outcomes.py): writer aborted unless published, job marker, raw archive,
  crawl_report.json. `abort_now` (a hard stop) settles and exits at once.

The one seam: every component finds this state with `JobState.of(crawler)` (Scrapy's
`crawler.get_extension`): the spider, PagePipeline (which attaches itself, so the end of the
run reaches its writer), the revalidation and retry middlewares, the guard and the CLI, which
reads `outcome` after the crawl. Nothing is set on Scrapy's Crawler or on the spider.

The esf spider installs it (EsfSpider.update_settings: whatever EXTENSIONS a command line
gives); another spider run with the project's settings (bench/crawl_runner.py's `bare`) has none.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from projektbank.crawler.job_folder import JobFolder
from projektbank.crawler.out_folder import check_output_dir, lock_output_dir
from projektbank.crawler.outcomes import CLOSE_FAILED, PUBLISHED, SAMPLE, Outcome
from projektbank.crawler.report import (
    CrawlReport,
    iso,
    key_columns,
    parse_max_failures,
    parse_min_fill,
)
from projektbank.crawler.report_file import build_report
from projektbank.crawler.run_end import end_run
from projektbank.pipelines.atomic import write_json_atomic
from projektbank.pipelines.warc import parse_timestamp
from scrapy import signals

logger = logging.getLogger(__name__)


def _hard_exit(code: int) -> None:  # pragma: no cover - runs at interpreter exit
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


class JobState:
    """State of one crawl run (and of its job, when resumed)."""

    def __init__(self, crawler, spider, out_dir: Path):
        self.crawler = crawler
        self.spider = spider
        self.settings = s = crawler.settings
        self.out_dir = out_dir
        self.raw_dir = out_dir / "raw"
        self.started = time.time()
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")[:-4] + "Z"
        self.job_id = self.run_id
        self.jobdir = Path(s["JOBDIR"]) if s.get("JOBDIR") else None
        self.folder = JobFolder(out_dir, self.jobdir)
        self.report = CrawlReport()
        self.prior_files: list[Path] = []    # WARC files of earlier runs of this job
        self.prior_links: list[str] = []     # detail links on their pages: followed again
        self.segments: list[dict] = []
        self.resumed = False
        self.pages = None                    # the PagePipeline, once it has opened (attach)
        self.outcome: Outcome | None = None  # how the run ended (crawler/outcomes.py)
        self.reason = ""
        self.stop_request: tuple[Outcome, str] | None = None  # the guard's (outcome, why)
        self.history = None                  # pipelines.history.HistoryResult once published
        self.sample = bool(getattr(spider, "limit", None))  # --limit N: no history
        given = getattr(spider, "max_failures", None)
        if given is None:
            given = s.get("PROJEKTBANK_MAX_FAILURES")
        # default: 5 % of the pages tried, but a few failures never stop a small crawl
        self.max_failures = parse_max_failures(given) if given not in (None, "") else None
        self.min_records = int(spider.min_records if spider.min_records is not None
                               else s.getint("PROJEKTBANK_MIN_RECORDS", 1))
        fill = {c: s.getfloat("PROJEKTBANK_DEFAULT_MIN_FILL", 0.5) for c in key_columns()}
        fill.update(parse_min_fill(s.get("PROJEKTBANK_MIN_FILL") or {}))
        fill.update(parse_min_fill(spider.min_fill))
        self.min_fill = {k: v for k, v in fill.items() if v > 0}

    @staticmethod
    def of(crawler) -> JobState | None:
        """The crawl's job state; None when it has none (another spider, or the crawl failed
        before Scrapy built its extensions)."""
        try:
            return crawler.get_extension(JobState)
        except RuntimeError:
            return None

    # --- before the engine starts -------------------------------------------------------
    @classmethod
    def from_crawler(cls, crawler) -> JobState:
        spider = crawler.spider
        out = spider.out or crawler.settings.get("PROJEKTBANK_OUT") or "output/esf"
        out_dir = check_output_dir(out).resolve()
        lock_output_dir(out_dir)  # one crawl per output folder (the CLI took it already)
        state = cls(crawler, spider, out_dir)
        state._resolve_job()
        crawler.signals.connect(state._spider_closed, signal=signals.spider_closed)
        return state

    def _resolve_job(self) -> None:
        marker = self.folder.read_marker()
        if (marker and marker.get("state") in ("running", "interrupted")
                and marker.get("out") == str(self.out_dir)):
            self.resumed = True
            self.job_id = marker.get("job_id") or self.job_id
            self.segments = list(marker.get("segments") or [])
            self.folder.wipe_scrapy_state()  # the frontier: list pages again, DIR/raw skipped
            if marker["state"] == "running" and self.segments:
                self.segments[-1].setdefault("end_reason", "killed")
            self._load_prior()
        else:
            self.folder.wipe_scrapy_state()
            self.folder.forget_failures()
            self.folder.rotate_raw()
        self.report.failure_log = self.folder.open_failure_log()
        self.segments.append({"run_id": self.run_id, "start": iso(self.started)})
        self.write_marker("running")

    def _load_prior(self) -> None:
        self.prior_files, self.report.archived, cut = self.folder.prior_archive()
        if cut:
            self.report.count("raw_bytes_cut_after_kill", cut)
        self.report.prior_failures = self.folder.prior_failures()
        logger.info("resuming job %s: %d pages already archived in %d file(s)",
                    self.job_id, len(self.report.archived), len(self.prior_files))

    def write_marker(self, state: str) -> None:
        self.folder.write_marker({"job_id": self.job_id, "out": str(self.out_dir), "state": state,
                                  "start_urls": self.spider.start_urls, "segments": self.segments})

    def attach(self, pages) -> None:
        """PagePipeline, opened: the end of the run reaches its writer through it."""
        self.pages = pages

    def request_stop(self, outcome: Outcome, why: str) -> None:
        """The guard stops the crawl: the run ends with this outcome once Scrapy has closed."""
        self.stop_request = (outcome, why)

    # --- the end ------------------------------------------------------------------------
    def _spider_closed(self, spider, reason) -> None:
        self.close(reason)

    def close(self, reason: str) -> None:
        try:
            try:
                end_run(self, reason)
            finally:
                self._write_report_html()
        except Exception as exc:  # never lose the report
            logger.exception("closing the crawl failed")
            self.settle(CLOSE_FAILED, f"{type(exc).__name__}: {exc}")
        finally:
            if self.pages is not None:
                self.pages.close()
            if self.report.failure_log is not None:
                self.report.failure_log.close()
            if self.outcome.exit_code and self.settings.getbool("PROJEKTBANK_EXIT_HOOK", True):
                # `scrapy crawl` has no other way to end with the run's exit code
                atexit.register(_hard_exit, self.outcome.exit_code)

    def _write_report_html(self) -> None:
        from projektbank.pipelines.report_html import report_wanted, try_write_report

        if self.settings.getbool("PROJEKTBANK_REPORT_HTML", True) and report_wanted():
            try_write_report(self.out_dir)  # report.html of whatever the folder now holds

    def settle(self, outcome: Outcome, why: str = "", summary=None, rejects=(), problems=()) -> None:
        """End the run with *outcome*, everything its table entry says: the writer aborted
        (unless published), the job marker, the raw archive, crawl_report.json (a published
        run's report is written with its datasets, by run_end)."""
        self.outcome, self.reason = outcome, outcome.explain(why, self.jobdir) if why else ""
        if not outcome.published and self.pages is not None:
            self.pages.abort_writer(self.reason)
        if outcome.marker:
            self.write_marker(outcome.marker)
        if outcome.restores_archive(resumable=self.jobdir is not None):
            self._keep_published_archive()
        if not outcome.published:
            write_json_atomic(self.out_dir / "crawl_report.json",
                              build_report(self, summary, list(rejects), list(problems)))

    def _keep_published_archive(self) -> None:
        if self.pages is not None:
            try:
                self.pages.close_archive()  # idempotent; already closed on the normal paths
            except Exception:  # a broken archive is still moved aside
                logger.exception("closing the raw archive failed")
        self.folder.keep_published_archive(self.run_id)

    def end_segment(self, reason: str) -> None:
        """This run's entry in the job's segments: when and why it ended, what it fetched."""
        self.segments[-1].update({"end": iso(time.time()), "end_reason": reason,
                                  "pages": self.report.pages_this_run,
                                  "list_pages": self.report.counters["list_pages"]})

    def abort_now(self, outcome: Outcome, why: str) -> None:
        """Stop this process now (a second signal; a stop that did not end in time): nothing is
        published, temporary files go, the marker lets --resume continue, the report is written.
        As after a SIGKILL, the archive's last record may be cut: a resume repairs it."""
        self.outcome, self.reason = outcome, outcome.explain(why, self.jobdir)
        try:
            if self.pages is not None:
                try:
                    self.pages.kill()
                except Exception:  # exiting anyway
                    logger.exception("ending the extraction workers failed")
            if self.segments:
                self.end_segment(outcome.status)
            self.settle(outcome, why)
            if self.report.failure_log is not None:
                self.report.failure_log.close()
        except Exception:  # exiting anyway: say why
            logger.exception("stopping at once failed")
        finally:
            print(f"projektbank crawl: {self.reason}", file=sys.stderr, flush=True)
            _hard_exit(outcome.exit_code)

    # --- for the operator -----------------------------------------------------------------
    def crawl_date(self) -> date:
        """The snapshot date: PROJEKTBANK_CRAWL_DATE (--crawl-date), else the UTC day the job
        started (a resumed job keeps its first day)."""
        fixed = self.settings.get("PROJEKTBANK_CRAWL_DATE")
        if fixed:
            return date.fromisoformat(str(fixed))
        start = str(self.segments[0].get("start") or iso(self.started))
        return parse_timestamp(start).date()

    def summary_line(self) -> str:
        """The operator's last line of a run."""
        took = int(time.time() - self.started)
        hours, rest = divmod(took, 3600)
        took_text = (f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s")
        failed = len(self.report.final_failures())
        fail_text = (f"{failed:,} page{'s' if failed != 1 else ''} failed (listed in "
                     f"crawl_report.json)" if failed else "no page failed")
        h = self.history
        if self.outcome is PUBLISHED and h is not None:
            kept = f", {h.fetch_failed:,} kept after a failed fetch" if h.fetch_failed else ""
            appeared = h.records if h.baseline == "none" else h.appeared  # a first crawl: all new
            return (f"published {h.records:,} records ({appeared:,} appeared, "
                    f"{h.changed_projects:,} changed, {h.disappeared:,} disappeared{kept}); "
                    f"{fail_text}; {took_text}")
        if self.outcome is SAMPLE:
            return (f"finished: {self.records_written():,} records in {self.out_dir} (--limit "
                    f"sample); {fail_text}; {took_text}")
        return f"{self.outcome.status if self.outcome else 'running'}: {self.reason}"

    def records_written(self) -> int:
        try:
            import pyarrow.parquet as pq

            return pq.read_metadata(self.out_dir / "projects.parquet").num_rows
        except Exception:
            return 0
