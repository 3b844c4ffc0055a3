"""The `esf` spider: discover project pages of the esf.se project bank and fetch each once.

It never parses fields: every fetched detail page becomes a page item (url, status, headers,
body, fetched_at) that PagePipeline (crawler/pipelines.py) archives (WARC) and hands to
`extract.parse_page`. What it counts and what failed goes to the crawl's job state
(crawler/job_state.py, `JobState.of(crawler)`), which also says which detail pages a resumed job
has already archived.

Arguments (`scrapy crawl esf -a NAME=VALUE`, or the `projektbank crawl` options):
  start_url    one or more list (or detail) URLs, whitespace-separated
               (default: https://www.esf.se/resultat/projektbanken/)
  out          output folder (default: setting PROJEKTBANK_OUT, `output/esf`)
  sitemap      sitemap URL(s), whitespace-separated (robots.txt `Sitemap:` lines are read too)
  ids          a file of diarienummer or detail URLs, one per line (`#` comments)
  kohesio_csv  Kohesio's per-country CSV: operations `2021SE05SFPR001_<dnr>` become detail URLs
  min_records, min_fill, max_failures   run assertions (`min_fill=COL=FRAC,COL=FRAC`)
  limit        fetch at most N project pages (a sample: published without history)

Discovery: list pages are the start URL's path with pagination parameters only
(`rel=next`, numbered links and `Nästa` all lead there); filter and sort links are never
followed; detail links are canonicalized (one project, one request) and stay on the start
URLs' hosts.

Fetching less happens below the spider (crawler/revalidate.py, a downloader middleware): an
unchanged detail page reaches parse_detail as the previous job archived it, flagged in
`response.meta["projektbank_reused"]`, which the page item carries on to the pipeline.
"""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import scrapy
from projektbank.crawler.job_state import JobState
from projektbank.crawler.seeds import ids_file_urls, kohesio_csv_urls
from projektbank.crawler.urls import (
    DEFAULT_START_URL,
    ListScope,
    canonical_detail_url,
    detail_links,
    host_of,
    is_detail_url,
    is_filter_link,
    is_old_region_url,
    origin_of,
)
from projektbank.crawler.waits import CrawlStopping
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spidermiddlewares.httperror import HttpError

_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
STALE_LIST_PAGES = 3   # stop paging after this many list pages in a row with nothing new

PRIO_ROBOTS, PRIO_LIST, PRIO_DETAIL = 30, 20, 0


def _split(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v).strip()]
    return [v for v in str(value).split() if v]


# What this spider cannot run without, added to the settings whatever they hold (a dict given
# with -s replaces the project's): its job (marker, resume, raw archive generations, report,
# status and exit code) and fetching less (below HttpCompression and the retries).
REQUIRED_COMPONENTS = {
    "EXTENSIONS": {"projektbank.crawler.job_state.JobState": 0},
    "DOWNLOADER_MIDDLEWARES": {"projektbank.crawler.revalidate.RevalidateMiddleware": 540},
}


