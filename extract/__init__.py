"""Page → record. Pure: no Scrapy, no network, no clock except a missing fetched_at."""

from projektbank.extract.page import Extraction, parse_page
from projektbank.extract.version import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION", "Extraction", "parse_page"]
