"""Faults that no HTTP server can produce, plugged into a crawl through Scrapy settings.

`FullDiskArchive` (the raw archive, `-s PROJEKTBANK_RAW_ARCHIVE_CLASS=tests.fault_seams.FullDiskArchive`):
its third append fails as on a full disk (ENOSPC); with `-s PROJEKTBANK_FLOW_BATCH_PAGES=1` each
page is one append, so the third page cannot be written.

`HangForever` (a downloader middleware): a request whose URL contains the setting
`TEST_HANG_URL_PART` never reaches the network and never completes — like a request stuck in a
queue that is never sent (a Scrapy download slot scheduled decades ahead once did this). Only the
crawl's stall watchdog can end such a crawl. Used with
`-S DOWNLOADER_MIDDLEWARES={"tests.fault_seams.HangForever": 1}` (settings merge with the project's)
and `-S TEST_HANG_URL_PART=...`.
"""

from __future__ import annotations

import errno
import os

from projektbank.pipelines.warc import RawArchive
from twisted.internet import defer


class FullDiskArchive(RawArchive):
    FAIL_AT = 3   # the append that fails

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.appends = 0

    def append(self, members: bytes) -> None:
        self.appends += 1
        if self.appends == self.FAIL_AT:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        super().append(members)


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
