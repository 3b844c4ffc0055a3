"""The crawl guard (a Scrapy extension): a crawl never hangs and always ends with a status.

* **Stall watchdog.** Every second it compares the time since the last sign of progress (a
  response, a failed request, a wait that ended) with the longest wait the crawl itself may
  take: the end of a scheduled wait (crawler/waits.py), then DOWNLOAD_TIMEOUT plus the
  download delay (AUTOTHROTTLE_MAX_DELAY under AutoThrottle) plus `PROJEKTBANK_STALL_MARGIN`.
  Past that the run stops with status `error` and a reason naming the stall and the URLs in
  flight (resumable with --resume).
* **Signals.** The first SIGINT/SIGTERM says on stderr what the crawl waits for, cancels the
  crawl's own waits and lets Scrapy stop gracefully; a second signal stops at once. Either way
  the run ends with status `interrupted`, exit 130, and crawl_report.json.
* **Bounded stopping.** Any stop (signal, stall, a fatal condition such as a Retry-After over
  the cap) that has not finished within DOWNLOAD_TIMEOUT + `PROJEKTBANK_STOP_GRACE` seconds
  becomes a hard stop: JobState.abort_now writes the report, the job marker (so --resume
  continues) and removes temporary files, then the process exits.

A stop is an Outcome (crawler/outcomes.py: INTERRUPTED, STOPPED_ON_ERROR) with a reason; the
job state (crawler/job_state.py, found with `JobState.of(crawler)`) ends the run with it.

Only public Scrapy seams are used: signals, `engine.close_spider_async`, and the process's
signal handlers as installed (wrapped, not replaced, for the first signal).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

from projektbank.crawler.job_state import JobState
from projektbank.crawler.outcomes import INTERRUPTED, STOPPED_ON_ERROR, Outcome
from projektbank.crawler.waits import waits_for
from scrapy import signals

logger = logging.getLogger(__name__)

STOP_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM) if s is not None)


class CrawlGuard:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.waits = waits_for(crawler)
        self.waits.on_fatal = lambda reason: self.stop(STOPPED_ON_ERROR, reason, "fatal")
        self.timeout = s.getfloat("DOWNLOAD_TIMEOUT", 180.0)
        self.margin = s.getfloat("PROJEKTBANK_STALL_MARGIN", 60.0)
        self.grace = s.getfloat("PROJEKTBANK_STOP_GRACE", 10.0)
        delay = s.getfloat("DOWNLOAD_DELAY", 0.0)
        if s.getbool("RANDOMIZE_DOWNLOAD_DELAY", True):
            delay *= 1.5
        if s.getbool("AUTOTHROTTLE_ENABLED"):
            delay = max(delay, s.getfloat("AUTOTHROTTLE_MAX_DELAY", 60.0))
        self.bound = self.timeout + delay + self.margin
        self.progress = s.getbool("PROJEKTBANK_PROGRESS", False)  # set by `projektbank crawl`
        self.progress_every = s.getfloat("PROJEKTBANK_PROGRESS_INTERVAL", 30.0)
        self._next_progress = time.monotonic() + self.progress_every
        self._started = time.monotonic()
        self.in_flight: dict[int, str] = {}
        self.stopping: tuple[Outcome, str] | None = None
        self.signals_seen = 0
        self._watch = None
        self._hard_timer = None
        self._closed = False
        cs = crawler.signals
        cs.connect(self._opened, signal=signals.spider_opened)
        cs.connect(self._closed_spider, signal=signals.spider_closed)
        cs.connect(self._response, signal=signals.response_received)
        cs.connect(self._reached, signal=signals.request_reached_downloader)
        cs.connect(self._left, signal=signals.request_left_downloader)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # --- progress ----------------------------------------------------------------------
    def _response(self, response, request, spider):
        self.waits.touch()

    def _reached(self, request, spider):
        self.in_flight[id(request)] = request.url

    def _left(self, request, spider):
        self.in_flight.pop(id(request), None)
        self.waits.touch()

    def _opened(self, spider):
        from twisted.internet import reactor, task

        self.waits.touch()
        self._watch = task.LoopingCall(self._check)
        self._watch.start(1.0, now=False)
        reactor.callLater(0, self._wrap_signal_handlers)  # after the process installed its own

    def _closed_spider(self, spider, reason):
        self._closed = True
        if self._watch is not None and self._watch.running:
            self._watch.stop()
        if self._hard_timer is not None and self._hard_timer.active():
            self._hard_timer.cancel()  # the stop ended in time

    def _check(self) -> None:
        if self.stopping is not None or self._closed:
            return
        now = time.monotonic()
        if self.progress and now >= self._next_progress:
            self._next_progress = now + self.progress_every
            self._print_progress(now)
        last = max(self.waits.last_activity, self.waits.latest_end())
        idle = now - last
        if idle <= self.bound:
            return
        urls = sorted(set(self.in_flight.values()) | set(self.waits.waiting_urls())
                      | self._downloader_urls())
        shown = ", ".join(urls[:5]) + (f" and {len(urls) - 5} more" if len(urls) > 5 else "")
        self.stop(STOPPED_ON_ERROR, f"stalled: no response for {idle:.0f} s (the bound is "
                                    f"{self.bound:.0f} s: DOWNLOAD_TIMEOUT + download delay + "
                                    f"PROJEKTBANK_STALL_MARGIN); in flight: {shown or 'nothing'}",
                  "stalled")

    def _downloader_urls(self) -> set[str]:
        """Requests the downloader has accepted (also those still in its middlewares): read
        only, and only to name them; absent in some Scrapy version, it is simply not used."""
        active = getattr(getattr(self.crawler.engine, "downloader", None), "active", None) or ()
        try:
            return {r.url for r in active}
        except Exception:
            return set()

    def _print_progress(self, now: float) -> None:
        job = JobState.of(self.crawler)
        if job is None:
            return
        took = int(now - self._started)
        pages = job.report.pages_this_run + len(job.report.archived)
        print(f"projektbank crawl: {pages:,} project pages, {job.report.counters['list_pages']:,} "
              f"list pages, {len(job.report.failures):,} failed, {len(self.in_flight)} in flight, "
              f"{len(self.waits.waiting_urls())} waiting to retry; {took // 60}m{took % 60:02d}s",
              file=sys.stderr, flush=True)

    # --- stopping ----------------------------------------------------------------------
    def stop(self, outcome: Outcome, reason: str, close_reason: str) -> None:
        """Stop the crawl gracefully, bounded: a hard stop follows if it does not end in time."""
        if self.stopping is not None:
            return
        self.stopping = (outcome, reason)
        job = JobState.of(self.crawler)
        if job is not None:
            job.request_stop(outcome, reason)
        logger.error("stopping the crawl: %s", reason)
        self.waits.cancel_all()
        self._arm_hard_stop()
        if close_reason != "shutdown":
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason=close_reason))

    def _arm_hard_stop(self) -> None:
        from twisted.internet import reactor

        if self._hard_timer is None:
            self._hard_timer = reactor.callLater(self.timeout + self.grace, self.hard_stop)

    def hard_stop(self) -> None:
        job = JobState.of(self.crawler)
        if self._closed and job is not None and job.outcome is not None:
            return  # the run ended meanwhile
        outcome, reason = self.stopping or (INTERRUPTED, "stopped")
        if job is None:
            os._exit(outcome.exit_code)
        job.abort_now(outcome, reason + " (stopped at once)")

    # --- signals -----------------------------------------------------------------------
    def _wrap_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in STOP_SIGNALS:
            previous = signal.getsignal(sig)
            signal.signal(sig, self._make_first_handler(previous))

    def _make_first_handler(self, previous):
        def first(signum, frame):
            from twisted.internet import reactor

            self.signals_seen += 1
            if self.signals_seen > 1:
                return self._second(signum, frame)
            if callable(previous):
                previous(signum, frame)  # Scrapy's graceful shutdown (it installs its kill handler)
            else:  # no process handler (a CrawlerRunner): stop this crawler ourselves
                from scrapy.utils.defer import deferred_from_coro

                reactor.callFromThread(lambda: deferred_from_coro(self.crawler.stop()))
            for sig in STOP_SIGNALS:  # a second signal comes to us, not to Scrapy's kill
                signal.signal(sig, self._second)
            reactor.callFromThread(self._first_signal, signum)
        return first

    def _first_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        waiting = len(self.in_flight)
        print(f"projektbank crawl: {name} received: stopping; waiting for {waiting} page(s) in "
              f"flight (at most {self.timeout + self.grace:.0f} s) and the writer. Send it again "
              f"to stop at once.", file=sys.stderr, flush=True)
        if self.stopping is None:
            self.stopping = (INTERRUPTED, f"stopped by {name}")
            job = JobState.of(self.crawler)
            if job is not None:
                job.request_stop(*self.stopping)
        self.waits.cancel_all()
        self._arm_hard_stop()

    def _second(self, signum, frame):
        from twisted.internet import reactor

        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        name = signal.Signals(signum).name
        if self.stopping is None or self.stopping[0].status != "error":
            self.stopping = (INTERRUPTED, f"stopped by a second {name}")
        # a blocked reactor must not keep the process alive: exit anyway after a moment
        timer = threading.Timer(self.grace, os._exit, (self.stopping[0].exit_code,))
        timer.daemon = True
        timer.start()
        reactor.callFromThread(self.hard_stop)
