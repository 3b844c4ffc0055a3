"""Page → record. Pure: no Scrapy, no network, no clock except a missing fetched_at."""

from projektbank.extract.version import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION", "Extraction", "parse_page"]


def __getattr__(name: str):
    # parse_page pulls in lxml, the code lists and the gazetteer: loaded when first asked for,
    # so a light submodule (identifiers, schema) and `projektbank --help` stay cheap
    if name in ("Extraction", "parse_page"):
        from projektbank.extract import page

        return getattr(page, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
