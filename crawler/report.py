"""crawl_report.json and the run assertions.

The report (one JSON object, written atomically to DIR/crawl_report.json at the end of a run,
by crawler/report_file.py; statuses and exit codes: crawler/outcomes.py):
  status            published      the datasets were published (exit 0)
                    finished       a --limit sample was written to its own folder (exit 0)
                    assertions_failed  a run assertion failed (--min-records, --min-fill,
                                   --max-failures): nothing published (exit 1)
                    history_refused  the crawl date is older than the history (exit 1)
                    interrupted    stopped by a signal (exit 130); --resume continues
                    error          could not run, stalled, the site asked us to stop, or a
                                   write failed: nothing published (exit 1); --resume continues
  reason            one line, when not published
  run_id, job_id, start, end, duration_s, start_urls, out
  list_pages, detail_pages, records, rejects, duplicates
  failures          [{url, kind, reason, attempts}] every URL that finally failed
  disallowed        [{url, kind}] URLs robots.txt forbade (never requested)
  retries           {count, reasons{…}, urls[…]}
  unknown_labels    {label: count}
  fill_rate         {column: 0..1}
  requests, response_bytes, status_counts, counters{…}, segments[…] (resumed jobs)
  conditional       fetching less (this run): {enabled, previous_pages (project pages in
                    DIR/raw-previous), with_previous (detail requests for them), sent (with
                    If-None-Match/If-Modified-Since), not_modified (304), unchanged_hash (200,
                    same sha256), changed, reused_pages (= not_modified + unchanged_hash; their
                    previous WARC records copied), reused_records (rows reused, not extracted),
                    reextracted (reused pages extracted again: no matching row), refetched
                    (previous record unreadable), bytes_saved (bodies not downloaded: 304s)}
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit

from projektbank.crawler.urls import canonical_detail_url, is_detail_url
from projektbank.pipelines.inputs import safe_text, shorten


def iso(ts: float) -> str:
    """A POSIX time as the report writes it: UTC, seconds, `Z`."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def check_assertions(summary, min_records: int, min_fill: dict[str, float]) -> list[str]:
    """One message per failed assertion (empty: the run may publish)."""
    problems = []
    if summary.records < min_records:
        problems.append(f"{summary.records} records, fewer than the minimum {min_records}")
    for column, minimum in sorted(min_fill.items()):
        rate = summary.fill_rate.get(column)
        if rate is None:
            problems.append(f"unknown column in a fill-rate assertion: {column}")
        elif rate < minimum:
            problems.append(f"fill rate of {column} is {rate:.2f}, below {minimum:.2f}")
    return problems


def parse_max_failures(value) -> int | float:
    """--max-failures: a whole number of pages ("3"), or a fraction ("0.05", "5%")."""
    text = str(value).strip()
    try:
        if text.endswith("%"):
            frac = float(text[:-1]) / 100
        elif re.fullmatch(r"\d+", text):
            return int(text)
        else:
            frac = float(text)
    except ValueError:
        raise ValueError(f"--max-failures {value}: not a number of pages (3), a fraction (0.05) "
                         f"or a percentage (5%)") from None
    if not 0 <= frac <= 1:
        raise ValueError(f"--max-failures {value}: a fraction must be between 0 and 1")
    return frac


_CAUSES = (("ConnectionRefused", "connection refused"), ("DNSLookupError", "DNS lookup failed"),
           ("CannotResolveHost", "DNS lookup failed"), ("DNS lookup failed", "DNS lookup failed"),
           ("NoRouteError", "no route to host"), ("TCPTimedOut", "connection timed out"),
           ("TimeoutError", "timed out"), ("SSLError", "TLS error"),
           ("ConnectionLost", "connection lost"), ("ResponseNeverReceived", "no response"),
           ("ConnectionDone", "connection closed"))


def describe_cause(reason: str) -> str:
    """A failure reason in an operator's words: "connection refused", "HTTP 403", …"""
    text = reason or "unknown error"
    m = re.match(r"HTTP (\d{3})", text)
    if m:
        return f"HTTP {m.group(1)}"
    for needle, words in _CAUSES:
        if needle.lower() in text.lower():
            return words
    return text


def parse_min_fill(values) -> dict[str, float]:
    """`COL=FRAC` items (a list, or one comma/whitespace-separated string) → {col: frac}."""
    if not values:
        return {}
    if isinstance(values, dict):
        return {str(k): float(v) for k, v in values.items()}
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    out = {}
    for item in values:
        name, sep, frac = str(item).partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--min-fill expects COLUMN=FRACTION, got {item!r}")
        try:
            value = float(frac.rstrip("%")) / 100 if frac.endswith("%") else float(frac)
        except ValueError:
            raise ValueError(f"--min-fill {item}: not a fraction (0.8) or a percentage (80%)") from None
        if not 0 <= value <= 1:
            raise ValueError(f"--min-fill fraction out of range: {item!r}")
        out[name.strip()] = value
    return out


def key_columns() -> list[str]:
    from projektbank.extract.schema import COLUMNS

    return [c.name for c in COLUMNS if c.key]


DEFAULT_MAX_FAILURES = 0.05    # --max-failures default: 5 % of the pages tried …
DEFAULT_MAX_FAILED_PAGES = 5   # … or this many pages, whichever is more
CONDITIONAL_COUNTERS = ("with_previous", "sent", "not_modified", "unchanged_hash", "changed",
                        "reused_pages", "reused_records", "reextracted", "refetched", "bytes_saved")


def _canonical(url: str) -> str | None:
    try:
        return canonical_detail_url(url) if is_detail_url(url) else None
    except ValueError:
        return None


def _path_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


