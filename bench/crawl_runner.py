"""Child process of bench/crawl_bench.py: one crawl, then exit.

    python bench/crawl_runner.py esf  [projektbank crawl arguments]
    python bench/crawl_runner.py bare URLS.json SETTINGS.json

`esf` runs `projektbank crawl` unchanged; a contender that changes the crawl (the items-only
ceiling, a proposed pipeline) does it through Scrapy settings given with -s (ITEM_PIPELINES=…,
with bench/ on PYTHONPATH), never by patching code. `bare` runs a spider that requests the
given URLs and does nothing with the responses, under the project's Scrapy settings with the
item pipelines off (the same scheduler, middlewares, headers and concurrency as `esf`) plus
the settings in SETTINGS.json (the same ones the bench passes to `esf` with -s).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_esf(argv: list[str]) -> int:
    from projektbank.crawler.cli import main

    return main(["crawl", *argv])


def run_bare(urls_file: str, settings_file: str) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "projektbank.crawler.settings")
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    urls = json.loads(Path(urls_file).read_text(encoding="utf-8"))
    settings = get_project_settings()
    settings.setdict(json.loads(Path(settings_file).read_text(encoding="utf-8")), priority="cmdline")
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")

    import re

    follow = re.compile(rb"""href\s*=\s*["']([^"'<>]+)["']""")

    class Bare(scrapy.Spider):
        """Fetches what the esf spider fetches, discovering it the same way (list pages, their
        pagination and detail links), and does nothing with the pages: no extraction, no
        archive, no dataset. The first URL given is the list's start page."""

        name = "bare"

        async def start(self):
            yield scrapy.Request(urls[0], callback=self.parse)

        def parse(self, response):
            if b"dnr=" in response.url.encode() or "behallare-for-projekt" in response.url.lower():
                return None
            for raw in follow.findall(response.body):
                href = raw.decode("utf-8", "replace").replace("&amp;", "&")
                if "dnr=" in href or "sida=" in href or "ehallare-for-projekt/" in href.lower():
                    yield response.follow(href, callback=self.parse)
            return None

    process = CrawlerProcess(settings)
    process.crawl(Bare)
    process.start()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if sys.argv[1] == "esf":
        sys.exit(run_esf(sys.argv[2:]))
    sys.exit(run_bare(sys.argv[2], sys.argv[3]))
