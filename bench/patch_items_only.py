"""--esf-patch for bench/crawl_bench.py (its --ceiling): the esf crawl with a pipeline that
counts each page item and drops it (no WARC record, no extraction, no dataset).

Everything else is the real crawl: discovery, the spider's detail callback and its item, and
Scrapy's item path (spider middlewares, item pipeline, item_scraped). Its rate over bare's is
the most any pipeline can reach on the machine; the run assertions are off for it.
"""

from projektbank.crawler.pipelines import PagePipeline


async def _count_only(self, item):
    self.state.report.count_page(item)


PagePipeline.add_page = _count_only
