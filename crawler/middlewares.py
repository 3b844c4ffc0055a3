"""Downloader middleware: retries with exponential backoff; 429/503 honour `Retry-After`.

Replaces Scrapy's RetryMiddleware (same settings: RETRY_TIMES, RETRY_HTTP_CODES,
RETRY_EXCEPTIONS) and adds:

* a wait before each retry: `PROJEKTBANK_RETRY_BACKOFF_BASE × 2^(n-1)` seconds (±25 % jitter),
  at most `PROJEKTBANK_RETRY_BACKOFF_MAX`;
* on a response with `Retry-After` (seconds or an HTTP date), that wait instead, capped by
  `PROJEKTBANK_RETRY_AFTER_MAX`; the whole host is paused for it too (its download slot), so
  the other queued requests do not run into the same limit;
* `request.meta["projektbank_attempts"]` and, on giving up, `projektbank_gave_up` with the last
  reason, which the spider's errback writes into crawl_report.json.
"""

from __future__ import annotations

import logging
import random
import time
from email.utils import parsedate_to_datetime
from http import HTTPStatus

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.utils.asyncio import sleep

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

    def _backoff(self, retry_times: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2 ** max(0, retry_times - 1)))
        return delay * random.uniform(0.75, 1.25)  # noqa: S311

    def _pause_slot(self, request, seconds: float) -> None:
        """Hold back every request to this host for *seconds* (the download slot's clock)."""
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        if downloader is None:
            return
        key = request.meta.get("download_slot")
        slot = downloader.slots.get(key) if key else None
        if slot is not None:
            slot.lastseen = max(slot.lastseen, time.time() + seconds - slot.delay)

    async def _retry_later(self, request, reason: str, wait: float | None, stats_reason: str | None = None):
        retry_times = request.meta.get("retry_times", 0) + 1
        max_times = request.meta.get("max_retry_times", self.max_retry_times)
        request.meta["projektbank_last_error"] = reason
        if retry_times > max_times:
            new = self._retry(request, stats_reason or reason)  # logs and counts the give-up
            request.meta["projektbank_gave_up"] = reason
            return new
        job = getattr(self.crawler.spider, "job", None)
        if job is not None:
            job.report.retry(request.url, reason)
        delay = self._backoff(retry_times) if wait is None else min(wait, self.retry_after_max)
        if wait is not None:
            self._pause_slot(request, delay)
            self.crawler.stats.inc_value("projektbank/retry_after_waits")
        if delay > 0:
            logger.debug("waiting %.2fs before retrying %s (%s)", delay, request, reason)
            await sleep(delay)
        new = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=stats_reason or reason,
            max_retry_times=max_times,
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=self.give_up_log_level,
        )
        if new is not None:
            new.meta["projektbank_attempts"] = retry_times + 1
        return new

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = _status_message(response.status)
        wait = None
        if response.status in (429, 503):
            wait = parse_retry_after(response.headers.get(b"Retry-After"))
        new = await self._retry_later(request, reason, wait)
        return new or response

    async def process_exception(self, request, exception):
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        reason = _describe(exception)
        new = await self._retry_later(request, reason, None, stats_reason=type(exception).__name__)
        return new
