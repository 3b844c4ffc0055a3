"""A Scrapy extension for bench/crawl_bench.py: the same clock and CPU meter for both spiders.

Enabled with `-s EXTENSIONS={"crawl_probe.CrawlProbe": 0}` (bench/ on PYTHONPATH) and
`-s BENCH_PROBE_OUT=FILE`. Writes FILE (JSON) when the spider closes:

  open         spider_opened (the pipelines, and the esf extraction pool, are open by then)
  first/last   first and last response_received
  idle         first spider_idle: every request fetched and every item processed
  close        spider_closed, after the other spider_closed handlers (the esf spider's
               handler finishes and publishes the datasets)
  cpu_open, cpu_idle   CPU seconds (user+sys, /proc) at open and idle of this process's main
               thread, its other threads (the WARC writer, if any) and its live child
               processes (the esf extraction workers)
  responses, ok (status 200), items
  engine       sums over responses of the engine state when each arrived: requests being
               downloaded, queued in the scheduler (and how often none was), responses being
               scraped (callback + item pipelines), how often the scraper was full (backout)

With BENCH_PROFILE=FILE the crawl phase (open → idle) is profiled with cProfile (slow; only
to see where the time goes, never for the headline numbers).
"""

from __future__ import annotations

import json
import os
import time

from scrapy import signals

_TICK = os.sysconf("SC_CLK_TCK")


def _stat_cpu(path: str) -> float:
    """user+sys CPU seconds from a /proc/.../stat file (0 when it is gone)."""
    try:
        with open(path, "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def cpu_split() -> dict[str, float]:
    """CPU seconds so far: this process's main thread, its other threads, its live children."""
    pid = os.getpid()
    main = threads = children = 0.0
    kids: set[int] = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        cpu = _stat_cpu(f"/proc/{pid}/task/{tid}/stat")
        if int(tid) == pid:
            main = cpu
        else:
            threads += cpu
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                kids.update(int(k) for k in fh.read().split())
        except OSError:
            pass
    for kid in kids:
        children += _stat_cpu(f"/proc/{kid}/stat")
    return {"main": main, "threads": threads, "children": children}


class CrawlProbe:
    def __init__(self, crawler):
        self.crawler = crawler
        self.out = crawler.settings.get("BENCH_PROBE_OUT")
        self.profile_out = crawler.settings.get("BENCH_PROFILE")
        self.profiler = None
        self.t: dict[str, float] = {}
        self.responses = 0
        self.ok = 0
        self.state = dict.fromkeys(("samples", "downloading", "queued", "queue_empty", "scraping",
                                    "scraper_full"), 0)
        self.items = 0
        cs = crawler.signals
        cs.connect(self.opened, signal=signals.spider_opened)
        cs.connect(self.response, signal=signals.response_received)
        cs.connect(self.item, signal=signals.item_scraped)
        cs.connect(self.idle, signal=signals.spider_idle)
        cs.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider=None):
        self.t["open"] = time.perf_counter()
        self.cpu_open = cpu_split()
        if self.profile_out:
            import cProfile

            self.profiler = cProfile.Profile()
            self.profiler.enable()

    def response(self, response=None, **kwargs):
        now = time.perf_counter()
        if response is not None and response.status == 200:
            self.ok += 1
        if not self.responses:
            self.t["first"] = now
        self.t["last"] = now
        self.responses += 1
        try:  # what the engine looks like when a response arrives (cheap attribute reads)
            engine = self.crawler.engine
            self.state["downloading"] += len(engine.downloader.active)
            sched = engine._slot.scheduler if engine._slot is not None else None
            queued = len(sched) if sched is not None else 0
            self.state["queued"] += queued
            self.state["queue_empty"] += queued == 0
            slot = engine.scraper.slot
            self.state["scraping"] += len(slot.active) + len(slot.queue)
            self.state["scraper_full"] += slot.needs_backout()
            self.state["samples"] += 1
        except Exception:  # another Scrapy version: no engine state
            pass

    def item(self, *args, **kwargs):
        self.items += 1

    def idle(self, spider=None):
        if "idle" not in self.t:
            self.t["idle"] = time.perf_counter()
            self.cpu_idle = cpu_split()
            if self.profiler is not None:
                self.profiler.disable()
                self.profiler.dump_stats(self.profile_out)
                self.profiler = None

    def closed(self, spider=None, reason=None):
        self.t["close"] = time.perf_counter()
        if self.out:
            with open(self.out, "w", encoding="utf-8") as fh:
                json.dump({**self.t, "responses": self.responses, "ok": self.ok, "items": self.items,
                           "engine": self.state,
                           "reason": reason, "cpu_open": self.cpu_open,
                           "cpu_idle": getattr(self, "cpu_idle", None)}, fh)
