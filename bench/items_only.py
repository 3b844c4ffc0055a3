"""The bench's items-only ceiling (bench/crawl_bench.py --ceiling): the esf crawl with an item
pipeline that counts each page item and drops it (no WARC record, no extraction, no dataset).

Plugged in through Scrapy's own seam, `-s ITEM_PIPELINES={"items_only.CountOnlyPipeline": 300}`
(bench/ on PYTHONPATH), in place of the project's PagePipeline. Everything else is the real
crawl: discovery, the spider's detail callback and its item, and Scrapy's item path (spider
middlewares, item pipeline, item_scraped). Its rate over bare's is the most any pipeline can
reach on the machine; the bench turns the run assertions off for it (no records are written).
"""

from __future__ import annotations

from projektbank.crawler.pipelines import PagePipeline


class CountOnlyPipeline(PagePipeline):
    """PagePipeline without the page flow: a fetched page is counted (so the job still knows
    which detail pages this run reached and lists none as lost) and not stored."""

    async def process_item(self, item):
        if isinstance(item, dict) and item.get("kind") == "page" and not item.get("reused"):
            self.state.report.count_page(item)  # the job state's accounting, as add_page does
            self.crawler.stats.inc_value("projektbank/pages")
            return {"url": item["url"], "status": item["status"]}
        return await super().process_item(item)
