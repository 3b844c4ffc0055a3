"""The waits the crawl itself schedules: retry backoffs and host pauses (Retry-After).

One `Waits` per crawler (`waits_for(crawler)`), shared by the retry middleware, which waits
here, and the crawl guard (crawler/guard.py), which reads it: the longest scheduled wait is part
of the stall bound, the waiting URLs are named when a crawl stalls, and every wait is cancelled
at once when the crawl stops (its request ends with `CrawlStopping`, which is not a failure:
a resumed job fetches the page).

Times are `time.monotonic()` seconds: wall-clock jumps (NTP, a suspended laptop) never stretch
or skip a wait.
"""

from __future__ import annotations

import time
import weakref

from scrapy.exceptions import IgnoreRequest


class CrawlStopping(IgnoreRequest):
    """A request given up because the crawl is stopping (not a failure of the page)."""


class Waits:
    def __init__(self):
        self.host_until: dict[str, float] = {}
        self._sleeping: dict[int, tuple] = {}   # id → (deferred, delayed call, until, url)
        self.stopping = False
        self.last_activity = time.monotonic()
        self.on_fatal = None                     # set by the crawl guard: stop the crawl

    def touch(self) -> None:
        """Something happened (a response, a failure, a wait ended): not stalled."""
        self.last_activity = time.monotonic()

    def pause_host(self, host: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        if until > self.host_until.get(host, 0.0):
            self.host_until[host] = until

    async def wait_until(self, request, host: str, not_before: float) -> None:
        """Return when *not_before* and the host's pause have passed (a pause may be extended
        while we sleep); raise CrawlStopping when the crawl stops meanwhile."""
        while True:
            if self.stopping:
                raise CrawlStopping("the crawl is stopping")
            until = max(not_before, self.host_until.get(host, 0.0))
            remaining = until - time.monotonic()
            if remaining <= 0:
                return
            await self._sleep(remaining, until, request.url)
            self.touch()

    async def _sleep(self, seconds: float, until: float, url: str) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import defer, reactor

        d: defer.Deferred = defer.Deferred()
        call = reactor.callLater(seconds, lambda: d.called or d.callback(None))
        key = id(d)
        self._sleeping[key] = (d, call, until, url)
        try:
            await maybe_deferred_to_future(d)
        finally:
            self._sleeping.pop(key, None)
            if call.active():
                call.cancel()

    def latest_end(self) -> float:
        """When the longest wait scheduled now ends (0 when nothing waits)."""
        return max((entry[2] for entry in self._sleeping.values()), default=0.0)

    def waiting_urls(self) -> list[str]:
        return [entry[3] for entry in self._sleeping.values()]

    def cancel_all(self) -> None:
        """The crawl stops: every waiting request ends now (CrawlStopping)."""
        self.stopping = True
        for d, call, _until, _url in list(self._sleeping.values()):
            if call.active():
                call.cancel()
            if not d.called:
                d.errback(CrawlStopping("the crawl is stopping"))

    def fatal(self, reason: str) -> None:
        """A condition that must end the crawl (e.g. a Retry-After over the cap)."""
        if self.on_fatal is not None:
            self.on_fatal(reason)


_BY_CRAWLER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def waits_for(crawler) -> Waits:
    waits = _BY_CRAWLER.get(crawler)
    if waits is None:
        waits = _BY_CRAWLER[crawler] = Waits()
    return waits
