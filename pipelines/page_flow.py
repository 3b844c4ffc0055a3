"""Pages to the dataset writer (and, in a crawl, to the raw archive), in archive order.

Two callers: the crawl (crawler/pipelines.py: each fetched detail page, as a dict, is archived
and extracted) and `projektbank extract --workers N` (pipelines/extract_run.py: saved pages,
inputs.Page or Unreadable, already archived, are extracted; `offer()` instead of `put()`).

In a crawl, the heavy work of a page runs in worker processes, so the Scrapy thread only fetches: its WARC
record (sha256, gzip: pipelines.warc.response_member), then the one extraction
path shared with `projektbank extract` (pipelines.extract_run.extract_page: parse_page), the
record's validation and its conversion to Arrow. Pages go over in batches: one task, one
pickle and one pipe write per batch, not per page, which is what keeps the hand-off cheap.

Results are applied in the order the pages were handed over, whatever order the workers finish
in: the batch's WARC records are appended to DIR/raw in one write, then the writer gets its
rejects and rows. So the writer sees the pages in the order DIR/raw holds them, as
`projektbank extract DIR/raw` does (the same de-duplication ties, the same rejects order).

A unit is a batch of new pages, or one reused page (fetch less: its previous record is copied;
its previous row is reused, or the copy is extracted again). put() returns when the page is
written, so Scrapy counts it in flight until then: its scraper's back-pressure
(SCRAPER_SLOT_MAX_ACTIVE_SIZE) bounds the pages in the flow, and the spider is idle only when
every page is written. MAX_PENDING caps the pages handed over in any case.
Without workers (PROJEKTBANK_EXTRACT_WORKERS=0, or a reactor without asyncio) each unit is
processed at once in the crawl process, by the same function.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass

from projektbank.pipelines.inputs import shorten

logger = logging.getLogger(__name__)


def worker_count(setting) -> int:
    """PROJEKTBANK_EXTRACT_WORKERS: -1 (auto: one per spare CPU, at most 4) or a number."""
    n = int(setting if setting is not None else -1)
    if n < 0:
        n = min(4, (os.cpu_count() or 1) - 1)
    return max(0, n)


# --- in a worker process ------------------------------------------------------------------
@dataclass
class UnitResult:
    members: bytes        # the unit's new WARC records (gzip members), in page order
    calls: list           # writer calls (rejects), in page order
    rows: object          # pipelines.dataset.PreparedRows of the valid records, or None
    errors: list[str]     # unexpected failures, for the log (the pages are listed as rejects)


class _Recorder:
    """Stands in for the DatasetWriter in a worker: validates each record as
    DatasetWriter.add() does; rejects are replayed, valid records become the unit's rows."""

    def __init__(self):
        self.calls: list[tuple[str, tuple, dict]] = []
        self.records: list[dict] = []

    def add(self, record: dict) -> bool:
        from projektbank.pipelines.validate import validate_record

        problems = validate_record(record)
        if problems:
            self.calls.append(("reject_invalid", (record.get("source_url") or "?", problems), {}))
            return False
        self.records.append(record)
        return True

    def reject(self, source: str, reason: str, **details) -> None:
        self.calls.append(("reject", (source, reason), details))


def process_pages(pages: list, personal_data: bool, level: int) -> UnitResult:
    """Each page's WARC record (unless it is already archived) and its extraction. A page is
    a crawl's dict, or a saved sources.Page / Unreadable (extracted as it is)."""
    from projektbank.pipelines.extract_run import extract_page
    from projektbank.pipelines.inputs import Page
    from projektbank.pipelines.sources import PageFile
    from projektbank.pipelines.warc import REQUESTED_HEADER, response_member

    members: list[bytes] = []
    recorder = _Recorder()
    errors: list[str] = []
    for p in pages:
        if not isinstance(p, dict):
            if isinstance(p, PageFile):   # read here: reading a file costs as much as parsing
                p = p.read()
            extract_page(recorder, p, personal_data=personal_data)
            continue
        headers = p["headers"]
        if not p.get("archived"):
            try:
                _sha, headers, member = response_member(
                    p["url"], p["status"], headers, p["body"], p["fetched_at"], level=level,
                    extra={REQUESTED_HEADER: p.get("requested_url") or p["url"]})
            except Exception as exc:  # never seen; the page is then listed, not lost silently
                errors.append(f"archiving {p['url']} failed: {type(exc).__name__}: {exc}")
                recorder.reject(p["url"], shorten(f"archive error: {type(exc).__name__}: {exc}"),
                                url=p["url"])
                continue
            members.append(member)
        extract_page(recorder, Page(source=p["url"], url=p["url"], body=p["body"],
                                    fetched_at=p["fetched_at"], headers=dict(headers),
                                    status=p["status"]), personal_data=personal_data)
    rows = _prepare(recorder, errors) if recorder.records else None
    return UnitResult(b"".join(members), recorder.calls, rows, errors)


