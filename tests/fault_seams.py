"""Faults that no HTTP server can produce, plugged into a crawl through Scrapy settings.

`HangForever` (a downloader middleware): a request whose URL contains the setting
`TEST_HANG_URL_PART` never reaches the network and never completes — like a request stuck in a
queue that is never sent (a Scrapy download slot scheduled decades ahead once did this). Only the
crawl's stall watchdog can end such a crawl. Used with
`-S DOWNLOADER_MIDDLEWARES={"tests.fault_seams.HangForever": 1}` (settings merge with the project's)
and `-S TEST_HANG_URL_PART=...`.
"""

from __future__ import annotations

from twisted.internet import defer


class HangForever:
    def __init__(self, part: str):
        self.part = part
        self.stuck: list[defer.Deferred] = []  # referenced: a collected one would end its task

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("TEST_HANG_URL_PART") or "\0")

    def process_request(self, request):
        if self.part in request.url:
            self.stuck.append(defer.Deferred())  # never fires
            return self.stuck[-1]
        return None