class EsfSpider(scrapy.Spider):
    name = "esf"

    def __init__(self, start_url=None, out=None, sitemap=None, ids=None, kohesio_csv=None,
                 min_records=None, min_fill=None, start_urls=None, limit=None, max_failures=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.start_urls = _split(start_url) + _split(start_urls) or [DEFAULT_START_URL]
        for url in self.start_urls:
            if not url.lower().startswith(("http://", "https://")):
                raise ValueError(f"start URL must be http(s): {url}")
        self.out = out
        self.sitemap_urls = _split(sitemap)
        self.ids_file = ids
        self.kohesio_csv = kohesio_csv
        self.min_records = min_records
        self.min_fill = min_fill
        self.limit = int(limit) if limit not in (None, "") else None
        self.max_failures = max_failures
        self.sitemaps_requested = 0
        self.hosts = sorted({host_of(u) for u in self.start_urls})
        self.allowed_domains = list(self.hosts)
        self.scopes = [ListScope(u) for u in self.start_urls if not is_detail_url(u)]
        self.base = self.start_urls[0]
        self.seen_details: set[str] = set()
        self.seen_lists: set[str] = set()
        self.listed_details: set[str] = set()   # detail URLs seen on list pages
        self.details_requested = 0
        self._job: JobState | None = None

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        for name, components in REQUIRED_COMPONENTS.items():
            given = settings.getdict(name)  # an entry given there (None: off) wins
            # one above both the spider's level and what was given: Scrapy merges the
            # process's settings into the crawler again (equal priorities replace)
            priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"]) + 1
            settings.set(name, {**components, **given}, priority=priority)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.follow_detail_links = settings.getbool("PROJEKTBANK_FOLLOW_DETAIL_LINKS", True)
        spider.robots_sitemaps = settings.getbool("PROJEKTBANK_SITEMAPS_FROM_ROBOTS", True)
        spider.max_list_pages = settings.getint("PROJEKTBANK_MAX_LIST_PAGES", 20000)
        spider.max_sitemaps = settings.getint("PROJEKTBANK_MAX_SITEMAPS", 1000)
        spider.max_sitemap_depth = settings.getint("PROJEKTBANK_MAX_SITEMAP_DEPTH", 3)
        # robots.txt is fetched once per host: by Scrapy's RobotsTxtMiddleware when robots.txt
        # is obeyed (its response reaches parse_robots through response_received), else here
        spider.robots_via_middleware = settings.getbool("ROBOTSTXT_OBEY")
        if spider.robots_sitemaps and spider.robots_via_middleware:
            crawler.signals.connect(spider._on_response, signal=signals.response_received)
        return spider

    @property
    def job(self) -> JobState:
        """The crawl's job state (Scrapy builds it after the spider, before the first request)."""
        if self._job is None:
            self._job = JobState.of(self.crawler)
        return self._job

    def _on_response(self, response, request, spider):
        """The robots.txt that RobotsTxtMiddleware fetched for a start URL's host: its
        `Sitemap:` lines seed the crawl."""
        if not request.meta.get("dont_obey_robotstxt") or not request.url.endswith("/robots.txt"):
            return
        if response.status != 200 or urlsplit(request.url).path != "/robots.txt":
            return
        if not self._allowed(response.url):  # a start URL's host (after any redirect)
            return
        for req in self.parse_robots(response):
            self.crawler.engine.crawl(req)

    # --- requests ---------------------------------------------------------------------
    def _allowed(self, url: str) -> bool:
        return host_of(url) in self.hosts

    def detail_request(self, url: str, source: str) -> scrapy.Request | None:
        report = self.job.report
        try:
            canonical = canonical_detail_url(url)
        except ValueError:
            return None
        if not self._allowed(canonical):
            report.count("offsite_links")
            return None
        if canonical in self.seen_details:
            report.count("duplicate_links")
            return None
        if self.limit is not None and self.details_requested >= self.limit:
            report.count("detail_pages_over_limit")  # a --limit sample: not seen, not lost
            return None
        self.seen_details.add(canonical)
        if canonical in report.archived:
            report.count("skipped_already_archived")
            return None
        self.details_requested += 1
        report.discovered(canonical, source)
        return scrapy.Request(canonical, callback=self.parse_detail, errback=self.on_error,
                              priority=PRIO_DETAIL, meta={"kind": "detail"})

    def list_request(self, url: str, stale: int = 0) -> scrapy.Request | None:
        for scope in self.scopes:
            canonical = scope.canonical(url)
            if canonical is None:
                continue
            if canonical in self.seen_lists:
                return None
            if len(self.seen_lists) >= self.max_list_pages:
                self.job.report.count("list_pages_over_limit")
                return None
            self.seen_lists.add(canonical)
            return scrapy.Request(canonical, callback=self.parse_list, errback=self.on_error,
                                  priority=PRIO_LIST, meta={"kind": "list", "stale": stale})
        return None

    def region_request(self, url: str) -> scrapy.Request | None:
        """A 2007–2013 region container page (`…/Behallare-for-projekt/<Region>/`): read like a
        list page for its project links, once, on the start hosts only."""
        if not self._allowed(url):
            return None
        canonical = url.split("#", 1)[0].split("?", 1)[0]
        canonical = canonical if canonical.endswith("/") else canonical + "/"
        if canonical in self.seen_lists or len(self.seen_lists) >= self.max_list_pages:
            return None
        self.seen_lists.add(canonical)
        return scrapy.Request(canonical, callback=self.parse_list, errback=self.on_error,
                              priority=PRIO_LIST, meta={"kind": "list", "stale": 0})

    async def start(self):
        for url in self.start_urls:
            if is_detail_url(url):
                req = self.detail_request(url, "start")
            else:
                req = self.list_request(url)
            if req is not None:
                yield req
        if self.robots_sitemaps and not self.robots_via_middleware:
            for origin in sorted({origin_of(u) for u in self.start_urls}):
                yield scrapy.Request(origin + "/robots.txt", callback=self.parse_robots,
                                     errback=self.on_error, priority=PRIO_ROBOTS,
                                     meta={"kind": "robots", "dont_retry": False})
        for url in self.sitemap_urls:
            req = self.sitemap_request(url)
            if req is not None:
                yield req
        for url in self._seed_urls():
            req = self.detail_request(url, "seed")
            if req is not None:
                yield req
        # a resumed job: the links on pages archived before the stop are followed again (a
        # project linked only from such a page would be missed otherwise)
        if self.follow_detail_links:
            for url in self.job.prior_links:
                req = self.detail_request(url, "detail")
                if req is not None:
                    yield req

    def _seed_urls(self) -> list[str]:
        """Detail URLs named by --ids and --kohesio-csv (crawler/seeds.py)."""
        urls: list[str] = []
        if self.ids_file:
            found, skipped = ids_file_urls(self.ids_file, self.base)
            urls += found
            for line, why in skipped:
                self.logger.warning("--ids: %s, skipped: %s", why, line)
        if self.kohesio_csv:
            found = kohesio_csv_urls(self.kohesio_csv, self.base)
            urls += found
            self.logger.info("--kohesio-csv: %d ESF+ operations", len(found))
        return urls

    def sitemap_request(self, url: str, depth: int = 0) -> scrapy.Request | None:
        """A sitemap (or sitemap index) request, within the bounds: PROJEKTBANK_MAX_SITEMAPS in
        all, nested at most PROJEKTBANK_MAX_SITEMAP_DEPTH indexes deep."""
        if not self._allowed(url):
            self.job.report.count("offsite_links")
            return None
        if depth > self.max_sitemap_depth:
            self.job.report.count("sitemaps_too_deep")
            return None
        if self.sitemaps_requested >= self.max_sitemaps:
            self.job.report.count("sitemaps_over_limit")
            return None
        self.sitemaps_requested += 1
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error,
                              priority=PRIO_ROBOTS, meta={"kind": "sitemap", "depth": depth})

    # --- callbacks --------------------------------------------------------------------
    def parse_robots(self, response):
        text = response.text if isinstance(response, TextResponse) else response.body.decode(
            "utf-8", "replace")
        for url in _SITEMAP_LINE.findall(text):
            req = self.sitemap_request(urljoin(response.url, url))
            if req is not None:
                yield req

    def parse_sitemap(self, response):
        from scrapy.utils.sitemap import Sitemap

        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)
            except OSError:
                self.job.report.fail(response.url, "sitemap", "not a valid gzip file")
                return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # not XML
            self.job.report.fail(response.url, "sitemap", f"unreadable sitemap: {exc}")
            return
        self.job.report.count("sitemaps")
        for entry in sitemap:
            loc = (entry.get("loc") or "").strip()
            if not loc:
                continue
            loc = urljoin(response.url, loc)
            if sitemap.type == "sitemapindex":
                req = self.sitemap_request(loc, response.meta.get("depth", 0) + 1)
            elif is_detail_url(loc):
                req = self.detail_request(loc, "sitemap")
            else:
                req = self.list_request(loc)
            if req is not None:
                yield req

    def parse_list(self, response):
        report = self.job.report
        report.count("list_pages")
        if not isinstance(response, TextResponse):
            return
        new = 0
        details = 0
        pages: list[str] = []
        hrefs = response.xpath("//a/@href | //link[contains(concat(' ', @rel, ' '), ' next ')]/@href")
        for href in hrefs.getall():
            href = href.strip()
            if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            url = response.urljoin(href)
            if is_detail_url(url):
                details += 1
                try:
                    canonical = canonical_detail_url(url)
                except ValueError:
                    continue
                if canonical not in self.listed_details:
                    self.listed_details.add(canonical)
                    new += 1
                req = self.detail_request(url, "list")
                if req is not None:
                    yield req
            elif any(scope.canonical(url) for scope in self.scopes):
                pages.append(url)
            elif is_old_region_url(url):
                req = self.region_request(url)
                if req is not None:
                    yield req
            elif self._allowed(url) and is_filter_link(url):
                report.count("filter_links_skipped")
        stale = 0 if new else response.meta.get("stale", 0) + 1
        if self.limit is not None and self.details_requested >= self.limit:
            return  # a --limit sample has its pages
        if details == 0 or stale >= STALE_LIST_PAGES:
            if pages:
                report.count("list_pages_not_followed")
            return
        for url in pages:
            req = self.list_request(url, stale)
            if req is not None:
                yield req

    def parse_detail(self, response):
        item = {
            "kind": "page",
            "url": response.url,
            "requested_url": response.request.url if response.request else response.url,
            "status": response.status,
            # as received; the archive keeps what it stores of them (warc.clean_headers)
            "headers": [(k.decode("latin-1"), v.decode("latin-1"))
                        for k, values in response.headers.items() for v in values],
            "body": response.body,
            "fetched_at": datetime.now(UTC),
            "attempts": response.meta.get("projektbank_attempts", 1),
            "redirect_urls": response.meta.get("redirect_urls") or [],
        }
        reused = response.meta.get("projektbank_reused")
        if reused is not None:  # unchanged: the previous record, not a new one
            item["reused"] = reused
        yield item
        yield from self.follow_links(response.url, response.body)

    def follow_links(self, base: str, body: bytes):
        if not self.follow_detail_links:
            return
        for url in detail_links(base, body):
            req = self.detail_request(url, "detail")
            if req is not None:
                yield req

    def on_error(self, failure):
        request = failure.request
        if failure.check(CrawlStopping):
            return  # the crawl stopped while it waited: not a failure (a resume fetches it)
        kind = request.meta.get("kind", "?")
        gave_up = request.meta.get("projektbank_gave_up")
        attempts = request.meta.get("retry_times", 0) + 1
        if failure.check(HttpError):
            response = failure.value.response
            reason = f"HTTP {response.status}"
            if gave_up:
                reason += f" after {attempts} attempts"
        elif failure.check(IgnoreRequest):
            message = str(failure.value)
            if "robots.txt" in message:
                self.job.report.robots_forbidden(request.url, kind)
                return
            reason = f"ignored: {message}"
        else:
            exc = failure.value
            reason = gave_up or f"{type(exc).__name__}: {exc}"
            if gave_up:
                reason += f" (after {attempts} attempts)"
        if kind == "robots" and failure.check(HttpError):
            return  # no robots.txt: nothing to read sitemaps from
        self.job.report.fail(request.url, kind, reason, attempts=attempts)
