"""DIR/crawl_report.json: built from the job state at the end of a run (fields: crawler/report.py).

The status and reason come from the run's Outcome (crawler/outcomes.py); an unpublished run's
report is written by JobState.settle, a published one's with its datasets (crawler/run_end.py),
then completed with the fill rates of the published table.
"""

from __future__ import annotations

import json
import logging
import time

from projektbank.crawler.report import (
    CONDITIONAL_COUNTERS,
    DEFAULT_MAX_FAILED_PAGES,
    DEFAULT_MAX_FAILURES,
    CrawlReport,
    iso,
)
from projektbank.pipelines.atomic import write_json_atomic

logger = logging.getLogger(__name__)

REPORTED_SETTINGS = ("USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
                     "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "RETRY_TIMES", "JOBDIR")


def read_rejects(writer) -> list[dict]:
    """The first CrawlReport.MAX_LISTED rejects the writer has listed."""
    path = writer.tmp / "rejects.jsonl"
    out = []
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= CrawlReport.MAX_LISTED:
                    break
                entry = json.loads(line)
                out.append({"url": entry.get("url") or entry.get("source"),
                            "reason": entry.get("reason")})
    return out


def _summary_fields(summary) -> dict:
    if summary is None:
        return {"records": None, "rejects": None, "duplicates": None, "invalid": None,
                "reject_reasons": {}}
    return {"records": summary.records, "rejects": summary.rejects,
            "duplicates": summary.duplicates, "invalid": getattr(summary, "invalid", None),
            "reject_reasons": dict(getattr(summary, "reject_reasons", {}) or {})}


def build_report(state, summary, rejects: list[dict], problems: list[str]) -> dict:
    """The report of the run as *state* has it now (its outcome set). One flat dict: a long
    literal, which is why this function is long."""
    r: CrawlReport = state.report
    crawler = state.crawler
    stats = crawler.stats.get_stats() if crawler.stats else {}
    end = time.time()
    prior_list_pages = sum(int(s.get("list_pages") or 0) for s in state.segments[:-1])
    retry_reasons = {k.split("/", 2)[2]: v for k, v in stats.items()
                     if k.startswith("retry/reason_count/")}
    status_counts = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                     if k.startswith("downloader/response_status_count/")}
    s = state.settings
    raw_files = set(state.prior_files) | set(state.pages.raw_files() if state.pages else [])
    return {
        "status": state.outcome.status,
        "reason": state.reason or None,
        "run_id": state.run_id,
        "job_id": state.job_id,
        "resumed": state.resumed,
        "start": iso(state.started),
        "end": iso(end),
        "duration_s": round(end - state.started, 3),
        "start_urls": state.spider.start_urls,
        "out": str(state.out_dir),
        "list_pages": r.counters["list_pages"] + prior_list_pages,
        "detail_pages": r.pages_this_run + len(r.archived),
        "detail_pages_this_run": r.pages_this_run,
        **_summary_fields(summary),
        "reject_list": rejects,
        "failures": r.final_failures(),
        "disallowed": sorted(r.disallowed.values(), key=lambda d: d["url"]),
        "retries": {"count": stats.get("retry/count", 0), "gave_up": stats.get("retry/max_reached", 0),
                    "reasons": retry_reasons,
                    "urls": [{"url": u, "last_reason": why} for u, why in sorted(r.retried.items())]},
        "unknown_labels": dict(summary.unknown_labels.most_common()) if summary else {},
        "fill_rate": summary.fill_rate if summary else {},
        "assertions": {"min_records": state.min_records, "min_fill": state.min_fill,
                       "max_failures": state.max_failures if state.max_failures is not None
                       else f"{DEFAULT_MAX_FAILURES:.0%} (at least {DEFAULT_MAX_FAILED_PAGES} pages)"},
        "lines_not_understood": getattr(summary, "lines_not_understood", None) if summary else None,
        "assertion_failures": problems,
        "requests": stats.get("downloader/request_count", 0),
        "response_bytes": stats.get("downloader/response_bytes", 0),
        "status_counts": status_counts,
        "pages_per_second": round(r.pages_this_run / max(end - state.started, 1e-6), 2),
        "conditional": {"enabled": s.getbool("PROJEKTBANK_CONDITIONAL_REQUESTS", True),
                        "previous_pages": r.previous_pages,
                        **{k: r.fetch_less.get(k, 0) for k in CONDITIONAL_COUNTERS}},
        "counters": dict(sorted(r.counters.items())),
        "discovered_by": dict(r.sources),
        "raw_files": [p.name for p in sorted(raw_files)],
        "settings": {k: s.get(k) for k in REPORTED_SETTINGS},
        "segments": state.segments,
    }


def add_published_fill_rates(state, report: dict) -> None:
    """crawl_report.json: fill rates measured on the published table (first_seen and
    last_seen come from the history) and per programme period (a column a period does not
    publish is null there, not 0)."""
    import pyarrow.parquet as pq
    from projektbank.pipelines.fill_rate import fill_rate_by_period

    try:
        table = pq.read_table(state.out_dir / "projects.parquet")
        by_period = fill_rate_by_period(table)
        rates = dict(report.get("fill_rate") or {})
        for name in ("first_seen", "last_seen"):
            if name in table.column_names and table.num_rows:
                rates[name] = round(1 - table[name].null_count / table.num_rows, 4)
        report = {**report, "fill_rate": rates, "history": state.history.as_dict(),
                  "fill_rate_by_period": {p: {c: (None if v is None else round(v, 4))
                                              for c, v in cols.items()}
                                          for p, cols in by_period.items()}}
        write_json_atomic(state.out_dir / "crawl_report.json", report)
    except Exception:  # the datasets are published; the report keeps its first version
        logger.exception("adding the published fill rates to crawl_report.json failed")
