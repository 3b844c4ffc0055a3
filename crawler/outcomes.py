"""How a crawl run can end: one table gives each ending its status, exit code, job marker,
archive handling and the note its one-line reason carries.

Every end of a run goes through JobState.settle (crawler/job_state.py) with one of these, so
crawl_report.json's `status`, the process's exit code, the state left in
JOBDIR/projektbank-job.json and what happens to DIR/raw are decided here and nowhere else.

`restore` says when this run's pages leave DIR/raw (to DIR/raw-failed/<run_id>/) and the
published dataset's archive comes back from raw-previous/:
  ALWAYS            the run is over and published nothing
  UNLESS_RESUMABLE  only without a JOBDIR; with one, --resume continues from DIR/raw
  NEVER             the run published: DIR/raw is the published dataset's archive
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ALWAYS, UNLESS_RESUMABLE, NEVER = "always", "unless resumable", "never"


@dataclass(frozen=True)
class Outcome:
    status: str              # crawl_report.json "status"
    exit_code: int
    marker: str | None       # the job marker's state afterwards (None: left as it is)
    restore: str             # ALWAYS, UNLESS_RESUMABLE or NEVER (above)
    note: str = "{why}"      # the reason's form: {resume}/{fix} only when there is a JOBDIR
    published: bool = False  # the datasets were written (the report comes with them)

    def explain(self, why: str, jobdir: Path | None) -> str:
        """The one-line reason of this ending."""
        return self.note.format(
            why=why, resume=f"; resume with --resume {jobdir}" if jobdir else "",
            fix=f"; fix the cause and resume with --resume {jobdir}" if jobdir else "")

    def restores_archive(self, resumable: bool) -> bool:
        return self.restore == ALWAYS or (self.restore == UNLESS_RESUMABLE and not resumable)


_STOPPED = "{why}; previous datasets kept{resume}"
_KEPT = "{why} (previous datasets kept)"

PUBLISHED = Outcome("published", 0, "finished", NEVER, published=True)
SAMPLE = Outcome("finished", 0, "finished", NEVER, published=True)  # --limit: no history
# the pipeline never opened: the marker stays `running`, so a resume starts over from DIR/raw
NOT_STARTED = Outcome("error", 1, None, ALWAYS)
# pages whose writing failed are in Scrapy's seen-set but not in DIR/raw: `running` makes a
# resume rebuild the frontier from DIR/raw, so they are fetched again
WRITE_ERROR = Outcome("error", 1, "running", UNLESS_RESUMABLE, "{why} (previous datasets kept{fix})")
INTERRUPTED = Outcome("interrupted", 130, "interrupted", UNLESS_RESUMABLE, _STOPPED)  # a signal
STOPPED_EARLY = Outcome("interrupted", 1, "interrupted", UNLESS_RESUMABLE, _STOPPED)  # other close reason
STOPPED_ON_ERROR = Outcome("error", 1, "interrupted", UNLESS_RESUMABLE, _STOPPED)  # stalled, fatal
UNREACHABLE = Outcome("error", 1, "finished", ALWAYS, _KEPT)   # nothing fetched, a start URL failed
ASSERTIONS_FAILED = Outcome("assertions_failed", 1, "finished", ALWAYS, _KEPT)
HISTORY_REFUSED = Outcome("history_refused", 1, "finished", ALWAYS, _KEPT)   # an older crawl date
HISTORY_UNREADABLE = Outcome("error", 1, "finished", ALWAYS, _KEPT)
# closing itself failed; this run's pages went to raw-failed/, so a --resume must start a new
# job, not take the restored previous archive for this job's pages: `finished`
CLOSE_FAILED = Outcome("error", 1, "finished", ALWAYS)


def stopped_by_close_reason(reason: str) -> Outcome:
    """A run Scrapy closed before the end without a stop of ours (Ctrl-C through Scrapy's own
    handler: `shutdown`; an extension such as CloseSpider: anything else)."""
    return INTERRUPTED if reason == "shutdown" else STOPPED_EARLY
