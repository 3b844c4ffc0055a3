"""The files of a crawl job on disk: JOBDIR's marker and failure log, and the raw archive's
generations in the output folder (DIR/raw, DIR/raw-previous, DIR/raw-failed/<run_id>).

* JOBDIR/projektbank-job.json: {job_id, out, state, start_urls, segments}; `state` is
  `running` (a kill leaves it so), `interrupted` (a clean stop) or `finished`.
* JOBDIR/projektbank-failures.jsonl: every URL that finally failed in the job, one line each,
  kept across the job's runs.
* A new job moves the previous job's WARC files from DIR/raw to DIR/raw-previous (one
  generation); a run that publishes nothing moves its own to DIR/raw-failed/<run_id>/ and
  brings the published dataset's archive back from raw-previous/.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

from projektbank.crawler.urls import canonical_detail_url, is_detail_url
from projektbank.pipelines.atomic import write_json_atomic

logger = logging.getLogger(__name__)

MARKER = "projektbank-job.json"
FAILURES = "projektbank-failures.jsonl"
SCRAPY_STATE = ("requests.queue", "requests.seen", "spider.state")


def move_warc_files(src: Path, dst: Path) -> None:
    """Move the WARC files of *src* into *dst* (same relative names); other files stay, and
    *src* goes only when nothing else is left in it."""
    from projektbank.pipelines.warc import warc_files

    for path in warc_files(src):
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    for folder in sorted((p for p in src.rglob("*") if p.is_dir()), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass
    try:
        src.rmdir()
    except OSError:
        pass


class JobFolder:
    def __init__(self, out_dir: Path, jobdir: Path | None):
        self.out_dir = out_dir
        self.raw_dir = out_dir / "raw"
        self.jobdir = jobdir

    # --- JOBDIR ----------------------------------------------------------------------------
    def read_marker(self) -> dict | None:
        if self.jobdir is None:
            return None
        self.jobdir.mkdir(parents=True, exist_ok=True)
        path = self.jobdir / MARKER
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_marker(self, fields: dict) -> None:
        if self.jobdir is not None:
            write_json_atomic(self.jobdir / MARKER, fields)

    def wipe_scrapy_state(self) -> None:
        """Scrapy's on-disk queue is never used: after a kill it was never saved, and after a
        Ctrl-C its restored requests were seen to reach a robots.txt-disallowed page
        (tests/test_crawl.py, the Ctrl-C test). The frontier is rebuilt instead."""
        if self.jobdir is None:
            return
        for name in SCRAPY_STATE:
            p = self.jobdir / name
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            elif p.exists():
                p.unlink()

    def forget_failures(self) -> None:
        if self.jobdir is not None:
            (self.jobdir / FAILURES).unlink(missing_ok=True)

    def open_failure_log(self):
        return None if self.jobdir is None else (self.jobdir / FAILURES).open("a", encoding="utf-8")

    def prior_failures(self) -> dict[str, dict]:
        """The URLs that finally failed in earlier runs of the job."""
        path = None if self.jobdir is None else self.jobdir / FAILURES
        out: dict[str, dict] = {}
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut by a kill
                out[entry["url"]] = entry
        return out

    # --- the raw archive's generations -------------------------------------------------------
    def prior_archive(self) -> tuple[list[Path], set[str], int]:
        """A resumed job's WARC files in DIR/raw (each repaired: a kill may have cut the last
        record), the canonical detail URLs they hold, and the bytes cut off."""
        from projektbank.pipelines.warc import iter_responses, repair, warc_files

        files = warc_files(self.raw_dir)
        cut = sum(repair(path) for path in files)
        archived: set[str] = set()
        for url, _status, _ts, requested in iter_responses(files):
            for u in (url, requested):
                if u and is_detail_url(u):
                    archived.add(canonical_detail_url(u))
        return files, archived, cut

    def rotate_raw(self) -> None:
        """A new job: the previous job's raw archive moves to DIR/raw-previous/."""
        from projektbank.pipelines.warc import warc_files

        if not warc_files(self.raw_dir):
            return
        previous = self.out_dir / "raw-previous"
        for old in warc_files(previous):  # only our files: a crawl deletes nothing it did not write
            old.unlink()
        move_warc_files(self.raw_dir, previous)

    def keep_published_archive(self, run_id: str) -> None:
        """A run that published nothing leaves the published dataset's archive in DIR/raw:
        its own pages move to DIR/raw-failed/<run_id>/ (kept for inspection), and the previous
        job's archive, which the latest view was built from, comes back from raw-previous/."""
        from projektbank.pipelines.warc import warc_files

        if warc_files(self.raw_dir):
            failed = self.out_dir / "raw-failed" / run_id
            move_warc_files(self.raw_dir, failed)
            logger.info("this run published nothing: its pages are kept in %s", failed)
        previous = self.out_dir / "raw-previous"
        if warc_files(previous) and not warc_files(self.raw_dir):
            move_warc_files(previous, self.raw_dir)
