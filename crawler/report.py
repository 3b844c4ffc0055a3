"""crawl_report.json and the run assertions.

The report (one JSON object, written atomically to DIR/crawl_report.json at the end of a run):
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

# the crawl's JSON files (marker, crawl_report.json) go through the one atomic writer
from projektbank.pipelines.atomic import write_json_atomic  # noqa: F401


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


class CrawlReport:
    """What happened during one crawl run (counters, failures, disallowed URLs, retries)."""

    MAX_LISTED = 10000

    def __init__(self):
        self.counters: Counter = Counter()
        self.failures: dict[str, dict] = {}
        self.disallowed: dict[str, dict] = {}
        self.retried: dict[str, str] = {}
        self.sources: Counter = Counter()
        self.failure_log = None   # a line-buffered file in JOBDIR (kept across runs)

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] += n

    def discovered(self, url: str, source: str) -> None:
        self.sources[source] += 1

    def fail(self, url: str, kind: str, reason: str, attempts: int = 1) -> None:
        entry = {"url": url, "kind": kind, "reason": reason, "attempts": attempts}
        self.failures[url] = entry
        if self.failure_log is not None:
            self.failure_log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.failure_log.flush()

    def robots_forbidden(self, url: str, kind: str) -> None:
        self.disallowed[url] = {"url": url, "kind": kind}

    def retry(self, url: str, reason: str) -> None:
        if len(self.retried) < self.MAX_LISTED:
            self.retried[url] = reason
