"""Saved pages → DatasetWriter, through the one extraction path (extract.parse_page)."""

from __future__ import annotations

from collections.abc import Iterable

from extract import parse_page
from pipelines.dataset import DatasetWriter, RunSummary
from pipelines.sources import Page, Unreadable, find_inputs, is_warc, iter_pages


def extract_page(writer: DatasetWriter, page: Page | Unreadable, *,
                 personal_data: bool = False) -> None:
    """One page (or unreadable input) into the writer: a record or a listed reject."""
    if isinstance(page, Unreadable):
        writer.reject(page.source, page.reason)
        return
    if page.status != 200:
        writer.reject(page.source, f"HTTP status {page.status}", url=page.url)
        return
    try:
        ex = parse_page(page.url, page.body, page.fetched_at, page.headers,
                        personal_data=personal_data)
    except Exception as exc:  # a page must never end the run; list it with the error
        writer.reject(page.source, f"extraction error: {type(exc).__name__}: {exc}",
                      url=page.url)
        return
    if ex.record is None:
        writer.reject(page.source, ex.reject_reason or "no record", url=page.url)
    else:
        writer.add(ex.record)


def extract_to(writer: DatasetWriter, paths: Iterable[str], progress: bool = False, *,
               personal_data: bool = False) -> RunSummary:
    paths = list(paths)
    pages = iter_pages(paths)
    if progress:
        from tqdm import tqdm

        inputs = list(find_inputs(paths))
        # a WARC file holds many pages: then the total is unknown (tqdm shows count and rate)
        warcs = any(not isinstance(p, Unreadable) and is_warc(p) for p in inputs)
        pages = tqdm(pages, total=None if warcs else len(inputs), unit="page", desc="extract",
                     dynamic_ncols=True)
    for page in pages:
        extract_page(writer, page, personal_data=personal_data)
    return writer.finish()