def _prepare(recorder: _Recorder, errors: list[str]):
    """The valid records as Arrow rows; a record Arrow refuses is listed as invalid (one bad
    record must not cost the batch)."""
    from projektbank.pipelines.dataset import prepare_rows

    try:
        return prepare_rows(recorder.records)
    except Exception:  # find the record(s) at fault
        good = []
        for record in recorder.records:
            try:
                prepare_rows([record])
                good.append(record)
            except Exception as exc:
                url = record.get("source_url") or "?"
                errors.append(f"{url}: not convertible to the dataset schema: {exc}")
                recorder.calls.append(("reject_invalid", (url, [f"arrow: {exc}"]), {}))
        return prepare_rows(good) if good else None


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:  # the crawl died (e.g. SIGKILL): do not linger
            os._exit(0)


def _init_worker() -> None:
    import signal
    import threading

    # Ctrl-C and a service manager's SIGTERM reach the whole process group: the crawl shuts
    # down gracefully and still needs its workers for the pages in flight (close() ends them)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    _warm_worker()


def _warm_worker() -> None:
    import projektbank.extract.page  # noqa: F401 - parse_page and what it loads (lxml, code lists)
    import projektbank.pipelines.dataset  # noqa: F401
    import projektbank.pipelines.extract_run  # noqa: F401
    import projektbank.pipelines.warc  # noqa: F401