class CrawlReport:
    """What happened during one crawl run, and to which pages of its job: counters, failures,
    disallowed URLs, retries, the detail pages archived (by earlier runs of the job and by
    this one), fetching less. The spider, the middlewares and the pipeline write here; the
    job state (crawler/job_state.py) reads it at the end."""

    MAX_LISTED = 10000

    def __init__(self):
        self.counters: Counter = Counter()
        self.failures: dict[str, dict] = {}
        self.disallowed: dict[str, dict] = {}
        self.retried: dict[str, str] = {}
        self.sources: Counter = Counter()
        self.failure_log = None   # a line-buffered file in JOBDIR (kept across runs)
        self.archived: set[str] = set()           # canonical URLs in DIR/raw from earlier runs
        self.prior_failures: dict[str, dict] = {}  # … and what finally failed in them
        self.archived_this_run: set[str] = set()
        self.pages_this_run = 0
        self.redirected: set[str] = set()  # canonical detail URLs that redirected to a page we got
        self.fetch_less: Counter = Counter()       # CONDITIONAL_COUNTERS
        self.previous_pages = 0                    # project pages in DIR/raw-previous

    # --- pages -----------------------------------------------------------------------------
    def count_page(self, item: dict) -> None:
        """A detail page handed to the writer (fetched, or reused)."""
        self.pages_this_run += 1
        for u in (item["url"], item.get("requested_url")):
            if u and is_detail_url(u):
                self.archived_this_run.add(canonical_detail_url(u))

    def note_redirects(self, urls) -> None:
        """The URLs a fetched page was redirected from (Scrapy's `redirect_urls`)."""
        for u in urls or ():
            c = _canonical(u)
            if c is not None:
                self.redirected.add(c)

    def all_archived(self) -> set[str]:
        return self.archived | self.archived_this_run

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] += n

    def discovered(self, url: str, source: str) -> None:
        self.sources[source] += 1

    def fail(self, url: str, kind: str, reason: str, attempts: int = 1) -> None:
        # cut as extract's reject reasons are: an exception's text can be a whole page
        entry = {"url": url, "kind": kind, "reason": shorten(safe_text(str(reason))),
                 "attempts": attempts}
        self.failures[url] = entry
        if self.failure_log is not None:
            self.failure_log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.failure_log.flush()

    def robots_forbidden(self, url: str, kind: str) -> None:
        self.disallowed[url] = {"url": url, "kind": kind}

    def retry(self, url: str, reason: str) -> None:
        if len(self.retried) < self.MAX_LISTED:
            self.retried[url] = reason

    # --- at the end of the run -----------------------------------------------------------
    def final_failures(self) -> list[dict]:
        """Every URL that finally failed in this job (a page archived since is not one)."""
        archived = self.all_archived()
        failures = {**self.prior_failures, **self.failures}
        return [f for u, f in sorted(failures.items())
                if not (is_detail_url(u) and canonical_detail_url(u) in archived)]

    def failure_assertion(self, limit) -> list[str]:
        """--max-failures: N pages, or a fraction of the list and detail pages tried."""
        failed = [f for f in self.final_failures() if f.get("kind") in ("detail", "list")]
        tried = len(self.all_archived()) + len(failed) + self.counters["list_pages"]
        if limit is None:  # the default
            allowed = max(DEFAULT_MAX_FAILED_PAGES, int(DEFAULT_MAX_FAILURES * tried))
            if len(failed) > allowed:
                return [f"{len(failed)} of {tried} pages failed ({len(failed) / tried:.0%}), more "
                        f"than the default --max-failures ({DEFAULT_MAX_FAILURES:.0%}, at least "
                        f"{DEFAULT_MAX_FAILED_PAGES} pages)"]
        elif isinstance(limit, int):
            if len(failed) > limit:
                return [f"{len(failed)} pages failed, more than --max-failures {limit}"]
        elif tried and len(failed) > limit * tried:
            return [f"{len(failed)} of {tried} pages failed ({len(failed) / tried:.0%}), more than "
                    f"--max-failures {limit:g}"]
        return []

    def unreachable_start(self, start_urls: list[str]) -> str | None:
        """Nothing fetched and a start URL failed: the one-line cause (connection refused, …)."""
        if self.pages_this_run + len(self.archived):
            return None
        failures = {f["url"]: f for f in self.final_failures()}
        for url in start_urls:
            f = failures.get(url) or next((v for u, v in failures.items()
                                           if u.rstrip("/") == url.rstrip("/")), None)
            if f is not None:
                return f"cannot crawl {url}: {describe_cause(f['reason'])}"
        return None

    def list_lost(self, requested: set[str]) -> None:
        """A finished crawl: every detail URL it requested is archived, failed, or forbidden by
        robots.txt; one that ended otherwise (redirected off-site, a redirect loop that the
        duplicate filter ended, …) is listed as a failure, never lost silently."""
        archived = self.all_archived() | self.redirected
        accounted = {_canonical(u) or u for u in [*self.failures, *self.prior_failures,
                                                   *self.disallowed]}
        for url in sorted(set(requested) - archived - accounted):
            self.fail(url, "detail", "no page: the request ended without a response "
                      "(redirected off-site, a redirect loop, or filtered)")

    def unfetched(self, requested: set[str]):
        """Detail pages this crawl found linked but did not archive (failed, or not reached):
        their previous rows stay in the latest view (Run.finish). None when there are none."""
        archived = self.all_archived() | self.redirected
        # by path and query: the previous row may have been fetched under another host name
        missing = {_path_query(u) for u in set(requested) - archived}
        if not missing:
            return None

        def unfetched(url: str) -> bool:
            c = _canonical(url)
            return c is not None and _path_query(c) in missing
        return unfetched
