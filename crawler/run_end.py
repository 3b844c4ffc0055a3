"""How a crawl run ended (at spider_closed): which Outcome (crawler/outcomes.py) applies, and,
for a run that may publish, the publishing.

In order: the pipeline never opened → NOT_STARTED; a page could not be written → WRITE_ERROR;
stopped before the end (a signal, the guard, another close reason) → the stop's outcome; then
the dataset is finished and checked: nothing fetched and a start URL failed → UNREACHABLE; a
run assertion failed → ASSERTIONS_FAILED; a --limit sample → SAMPLE (published without
history); else Run.publish → PUBLISHED, or HISTORY_REFUSED / HISTORY_UNREADABLE when the
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
from projektbank.pipelines.history import HistoryError

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
    summary, refused = _finish(state)
    problems = check_assertions(summary, state.min_records, state.min_fill)
    problems += report.failure_assertion(state.max_failures)
    rejects = read_rejects(pages.writer)
    unreachable = report.unreachable_start(state.spider.start_urls)
    if unreachable:
        return state.settle(UNREACHABLE, unreachable, summary, rejects, problems)
    if problems:
        return state.settle(ASSERTIONS_FAILED, "run assertion failed: " + "; ".join(problems),
                            summary, rejects, problems)
    if refused is not None:
        return _refused(state, refused, summary, rejects)
    if state.sample:  # --limit: a smoke test, published on its own, never into a history
        state.outcome = SAMPLE
        built = build_report(state, summary, rejects, [])
        pages.run.publish()
        write_json_atomic(state.out_dir / "crawl_report.json", built)
        return state.settle(SAMPLE)
    _publish(state, summary, rejects)


def _finish(state):
    """Write the dataset once: with the crawl history known first (first_seen/last_seen, the
    rows of pages that could not be fetched), unless this is a --limit sample. A history that
    refuses the crawl date, or cannot be read, is returned (the run then publishes nothing)
    with the dataset finished without it, for the report's counts."""
    run = state.pages.run
    if state.sample:
        return run.finish(), None
    try:
        run.in_history(state.crawl_date())
        return run.finish(unfetched=state.report.unfetched(state.spider.seen_details)), None
    except HistoryError as exc:
        return run.writer.finish(), exc


def _refused(state, exc: HistoryError, summary, rejects) -> None:
    outcome = HISTORY_UNREADABLE if str(exc).startswith("cannot read") else HISTORY_REFUSED
    return state.settle(outcome, str(exc), summary, rejects, [str(exc)])


def _publish(state, summary, rejects) -> None:
    """The dataset, the snapshot, the change log and crawl_report.json, in place."""
    state.outcome = PUBLISHED  # the report says so
    report = build_report(state, summary, rejects, [])
    try:
        state.history = state.pages.run.publish(extra_files={
            "crawl_report.json": lambda h: json.dumps({**report, "history": h.as_dict()},
                                                      ensure_ascii=False, indent=2,
                                                      default=str) + "\n"})
    except HistoryError as exc:  # a snapshot or the change log unreadable: publish nothing
        return _refused(state, exc, summary, rejects)
    logger.info("published crawl of %s: %s", state.crawl_date(), state.history.as_dict())
    add_published_fill_rates(state, report)
    state.settle(PUBLISHED)