# --- in the crawl process -----------------------------------------------------------------
class PageFlow:
    """Hands pages to the workers in batches and applies the results in archive order."""

    BATCH_PAGES = 32        # a batch goes when it has this many pages …
    BATCH_SECONDS = 0.02    # … or this long after its first page
    MAX_PENDING = 256       # pages handed over and not yet applied (256 × 70 KB: 18 MB)
    BODY_WEIGHT = 4         # offer(): a page with its body counts as 4 (see there)

    def __init__(self, archive, writer, *, workers: int, personal_data: bool, level: int,
                 on_error=None, batch_pages: int | None = None, max_pending: int | None = None):
        if batch_pages is not None:
            self.BATCH_PAGES = batch_pages
        if max_pending is not None:
            self.MAX_PENDING = max_pending
        # a batch never waits for more pages than may be pending (offer() has no timer)
        self.BATCH_PAGES = max(1, min(self.BATCH_PAGES, self.MAX_PENDING))
        self.archive = archive
        self.writer = writer
        self.on_error = on_error   # called once, with the first write error
        self.personal_data = personal_data
        self.level = level
        self.pool = _start_pool(workers)
        self.error: BaseException | None = None
        self._batch: list[dict] = []
        self._waiters: list[asyncio.Future] = []   # one per page of the open batch
        self._timer = None
        self._slots: asyncio.Semaphore | None = None   # made inside the running loop
        self._tasks: set = set()
        self._order_next = 0
        self._apply_next = 0
        self._done: dict[int, tuple] = {}

    # --- in --------------------------------------------------------------------------------
    async def put(self, page: dict) -> None:
        """A new page (url, requested_url, status, headers, body, fetched_at); returns when
        it is written."""
        await self._slot()
        loop = asyncio.get_running_loop()
        written = loop.create_future()
        self._batch.append(page)
        self._waiters.append(written)
        if self.pool is None or len(self._batch) >= self.BATCH_PAGES:
            self._submit_batch()
        elif self._timer is None:
            self._timer = loop.call_later(self.BATCH_SECONDS, self._submit_batch)
        await written

    async def offer(self, page) -> None:
        """A saved page (sources.PageFile, Page or Unreadable) for `extract`: returns once it
        is handed over (a slot is free), not when it is written; drain() waits for the writes.
        A page read here (a WARC record) holds its body: it counts BODY_WEIGHT times against
        MAX_PENDING and BATCH_PAGES, a file still to be read (PageFile) once."""
        weight = self.BODY_WEIGHT if getattr(page, "body", None) else 1
        for _ in range(weight):
            await self._slot()
        self._batch.append(page)
        self._waiters.extend([None] * weight)   # one slot released per entry
        if self.pool is None or len(self._waiters) >= self.BATCH_PAGES:
            self._submit_batch()
            await asyncio.sleep(0)   # let finished batches reach the writer between reads

    async def put_reused(self, copied: bytes, row: dict | None, page: dict) -> None:
        """A reused page: its copied record (+ metadata record), then its previous row, or,
        when there is none, the copy extracted again."""
        await self._slot()
        written = asyncio.get_running_loop().create_future()
        self._submit_batch()  # the open batch was handed over first: it goes first
        if row is not None:
            self._complete(self._take_order(), copied, [written],
                           UnitResult(b"", [("add", (row,), {})], None, []))
        else:
            self._submit([{**page, "archived": True}], copied, [written])
        await written

    async def drain(self) -> None:
        """Hand over the open batch and wait until every page is applied."""
        self._submit_batch()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._done:  # cannot happen: every order is taken by a unit that completes
            raise RuntimeError(f"{len(self._done)} page units never reached the writer")
        if self.error is not None:
            raise RuntimeError(f"writing a page failed: {self.error}") from self.error

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for written in self._waiters:  # an open batch at an abrupt end: nobody waits on it now
            if written is not None and not written.done():
                written.cancel()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def kill(self) -> None:
        """End the workers now (a hard stop): their pages are lost, as after a SIGKILL, and a
        resume fetches them again. Shut down fully so no semaphore outlives the process."""
        if self.pool is None:
            return
        for proc in list(getattr(self.pool, "_processes", {}).values()):
            proc.terminate()
        try:
            self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            self.pool = None
            import gc

            gc.collect()  # the pool's queues unlink their semaphores when collected

    # --- hand-off --------------------------------------------------------------------------
    async def _slot(self) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.MAX_PENDING)
        await self._slots.acquire()

    def _take_order(self) -> int:
        order = self._order_next
        self._order_next += 1
        return order

    def _submit_batch(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._batch:
            pages, self._batch = self._batch, []
            waiters, self._waiters = self._waiters, []
            self._submit(pages, b"", waiters)

    def _submit(self, pages: list[dict], copied: bytes, waiters: list) -> None:
        """Every unit that takes an order completes (else the later ones wait forever)."""
        order = self._take_order()
        future = None
        if self.pool is not None:
            try:
                future = self.pool.submit(process_pages, pages, self.personal_data, self.level)
            except Exception as exc:  # a broken or shut-down pool: no workers from now on
                self._lose_pool(exc)
        if future is None:
            self._complete(order, copied, waiters, self._process_here(pages))
            return
        task = asyncio.ensure_future(self._await(order, copied, pages, waiters, future))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _await(self, order: int, copied: bytes, pages: list[dict], waiters: list,
                     future) -> None:
        from concurrent.futures.process import BrokenProcessPool

        result = None
        try:
            result = await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            self._lose_pool(exc)
        except BaseException as exc:  # the worker's function failed as a whole: redo it here
            logger.warning("a worker failed on %d pages (%r); processing them here", len(pages), exc)
        finally:
            if result is None:
                result = self._process_here(pages)
            self._complete(order, copied, waiters, result)

    def _lose_pool(self, exc: BaseException) -> None:
        if self.pool is not None:
            logger.warning("extraction workers unusable (%r); processing pages in the crawl "
                           "process", exc)
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def _process_here(self, pages: list) -> UnitResult:
        """The unit in this process; should even that fail, each page is listed as a reject
        (never lost silently, never left without a result)."""
        try:
            return process_pages(pages, self.personal_data, self.level)
        except Exception as exc:
            reason = shorten(f"processing error: {type(exc).__name__}: {exc}")
            logger.exception("processing %d pages failed", len(pages))
            return UnitResult(b"", [_reject_call(p, reason) for p in pages], None, [])

    # --- out, in archive order -------------------------------------------------------------
    def _complete(self, order: int, copied: bytes, waiters: list, result: UnitResult) -> None:
        self._done[order] = (copied, waiters, result)
        while self._apply_next in self._done:
            copied, waiters, result = self._done.pop(self._apply_next)
            self._apply_next += 1
            try:
                self._apply(copied, result)
            except Exception as exc:  # e.g. a full disk: the run must fail, not hang
                logger.exception("writing pages failed")
                if self.error is None:
                    self.error = exc
                    if self.on_error is not None:
                        self.on_error(exc)
            finally:
                for written in waiters:
                    if self._slots is not None:
                        self._slots.release()
                    if written is not None and not written.done():
                        written.set_result(None)

    def _apply(self, copied: bytes, result: UnitResult) -> None:
        for message in result.errors:
            logger.error("%s", message)
        if copied or result.members:   # only a crawl's pages have records to archive
            self.archive.append(copied + result.members)
        for name, args, kwargs in result.calls:
            getattr(self.writer, name)(*args, **kwargs)
        if result.rows is not None:
            self.writer.add_rows(result.rows)


def _reject_call(page, reason: str) -> tuple:
    if isinstance(page, dict):
        return ("reject", (page["url"], reason), {"url": page["url"]})
    return ("reject", (page.source, reason), {})


def _start_pool(n: int):
    """Worker processes (spawned: no state copied from the caller), warmed up; None for none.
    The flow awaits the workers' futures on the asyncio loop: a crawl under another Twisted
    reactor asks for none (crawler/pipelines.py)."""
    if n == 0:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, wait

    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)
    done, _ = wait([pool.submit(_warm_worker) for _ in range(n)])
    failed = [f.exception() for f in done if f.exception() is not None]
    if failed:
        logger.warning("extraction workers did not start (%r); extracting in this process",
                       failed[0])
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return pool
