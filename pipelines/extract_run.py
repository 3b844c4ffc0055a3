"""Saved pages → DatasetWriter, through the one extraction path (extract.parse_page).

A page that gives no record is listed with a specific reason: `empty file`, `binary`,
`not HTML (PDF)` (or another format), `robots.txt`, `HTTP 404 template` (the site's "not found"
page served with status 200), or `no project block (N known labels)`.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from projektbank.extract import parse_page
from projektbank.pipelines.dataset import DatasetWriter
from projektbank.pipelines.inputs import (
    DEFAULT_LIMITS,
    Limits,
    Page,
    Unreadable,
    safe_text,
    shorten,
)
from projektbank.pipelines.sources import PageFile, find_inputs, is_warc, iter_pages


def extract_page(writer: DatasetWriter, page: Page | Unreadable, *,
                 personal_data: bool = False) -> None:
    """One page (or unreadable input) into the writer: a record or a listed reject. Reasons are
    cut to a sane length and names that are not UTF-8 are escaped."""
    if isinstance(page, Unreadable):
        writer.reject(page.source, page.reason)
        return
    source, url = safe_text(page.source), safe_text(page.url)
    if page.status != 200:
        writer.reject(source, f"HTTP status {page.status}", url=url)
        return
    try:
        ex = parse_page(url, page.body, page.fetched_at, page.headers,
                        personal_data=personal_data)
    except (MemoryError, RecursionError, Exception) as exc:  # a page must never end the run
        writer.reject(source, shorten(f"extraction error: {type(exc).__name__}: {exc}"), url=url)
        return
    if ex.record is None:
        writer.reject(source, shorten(reject_reason(page, ex.reject_reason)), url=url)
    else:
        if page.messages:
            ex.record["validation_messages"] = [*ex.record["validation_messages"], *page.messages]
        writer.add(ex.record)


_NOT_FOUND = re.compile(
    r"kunde\s+inte\s+hittas|hittades\s+inte|finns\s+inte|page\s+not\s+found|\b404\b", re.I)
_TITLES = re.compile(rb"<(title|h1)\b[^>]*>(.*?)</\1\s*>", re.I | re.S)


def reject_reason(page: Page, reason: str | None) -> str:
    """A specific reason for a page that gave no record (parse_page's reason is generic)."""
    from projektbank.pipelines.sources import sniff_format

    body = page.body
    in_file = "://" not in page.source   # a saved file (not a WARC record, not a fetched URL)
    if not body or body.isspace():
        return "empty file" if in_file else "empty body"
    head = body[:4096]
    kind = sniff_format(page.source if in_file else "", head)
    if kind in ("PDF", "image", "Word document", "Excel workbook", "ZIP archive", "Parquet",
                "gzip", "PowerPoint", "OpenDocument text"):
        return f"not HTML ({kind})"
    if b"\x00" in head and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    path = urlsplit(page.url).path if "://" in page.url else page.url
    if path.rstrip("/").lower().endswith("robots.txt") or \
            page.source.replace("\\", "/").lower().endswith("/robots.txt"):
        return "robots.txt"
    if reason and not reason.startswith("no project block"):
        return reason
    for _, text in _TITLES.findall(body[:65536]):
        if _NOT_FOUND.search(re.sub(rb"<[^>]+>", b" ", text).decode("utf-8", "replace")):
            return "HTTP 404 template"
    cut = reason[reason.index("libxml2 stopped"):] if reason and "libxml2 stopped" in reason else ""
    return f"no project block ({known_labels(page)} known labels)" + (f"; {cut}" if cut else "")


def known_labels(page: Page) -> int:
    """Distinct labels of the registry on the page (outside the site chrome)."""
    from projektbank.extract.block import split_label_lines
    from projektbank.extract.decode import content_type, decode
    from projektbank.extract.hits import known_hit
    from projektbank.extract.render import looks_like_html, parse_html, render_html, render_text

    try:
        text, encoding, _ = decode(page.body, page.headers)
        ctype = (content_type(page.headers) or "").lower()
        if "text/plain" in ctype or ("html" not in ctype and not looks_like_html(text)):
            lines = render_text(text)
        else:
            lines = render_html(parse_html(page.body if encoding == "utf-8" else text))
        hits = (known_hit(i, line) for i, line in enumerate(split_label_lines(lines)))
        return len({h.label.text for h in hits if h is not None and h.label is not None})
    except Exception:  # counting is a courtesy: never fail a reject over it
        return 0


def cpu_count() -> int:
    """CPUs this process may run on (the default of `extract --workers`)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# Below this many pages the run stays in this process: starting workers (spawn, imports)
# costs about a second, more than extracting these pages does.
POOL_AFTER_PAGES = 64


def extract_pages(writer: DatasetWriter, paths: Iterable[str], progress: bool = False, *,
                  personal_data: bool = False, limits: Limits = DEFAULT_LIMITS,
                  workers: int = 1) -> None:
    """Every page under `paths` into the writer, in the order they are found. `workers` > 1:
    through the page flow's worker processes (pipelines/page_flow.py), written in the same
    order, so the files are byte-identical to a one-worker run."""
    paths = list(paths)
    pages = iter_pages(paths, limits, deferred=workers > 1)
    if progress:
        from tqdm import tqdm

        inputs = list(find_inputs(paths))
        # a WARC file holds many pages: then the total is unknown (tqdm shows count and rate)
        warcs = any(not isinstance(p, Unreadable) and is_warc(p) for p in inputs)
        pages = tqdm(pages, total=None if warcs else len(inputs), unit="page", desc="extract",
                     dynamic_ncols=True)
    first = list(itertools.islice(pages, POOL_AFTER_PAGES)) if workers > 1 else []
    if workers <= 1 or len(first) < POOL_AFTER_PAGES:
        for page in itertools.chain(first, pages):
            if isinstance(page, PageFile):
                page = page.read()
            extract_page(writer, page, personal_data=personal_data)
        return
    asyncio.run(_through_workers(writer, itertools.chain(first, pages), personal_data, workers))


async def _through_workers(writer: DatasetWriter, pages, personal_data: bool,
                           workers: int) -> None:
    from projektbank.pipelines.page_flow import PageFlow

    # Larger batches than the crawl's: a saved file goes over as its path (PageFile), and a
    # worker's per-batch costs (Arrow rows, pickling) shrink; 8 batches in flight keep both
    # workers busy while results are applied (bench/extract_bench.py: 1.5x → 1.7x on 2 CPUs).
    flow = PageFlow(None, writer, workers=workers, personal_data=personal_data, level=0,
                    batch_pages=128, max_pending=1024)
    try:
        for page in pages:
            if flow.error is not None:   # e.g. a full disk: reading on is pointless
                break
            await flow.offer(page)
        try:
            await flow.drain()
        except RuntimeError:
            if flow.error is not None:   # the writer's own error (OSError: one line, exit 1)
                raise flow.error from None
            raise
    finally:
        flow.close()
