"""The crawl benchmark changes the crawl through Scrapy's own seams, never by patching code:
its items-only ceiling (bench/items_only.py: CountOnlyPipeline) is an item pipeline given
with -s ITEM_PIPELINES, run here as the bench runs it (bench/crawl_runner.py esf)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from projektbank.crawler.mirror import Mirror

REPO = Path(__file__).resolve().parents[1]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        "-s", "PROJEKTBANK_SITEMAPS_FROM_ROBOTS=False"]


def bench_crawl(origin: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "bench"), str(REPO)])}
    return subprocess.run([sys.executable, str(REPO / "bench" / "crawl_runner.py"), "esf",
                           "--start-url", origin + "/resultat/projektbanken/", "--out", str(out),
                           *FAST, *extra], cwd=REPO, capture_output=True, text=True,
                          timeout=180, env=env)


def test_items_only_pipeline_counts_pages_and_stores_none(tmp_path):
    with Mirror() as m:
        full = bench_crawl(m.origin, tmp_path / "full", "--min-fill", "start_date=0",
                           "--min-fill", "end_date=0")
        ceiling = bench_crawl(m.origin, tmp_path / "ceiling", "-s",
                              "ITEM_PIPELINES=" + json.dumps({"items_only.CountOnlyPipeline": 300}),
                              "-s", "PROJEKTBANK_MIN_RECORDS=0", "-s", "PROJEKTBANK_DEFAULT_MIN_FILL=0")
    assert full.returncode == 0, full.stderr[-3000:]
    assert ceiling.returncode == 0, ceiling.stderr[-3000:]
    full_report = json.loads((tmp_path / "full" / "crawl_report.json").read_text())
    report = json.loads((tmp_path / "ceiling" / "crawl_report.json").read_text())
    # the same pages reached the item path, and none was lost or failed for it
    assert report["detail_pages_this_run"] == full_report["detail_pages_this_run"] > 10
    assert report["failures"] == full_report["failures"]
    # and none was stored: no WARC record, no row
    assert full_report["records"] > 10 and report["records"] == 0
    assert list((tmp_path / "full" / "raw").glob("*.warc.gz"))
    assert not any(f.stat().st_size for f in (tmp_path / "ceiling").glob("raw/*.warc.gz"))
    assert pq.read_table(tmp_path / "ceiling" / "projects.parquet").num_rows == 0
