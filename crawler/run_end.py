"""How a crawl run ended (at spider_closed): which Outcome (crawler/outcomes.py) applies, and,
for a run that may publish, the publishing.

In order: the pipeline never opened → NOT_STARTED; a page could not be written → WRITE_ERROR;
stopped before the end (a signal, the guard, another close reason) → the stop's outcome; then
the dataset is finished and checked: nothing fetched and a start URL failed → UNREACHABLE; a
run assertion failed → ASSERTIONS_FAILED; a --limit sample → SAMPLE (published without
history); else publish_run → PUBLISHED, or HISTORY_REFUSED / HISTORY_UNREADABLE when the
history will not take it. JobState.settle does what the outcome says.
"""

from __future__ import annotations

import json
import logging

from projektbank.crawler.outcomes import (
    ASSERTIONS_FAILED,
    HISTORY_REFUSED,
    HISTORY_UNREADABLE,
    NOT_STARTED,
    PUBLISHED,
    SAMPLE,
    UNREACHABLE,
    WRITE_ERROR,
    stopped_by_close_reason,
)
from projektbank.crawler.report import check_assertions
from projektbank.crawler.report_file import add_published_fill_rates, build_report, read_rejects
from projektbank.pipelines.atomic import write_json_atomic

logger = logging.getLogger(__name__)


def end_run(state, reason: str) -> None:
    """End the run of *state* that Scrapy closed for *reason*."""
    pages = state.pages
    if pages is not None:
        pages.close()
    state.end_segment(reason)
    if pages is None or pages.writer is None:
        return state.settle(NOT_STARTED, f"crawl did not start ({reason})")
    if pages.write_error is not None:
        return state.settle(WRITE_ERROR, f"writing a page failed: {pages.write_error}")
    if reason != "finished" or state.stop_request is not None:
        outcome, why = state.stop_request or (stopped_by_close_reason(reason),
                                              f"crawl stopped before the end ({reason})")
        return state.settle(outcome, why)
    report = state.report
    report.list_lost(state.spider.seen_details)
    summary = pages.writer.finish()
    problems = check_assertions(summary, state.min_records, state.min_fill)
    problems += report.failure_assertion(state.max_failures)
    rejects = read_rejects(pages.writer)
    unreachable = report.unreachable_start(state.spider.start_urls)
    if unreachable:
        return state.settle(UNREACHABLE, unreachable, summary, rejects, problems)
    if problems:
        return state.settle(ASSERTIONS_FAILED, "run assertion failed: " + "; ".join(problems),
                            summary, rejects, problems)
    if state.sample:  # --limit: a smoke test, published on its own, never into a history
        state.outcome = SAMPLE
        built = build_report(state, summary, rejects, [])
        pages.writer.publish()
        write_json_atomic(state.out_dir / "crawl_report.json", built)
        return state.settle(SAMPLE)
    _publish(state, summary, rejects)


def _publish(state, summary, rejects) -> None:
    """publish_run: the dataset, the snapshot, the change log and crawl_report.json."""
    from projektbank.pipelines.history import HistoryError
    from projektbank.pipelines.run import publish_run

    state.outcome = PUBLISHED  # the report says so
    report = build_report(state, summary, rejects, [])
    day = state.crawl_date()
    try:
        state.history = publish_run(
            state.out_dir, state.pages.writer, day,
            unfetched=state.report.unfetched(state.spider.seen_details),
            extra_files={"crawl_report.json": lambda h: json.dumps(
                {**report, "history": h.as_dict()}, ensure_ascii=False, indent=2,
                default=str) + "\n"})
    except HistoryError as exc:  # e.g. a crawl date older than the history: publish nothing
        outcome = HISTORY_UNREADABLE if str(exc).startswith("cannot read") else HISTORY_REFUSED
        return state.settle(outcome, str(exc), summary, rejects, [str(exc)])
    logger.info("published crawl of %s: %s", day, state.history.as_dict())
    add_published_fill_rates(state, report)
    state.settle(PUBLISHED)
