"""Downloader middleware: retries with exponential backoff; 429/503 honour `Retry-After`.

Replaces Scrapy's RetryMiddleware (same settings: RETRY_TIMES, RETRY_HTTP_CODES,
RETRY_EXCEPTIONS) and adds:

* a wait before each retry: `PROJEKTBANK_RETRY_BACKOFF_BASE × 2^(n-1)` seconds (±25 % jitter),
  at most `PROJEKTBANK_RETRY_BACKOFF_MAX`;
* on a response with `Retry-After` (seconds or an HTTP date), that wait instead, and the whole
  host is paused for it too, so the other requests do not run into the same limit; a
  Retry-After longer than `PROJEKTBANK_RETRY_AFTER_MAX` stops the crawl (status `error`,
  resumable) instead of hammering a server that asked us to go away;
* `request.meta["projektbank_attempts"]` and, on giving up, `projektbank_gave_up` with the last
  reason, which the spider's errback writes into crawl_report.json.

Every wait happens here, in `process_request`, on the crawl's own clock (crawler/waits.py): a
retry is rescheduled at once with a "not before" time, and a paused host holds its requests
until the pause ends. Nothing touches Scrapy's download slots (their clock and fields changed
between releases: a wall-clock value written into a monotonic `lastseen` once stalled the crawl
for decades). The waits are visible to the stall watchdog and cancelled when the crawl stops.
"""

from __future__ import annotations

import logging
import random
import time
from email.utils import parsedate_to_datetime
from http import HTTPStatus

from projektbank.crawler.job_state import JobState
from projektbank.crawler.waits import waits_for
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header value, or None when absent/unparsable."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _status_message(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _describe(exc: BaseException) -> str:
    """A one-line reason: the exception class, and a wrapped Twisted failure's class."""
    name = type(exc).__name__
    inner = getattr(exc, "reasons", None) or (exc.args[0] if exc.args else None)
    if isinstance(inner, list) and inner:
        inner = inner[0]
    value = getattr(inner, "value", None)
    if value is not None and not isinstance(value, str):
        return f"{name} ({type(value).__name__}: {value})"
    text = str(exc).replace("\n", " ").strip()
    return f"{name}: {text}" if text else name


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("PROJEKTBANK_RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("PROJEKTBANK_RETRY_BACKOFF_MAX", 120.0)
        self.retry_after_max = settings.getfloat("PROJEKTBANK_RETRY_AFTER_MAX", 600.0)

    @classmethod
    def from_crawler(cls, crawler):
        mw = super().from_crawler(crawler)
        mw.waits = waits_for(crawler)
        mw.job = JobState.of(crawler)  # None for a spider without a job (bench's `bare`)
        return mw

    def _backoff(self, retry_times: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2 ** max(0, retry_times - 1)))
        return delay * random.uniform(0.75, 1.25)  # noqa: S311

    async def process_request(self, request):
        """Hold the request until its retry time and its host's pause have passed."""
        host = urlparse_cached(request).hostname or ""
        await self.waits.wait_until(request, host, request.meta.get("projektbank_not_before", 0.0))
        return None

    def _retry_later(self, request, reason: str, wait: float | None, stats_reason: str | None = None):
        retry_times = request.meta.get("retry_times", 0) + 1
        max_times = request.meta.get("max_retry_times", self.max_retry_times)
        request.meta["projektbank_last_error"] = reason
        if retry_times > max_times:
            new = self._retry(request, stats_reason or reason)  # logs and counts the give-up
            request.meta["projektbank_gave_up"] = reason
            return new
        if wait is not None and wait > self.retry_after_max:
            self.waits.fatal(f"{request.url} answered {reason} with Retry-After {wait:.0f} s, longer "
                             f"than PROJEKTBANK_RETRY_AFTER_MAX={self.retry_after_max:g} s: the site "
                             f"asks us to stop for now")
            request.meta["projektbank_gave_up"] = f"{reason} with Retry-After {wait:.0f} s"
            return None
        if self.job is not None:
            self.job.report.retry(request.url, reason)
        delay = self._backoff(retry_times) if wait is None else wait
        if wait is not None:
            self.waits.pause_host(urlparse_cached(request).hostname or "", delay)
            self.crawler.stats.inc_value("projektbank/retry_after_waits")
        logger.debug("retrying %s in %.2fs (%s)", request, delay, reason)
        extra = {}  # give_up_log_level exists from Scrapy 2.15 on; pyproject allows 2.14
        if hasattr(self, "give_up_log_level"):
            extra["give_up_log_level"] = self.give_up_log_level
        new = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=stats_reason or reason,
            max_retry_times=max_times,
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            **extra,
        )
        if new is not None:
            new.meta["projektbank_attempts"] = retry_times + 1
            new.meta["projektbank_not_before"] = time.monotonic() + delay
        return new

    def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = _status_message(response.status)
        wait = None
        if response.status in (429, 503):
            wait = parse_retry_after(response.headers.get(b"Retry-After"))
        new = self._retry_later(request, reason, wait)
        return new or response

    def process_exception(self, request, exception):
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        reason = _describe(exception)
        return self._retry_later(request, reason, None, stats_reason=type(exception).__name__)
