"""PagePipeline: the crawl's page flow, and the run's raw archive and dataset writer.

Page items from the spider go to pipelines/page_flow.py: in worker processes, each page's WARC
record (pipelines/warc/) and the one extraction path shared with `projektbank extract`
(pipelines.extract_run.extract_page: parse_page → validate); then, in archive order, the
record is appended to DIR/raw and the row goes to the DatasetWriter, which de-duplicates by
project_id and writes Parquet/CSV/rejects. So the crawl's dataset equals a rebuild from
DIR/raw by construction.

A page the revalidation middleware found unchanged (crawler/revalidate.py) carries a
ReusedPage: its previous record is copied into DIR/raw (plus a metadata record) and its
previous row is reused, or the copy extracted again.

A resumed job: the pages archived by its earlier runs are fed to the writer first, exactly as
`extract` reads them, so the dataset is the same as an uninterrupted crawl's; the detail links
on them go to the job state (prior_links), which the spider follows again.

The end of the run is the job state's (crawler/job_state.py): it finishes, publishes or aborts
the writer this pipeline opened. Two settings are seams for fault injection in tests:
PROJEKTBANK_RAW_ARCHIVE_CLASS (the raw archive's class) and PROJEKTBANK_FLOW_BATCH_PAGES.
"""

from __future__ import annotations

import asyncio
import logging

from projektbank.crawler.job_state import JobState
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import load_object

logger = logging.getLogger(__name__)


def raw_archive_class(settings):
    """PROJEKTBANK_RAW_ARCHIVE_CLASS (an import path), else the project's RawArchive."""
    from projektbank.pipelines.warc import RawArchive

    name = settings.get("PROJEKTBANK_RAW_ARCHIVE_CLASS")
    return load_object(name) if name else RawArchive


class PagePipeline:
    """Each detail page: WARC record → DIR/raw, parse_page → validate → DatasetWriter
    (de-duplicate, Parquet/CSV/rejects), through pipelines.page_flow (worker processes, in
    archive order, in batches). process_item returns when the page is written: Scrapy's
    scraper back-pressure (SCRAPER_SLOT_MAX_ACTIVE_SIZE) then bounds the pages in flight, and
    the spider is idle only when every page is written."""

    def __init__(self, crawler, state: JobState):
        self.crawler = crawler
        self.state = state
        self.archive = None
        self.run = None      # pipelines.run.Run: the dataset (self.writer is its writer)
        self.writer = None
        self.flow = None     # pipelines.page_flow.PageFlow: archive + extraction

    @classmethod
    def from_crawler(cls, crawler):
        state = JobState.of(crawler)  # built before the pipelines (extensions come first)
        if state is None:
            raise NotConfigured  # no args: Scrapy then logs no warning
        return cls(crawler, state)

    # --- open ------------------------------------------------------------------------------
    def open_spider(self):
        self.state.attach(self)
        self._open_archive()
        self._open_writer()

    def _open_archive(self) -> None:
        s, state = self.crawler.settings, self.state
        self.archive = raw_archive_class(s)(
            state.raw_dir, state.run_id, max_bytes=s.getint("PROJEKTBANK_WARC_MAX_BYTES", 1 << 30),
            level=s.getint("PROJEKTBANK_WARC_GZIP_LEVEL", 1),
            info={"operator": s.get("USER_AGENT", ""), "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore",
                  "start-urls": " ".join(state.spider.start_urls), "job-id": state.job_id})

    def _open_writer(self) -> None:
        from projektbank.crawler.urls import detail_links
        from projektbank.pipelines.page_flow import PageFlow, worker_count
        from projektbank.pipelines.run import Run
        from projektbank.pipelines.warc import read_warc
        from scrapy.utils.asyncio import is_asyncio_available

        s = self.crawler.settings
        # contact persons, e-mail, phone: only when the operator asks (a rebuild then needs
        # `projektbank extract --include-personal-data` to match)
        personal_data = s.getbool("PROJEKTBANK_INCLUDE_PERSONAL_DATA", False)
        # the one run object `projektbank extract` uses too; the page flow feeds its writer
        self.run = Run(self.state.out_dir, personal_data=personal_data)
        self.writer = self.run.writer
        # the flow awaits its workers' futures on the asyncio loop: no workers under another
        # Twisted reactor
        workers = (worker_count(s.get("PROJEKTBANK_EXTRACT_WORKERS", -1))
                   if is_asyncio_available() else 0)
        self.flow = PageFlow(self.archive, self.writer, personal_data=personal_data,
                             workers=workers, level=self.archive.level,
                             on_error=self._write_failed,
                             batch_pages=s.getint("PROJEKTBANK_FLOW_BATCH_PAGES",
                                                  PageFlow.BATCH_PAGES))
        for path in self.state.prior_files:  # earlier runs of this job, as `extract` reads them
            for page in read_warc(path):
                self.run.add(page)
                if getattr(page, "body", None):  # not an Unreadable
                    self.state.prior_links.extend(detail_links(page.url, page.body))

    def _write_failed(self, exc: BaseException) -> None:
        """The first page that could not be written (e.g. a full disk): stop the crawl now."""
        logger.error("writing pages failed (%s): stopping the crawl", exc)
        asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="write_error"))

    # --- pages -----------------------------------------------------------------------------
    async def process_item(self, item):
        if isinstance(item, dict) and item.get("kind") == "page":
            self.state.report.note_redirects(item.get("redirect_urls"))
            reused = item.get("reused")
            if reused is not None:
                await self.add_reused(item, reused)
                self.crawler.stats.inc_value("projektbank/pages_reused")
            else:
                await self.add_page(item)
            self.crawler.stats.inc_value("projektbank/pages")
            return {"url": item["url"], "status": item["status"],  # the body stays out of logs
                    **({"reused": reused.reason} if reused is not None else {})}
        return item

    async def add_page(self, item: dict) -> None:
        """A fetched page: archived and extracted by the page flow, in archive order."""
        self.state.report.count_page(item)
        await self.flow.put(item)

    async def add_reused(self, item: dict, reused) -> None:
        """The previous record, copied into this run's archive (no new response is stored),
        then its previous row, or the copy extracted again when there is no such row."""
        from projektbank.pipelines.warc import reused_copy

        page = {**reused.page, "requested_url": item["requested_url"]}
        copied = reused_copy(reused.member, page["url"], reused.record_id, reused.revalidated_at,
                             reused.info, self.archive.level)
        self.state.report.count_page(page)
        await self.flow.put_reused(copied, reused.row, page)

    # --- close -----------------------------------------------------------------------------
    async def close_spider(self):
        if self.flow is not None:
            try:
                await self.flow.drain()
            finally:
                self.close_archive()

    @property
    def write_error(self) -> BaseException | None:
        return self.flow.error if self.flow is not None else None

    def raw_files(self) -> list:
        return self.archive.files if self.archive is not None else []

    def close_archive(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def close(self) -> None:
        """The flow's workers and the archive (idempotent)."""
        if self.flow is not None:
            self.flow.close()
        self.close_archive()

    def kill(self) -> None:
        """A hard stop: the workers end now (their pages are lost; a resume fetches them)."""
        if self.flow is not None:
            self.flow.kill()

    def abort_writer(self, reason: str = "") -> None:
        """Publish nothing: the run's temporary files go, the previous datasets stay."""
        if self.run is not None:
            self.run.abort(reason)
