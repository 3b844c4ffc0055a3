"""Fetching less (PROJEKTBANK_CONDITIONAL_REQUESTS, default on; issue 4): a downloader
middleware that revalidates the detail pages the previous job archived.

PreviousCrawl indexes DIR/raw-previous/ (the previous job's archive: URL, sha256,
ETag/Last-Modified, record location) and reads the latest view (DIR/projects.parquet).
* process_request: a detail request for a page it holds gets `If-None-Match` /
  `If-Modified-Since` (when the server sent validators).
* process_response: a `304`, or a `200` with the same body sha256 and Content-Type, means
  unchanged. The response becomes the previous page as archived (url, headers, body), flagged
  `reused` in the log, and `request.meta["projektbank_reused"]` (a ReusedPage) carries the
  previous WARC record and the previous row of the latest view (same URL, sha256, fetched_at
  and extractor version; None when there is none, e.g. the page was a reject: the copy is then
  extracted again). The spider sees an ordinary page and follows its links; PagePipeline
  copies the record byte for byte into DIR/raw (plus a metadata record saying so) and reuses
  the row. A reused record keeps its fetched_at: it is the page as fetched then; Run.publish
  moves last_seen on. A 304 whose previous record cannot be read is fetched again,
  unconditionally (a new request). Any other response passes unchanged.
List pages, robots.txt and sitemaps never get conditional headers. Counts:
crawl_report.json → `conditional` (CrawlReport.fetch_less).

Its place (DOWNLOADER_MIDDLEWARES 540): responses reach it after HttpCompression (590: the
sha256 is the decoded body's) and after the retry middleware (550: a 503 that is retried is
not "changed"); redirects (600) are followed before it, keeping the request's meta.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from projektbank.crawler.job_state import JobState
from projektbank.crawler.urls import canonical_detail_url, is_detail_url
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

logger = logging.getLogger(__name__)

PREV, REUSED, REFETCH = "projektbank_prev", "projektbank_reused", "projektbank_refetch"


@dataclass
class ReusedPage:
    """An unchanged page: the previous record and what PagePipeline writes for it."""

    reason: str          # not_modified (304) or unchanged_hash (200, same sha256)
    page: dict           # url, status, headers (as archived), body, fetched_at
    member: bytes        # the previous record's gzip member, copied as it is
    record_id: str
    revalidated_at: datetime
    info: dict           # the metadata record's payload: why, validators, copied_from
    row: dict | None     # the latest view's row of exactly this page, or None: extract it


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
        for the writer (maps as dicts, first_seen/last_seen left to the Run); else None."""
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


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class RevalidateMiddleware:
    def __init__(self, state: JobState, previous: PreviousCrawl):
        self.state = state
        self.previous = previous
        self.counts = state.report.fetch_less

    @classmethod
    def from_crawler(cls, crawler):
        from projektbank.pipelines.warc import warc_files

        state = JobState.of(crawler)
        if state is None or not crawler.settings.getbool("PROJEKTBANK_CONDITIONAL_REQUESTS", True):
            raise NotConfigured  # no args: Scrapy then logs no warning
        # the job state was built first (extensions come before the downloader): a new job has
        # rotated DIR/raw into raw-previous/ already
        files = warc_files(state.out_dir / "raw-previous")
        if not files:
            raise NotConfigured  # a first crawl: nothing to revalidate
        t0 = time.time()
        previous = PreviousCrawl(state.out_dir, files)
        state.report.previous_pages = len(previous)
        logger.info("previous archive: %d project pages in %d file(s), indexed in %.1fs",
                    len(previous), len(files), time.time() - t0)
        return cls(state, previous)

    def process_request(self, request):
        """A detail request for a page the previous job has: conditional (once: a retry or a
        redirect of it keeps its meta and headers)."""
        meta = request.meta
        if meta.get("kind") != "detail" or PREV in meta or meta.get(REFETCH):
            return None
        try:
            key = canonical_detail_url(request.url)
        except ValueError:
            return None
        entry = self.previous.get(key)
        if entry is None:
            return None
        self.counts["with_previous"] += 1
        meta[PREV] = key
        headers = PreviousCrawl.conditional_headers(entry)
        if headers:
            self.counts["sent"] += 1
            for name, value in headers.items():
                request.headers[name] = value
        return None

    def process_response(self, request, response):
        key = request.meta.get(PREV)
        if key is None:
            return response
        entry = self.previous.get(key)
        if entry is None:
            return self._refetch(request, key) if response.status == 304 else response
        if response.status == 304:
            reason = "not_modified"
        elif not 200 <= response.status < 300:
            return response  # a failure (HttpErrorMiddleware's): neither changed nor unchanged
        elif (response.status == 200 and self._content_type(response) == entry.content_type
              and hashlib.sha256(response.body).hexdigest() == entry.sha256):
            reason = "unchanged_hash"
        else:
            self.counts["changed"] += 1
            return response
        loaded = self.previous.load(entry)
        if loaded is None:
            self.counts["refetched"] += 1
            return self._refetch(request, key) if response.status == 304 else response
        reused = self._reuse(request, response, entry, reason, *loaded)
        request.meta[REUSED] = reused
        page = reused.page
        headers = Headers(page["headers"])
        cls = responsetypes.from_args(headers=headers, url=page["url"], body=page["body"])
        return cls(url=page["url"], status=200, headers=headers, body=page["body"],
                   request=request, flags=["reused"])

    @staticmethod
    def _content_type(response) -> str | None:
        """Content-Type as the archive stores it (pipelines.warc.clean_headers)."""
        from projektbank.pipelines.warc import clean_headers

        pairs = clean_headers((k.decode("latin-1"), v.decode("latin-1"))
                              for k, values in response.headers.items() for v in values)
        return next((v for k, v in pairs if k.lower() == "content-type"), None)

    def _reuse(self, request, response, entry, reason: str, member: bytes, page: dict) -> ReusedPage:
        c = self.counts
        c[reason] += 1
        c["reused_pages"] += 1
        if reason == "not_modified":
            c["bytes_saved"] += len(page["body"])
        etag, modified = _header(response, b"ETag"), _header(response, b"Last-Modified")
        if reason == "not_modified":  # a 304 may leave out validators that still hold
            etag, modified = etag or entry.etag, modified or entry.last_modified
        try:
            copied_from = str(entry.path.relative_to(self.state.out_dir))
        except ValueError:
            copied_from = str(entry.path)
        try:
            row = self.previous.row_for(page["url"], entry.sha256, page["fetched_at"])
        except Exception as exc:  # never lose the page: extract it instead
            logger.warning("reusing the row of %s failed (%s): extracting it", page["url"], exc)
            row = None
        # no row of this page (a reject, another extractor version): the copy is extracted
        c["reused_records" if row is not None else "reextracted"] += 1
        return ReusedPage(reason, page, member, entry.record_id, datetime.now(UTC),
                          {"reason": reason, "status": response.status, "requested_url": request.url,
                           "etag": etag, "last_modified": modified, "copied_from": copied_from},
                          row)

    @staticmethod
    def _refetch(request, url: str):
        """The page again, unconditionally (a 304 whose previous record cannot be read)."""
        headers = request.headers.copy()
        for name in ("If-None-Match", "If-Modified-Since"):
            headers.pop(name, None)
        return request.replace(url=url, headers=headers, dont_filter=True,
                               meta={"kind": "detail", REFETCH: True})
