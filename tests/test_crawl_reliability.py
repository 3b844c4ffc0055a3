"""The crawl under real faults, with the settings users run (issue 14).

Every fault test runs with a NON-ZERO download delay (scaled down), AutoThrottle on and off and
concurrency 1 and 8: with `DOWNLOAD_DELAY=0` a 429 once looked harmless while every real crawl
(default delay 1.5 s) stalled on it for good. Crawls run as subprocesses against the bundled
site (crawler.mirror on 127.0.0.1) with fault plans; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from projektbank.crawler.mirror import Mirror, read_log
from projektbank.crawler.mirror_faults import FaultPlan
from test_crawl import EXPECTED, path_of

REPO = Path(__file__).resolve().parent.parent
D = "/resultat/projektbanken/projekt/?dnr="
BROKEN = D + "2016/00404"
# one page per fault kind
# the fault matrix is data (one project page per fault kind: 429 with Retry-After in seconds or
# as a date, 503 with and without Retry-After, a dropped connection, a trickled body, a 301
# chain); `projektbank mirror --faults tests/fault_plans/reliability_matrix.json` serves it too
MATRIX_PLAN = Path(__file__).parent / "fault_plans" / "reliability_matrix.json"
MATRIX_FAULTS = {target: [a.text for a in actions]
                 for target, actions in FaultPlan.load(MATRIX_PLAN).entries.items()}
TIMING = ["-s", "DOWNLOAD_TIMEOUT=4", "-s", "RETRY_TIMES=4", "-s", "PROJEKTBANK_RETRY_BACKOFF_BASE=0.1",
          "-s", "PROJEKTBANK_RETRY_AFTER_MAX=5", "-s", "PROJEKTBANK_STALL_MARGIN=3",
          "-s", "PROJEKTBANK_STOP_GRACE=3"]


def concurrency(n: int) -> list[str]:
    return ["-s", f"CONCURRENT_REQUESTS={n}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={n}"]


def throttle(on: bool, delay: float = 0.05) -> list[str]:
    args = ["-s", f"DOWNLOAD_DELAY={delay}", "-s", f"AUTOTHROTTLE_ENABLED={on}"]
    if on:
        args += ["-s", f"AUTOTHROTTLE_START_DELAY={delay}", "-s", "AUTOTHROTTLE_MAX_DELAY=0.5"]
    return args


def cmd(origin: str, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "projektbank", "crawl", "--start-url",
            origin + "/resultat/projektbanken/", "--out", str(out), *extra]


def run(origin: str, out: Path, *extra: str, timeout: float = 90) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.time()
    r = subprocess.run(cmd(origin, out, *extra), cwd=REPO, capture_output=True, text=True,
                       timeout=timeout)
    return r, time.time() - t0


def report(out: Path) -> dict:
    return json.loads((out / "crawl_report.json").read_text(encoding="utf-8"))


def ids(out: Path) -> list[str]:
    return pq.read_table(out / "projects.parquet", columns=["project_id"])["project_id"].to_pylist()


def urls(out: Path) -> list[str]:
    return [path_of(u) for u in pq.read_table(out / "projects.parquet")["source_url"].to_pylist()]


def kill_when_archived(proc: subprocess.Popen, out: Path, min_bytes: int = 20_000) -> None:
    deadline = time.time() + 40
    try:
        while time.time() < deadline and proc.poll() is None:
            warcs = list((out / "raw").glob("*.warc.gz"))
            if warcs and sum(f.stat().st_size for f in warcs) > min_bytes:
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)


# --- the fault matrix -----------------------------------------------------------------------
# (tests/test_crawl_faults.py, written blind, runs the other corners on another site)
@pytest.mark.parametrize("conc,resumed,autothrottle,delay", [
    (8, False, True, 0.05),
    (1, True, True, 0.05),
])
def test_fault_matrix(conc, resumed, autothrottle, delay, tmp_path):
    out, job = tmp_path / "out", tmp_path / "job"
    log = tmp_path / "requests.jsonl"
    args = [*TIMING, *concurrency(conc), *throttle(autothrottle, delay)]
    with Mirror(faults=MATRIX_PLAN, log_path=log) as m:
        t0 = time.time()
        if resumed:  # killed after a few pages, then resumed: faults keep their state
            first = subprocess.Popen(cmd(m.origin, out, "--resume", str(job), *args), cwd=REPO,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kill_when_archived(first, out)
            r, _ = run(m.origin, out, "--resume", str(job), *args)
        else:
            r, _ = run(m.origin, out, *args)
        took = time.time() - t0
    assert r.returncode == 0, r.stderr[-3000:]
    rep = report(out)
    assert rep["status"] == "published"
    got = urls(out)
    assert len(got) == len(set(ids(out))) == len(set(got))           # every project once
    assert {u.split("&r=")[0] for u in got} == EXPECTED                  # and every recoverable one
    failures = {path_of(f["url"]): f for f in rep["failures"]}
    assert set(failures) == {BROKEN}, failures                          # only the 404 is listed
    assert took < 75
    entries = read_log(log)
    for target, plan in MATRIX_FAULTS.items():
        if plan[0].startswith(("429", "503")) and not resumed:
            hits = [e for e in entries if e["target"] == target]
            assert hits[-1]["status"] == 200
            if plan[0] in ("429:1", "503:1", "429:date+1"):  # Retry-After honoured
                assert hits[1]["t"] - hits[0]["t"] >= 0.9, (target, hits)


def test_retry_after_pauses_the_whole_host(tmp_path):
    """A 429 with Retry-After holds every request to the host, not only the retried one."""
    log = tmp_path / "requests.jsonl"
    with Mirror(faults={D + "22-021-S03": ["429:2", "200"]}, log_path=log) as m:
        r, _ = run(m.origin, tmp_path / "out", *TIMING, *concurrency(1), *throttle(False, 0.05))
    assert r.returncode == 0, r.stderr[-2000:]
    entries = read_log(log)
    i = next(k for k, e in enumerate(entries) if e["status"] == 429)
    if i + 1 < len(entries):
        assert entries[i + 1]["t"] - entries[i]["t"] >= 1.9


# --- stalls ----------------------------------------------------------------------------------
def test_a_request_that_never_completes_ends_the_crawl_with_error(tmp_path):
    """A request stuck before the network (no timeout can fire): the watchdog ends the run."""
    out = tmp_path / "out"
    with Mirror() as m:
        first, _ = run(m.origin, out, *TIMING, *throttle(False))
        assert first.returncode == 0, first.stderr[-2000:]
        before = (out / "projects.parquet").read_bytes()
        r, took = run(m.origin, out, *TIMING, *throttle(False), "-s", "DOWNLOAD_TIMEOUT=2",
                      "-S", 'DOWNLOADER_MIDDLEWARES={"tests.fault_seams.HangForever": 1}',
                      "-S", "TEST_HANG_URL_PART=22-021-S03", timeout=60)
    assert r.returncode == 1, r.stderr[-2000:]
    rep = report(out)
    assert rep["status"] == "error" and rep["reason"].startswith("stalled")
    assert "22-021-S03" in rep["reason"]                       # names the URL in flight
    assert "stalled" in r.stderr.strip().splitlines()[-1]
    assert took < 2 + 0.1 + 3 + 2 + 3 + 10                     # bound + grace + start-up
    assert (out / "projects.parquet").read_bytes() == before  # previous dataset untouched
    assert not list(out.glob(".projektbank-tmp-*"))


def test_retry_after_over_the_cap_stops_with_error(tmp_path):
    out = tmp_path / "out"
    with Mirror(faults={D + "22-021-S03": ["429:3600"]}) as m:
        r, took = run(m.origin, out, *TIMING, *throttle(False), timeout=60)
    assert r.returncode == 1, r.stderr[-2000:]
    rep = report(out)
    assert rep["status"] == "error" and "Retry-After 3600" in rep["reason"]
    assert took < 30
    assert not (out / "projects.parquet").exists()


# --- signals ---------------------------------------------------------------------------------
# one signal of each kind: tests/test_crawl_faults.py
@pytest.mark.parametrize("sig,times", [(signal.SIGINT, 2)])
def test_signals_stop_bounded_and_resume(sig, times, tmp_path):
    out, job = tmp_path / "out", tmp_path / "job"
    hang = D + "22-021-S03"
    log = tmp_path / "requests.jsonl"
    with Mirror(faults={hang: ["slow:30", "200"]}, log_path=log) as m:
        args = ["--resume", str(job), *TIMING, "-s", "DOWNLOAD_TIMEOUT=20", *throttle(False, 0.05)]
        proc = subprocess.Popen(cmd(m.origin, out, *args), cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        # the hanging page keeps the crawl running for 20 s at least: stop it once pages flow
        deadline = time.time() + 30
        while time.time() < deadline and len(read_log(log)) < 15:
            time.sleep(0.05)
        time.sleep(0.5)
        for _ in range(times):
            proc.send_signal(sig)
            time.sleep(0.2)
        t0 = time.time()
        _, err = proc.communicate(timeout=60)
        took = time.time() - t0
        assert proc.returncode == 130, err[-2000:]
        assert f"{signal.Signals(sig).name} received" in err
        assert took < (5 if times == 2 else 20 + 3 + 2)
        rep = report(out)
        assert rep["status"] == "interrupted"
        assert not list(out.glob(".projektbank-tmp-*"))
        assert json.loads((job / "projektbank-job.json").read_text())["state"] == "interrupted"
        r, _ = run(m.origin, out, *args)
    assert r.returncode == 0, r.stderr[-2000:]
    assert report(out)["status"] == "published"
    assert set(urls(out)) == EXPECTED


# --- failures are not disappearances ---------------------------------------------------------
def test_a_failed_fetch_keeps_the_previous_row_and_max_failures(tmp_path):
    out = tmp_path / "out"
    failing = D + "22-021-S03"
    with Mirror() as m:
        r, _ = run(m.origin, out, *TIMING, *throttle(False), "--crawl-date", "2026-01-01")
        assert r.returncode == 0, r.stderr[-2000:]
    with Mirror(faults={failing: ["503"]}) as m:
        r, _ = run(m.origin, out, *TIMING, *throttle(False), "-s", "RETRY_TIMES=1",
                   "--crawl-date", "2026-01-02")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "1 kept after a failed fetch" in r.stderr.strip().splitlines()[-1]
    t = pq.read_table(out / "projects.parquet").to_pylist()
    row = next(x for x in t if x["project_id"] == "22-021-S03")
    assert str(row["last_seen"]) == "2026-01-01" and str(row["first_seen"]) == "2026-01-01"
    assert {str(x["last_seen"]) for x in t if x["project_id"] != "22-021-S03"} == {"2026-01-02"}
    changes = pq.read_table(out / "changes.parquet").to_pylist()
    day2 = [c for c in changes if str(c["crawl_date"]) == "2026-01-02"]
    assert [(c["project_id"], c["change"]) for c in day2] == [("22-021-S03", "fetch_failed")]
    # the next clean crawl: nothing appeared, nothing disappeared
    with Mirror() as m:
        r, _ = run(m.origin, out, *TIMING, *throttle(False), "--crawl-date", "2026-01-03")
    assert r.returncode == 0, r.stderr[-2000:]
    day3 = [c for c in pq.read_table(out / "changes.parquet").to_pylist()
            if str(c["crawl_date"]) == "2026-01-03"]
    assert not [c for c in day3 if c["change"] in ("appeared", "disappeared")]
    # much of the site failing: nothing published; --max-failures 1.0 lets it through
    before = (out / "projects.parquet").read_bytes()
    many = {D + name: ["503"] for name in ("22-021-S03", "22-035-S02", "22-047-S11", "23-002-S02",
                                           "23-014-S05", "23-114-S01", "24-003-S07")}
    with Mirror(faults=many) as m:
        r, _ = run(m.origin, out, *TIMING, *throttle(False), "-s", "RETRY_TIMES=0",
                   "--crawl-date", "2026-01-04")
        assert r.returncode == 1 and report(out)["status"] == "assertions_failed", r.stderr[-2000:]
        assert "max-failures" in report(out)["reason"]
        assert (out / "projects.parquet").read_bytes() == before
        r, _ = run(m.origin, out, *TIMING, *throttle(False), "-s", "RETRY_TIMES=0",
                   "--crawl-date", "2026-01-04", "--max-failures", "1.0")
        assert r.returncode == 0, r.stderr[-2000:]


# --- checks before fetching ------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_checks_before_fetching(tmp_path):
    out = tmp_path / "out"
    log = tmp_path / "requests.jsonl"
    with Mirror(log_path=log) as m:
        r, _ = run(m.origin, out, *TIMING, *throttle(False), "--crawl-date", "2026-02-01")
        assert r.returncode == 0, r.stderr[-2000:]
        n = len(read_log(log))
        r, _ = run(m.origin, out, *TIMING, *throttle(False), "--crawl-date", "2026-01-01")
        assert r.returncode == 1 and "older than the newest snapshot" in r.stderr
        assert len(read_log(log)) == n                      # refused before any request
        assert len(r.stderr.strip().splitlines()) == 1
        # a typo'd setting, with a suggestion; a third-party one through -S
        r, _ = run(m.origin, out, "-s", "AUTOTHROTLE_ENABLED=False")
        assert r.returncode == 2 and "did you mean AUTOTHROTTLE_ENABLED?" in r.stderr
        assert len(read_log(log)) == n
    # nothing listening
    r, took = run(f"http://127.0.0.1:{free_port()}", tmp_path / "refused", *TIMING,
                  *throttle(False), "-s", "RETRY_TIMES=1")
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    assert "connection refused" in last.lower() and "fill rate" not in last, last
    assert took < 30
    with Mirror(faults={"/resultat/projektbanken/": ["403"], "/sitemap.xml": ["403"]}) as m:
        r, _ = run(m.origin, tmp_path / "forbidden", *TIMING, *throttle(False))
    assert r.returncode == 1 and "HTTP 403" in r.stderr.strip().splitlines()[-1], r.stderr[-1000:]


def test_limit_sample(tmp_path):
    out = tmp_path / "sample"
    with Mirror() as m:
        r, _ = run(m.origin, out, *TIMING, *throttle(False), "--limit", "3", "--min-fill",
                   "project_name=0")
    assert r.returncode == 0, r.stderr[-2000:]
    assert report(out)["status"] == "finished"
    assert len(ids(out)) == 3
    assert not (out / "snapshots").exists() and not (out / "changes.parquet").exists()
    assert r.stderr.strip().splitlines()[-1].startswith("finished: 3 records")


# --- folders, locks, limits ------------------------------------------------------------------
def test_output_folder_lock_and_foreign_files(tmp_path):
    out = tmp_path / "out"
    with Mirror(faults={D + "22-021-S03": ["slow:3", "200"]}) as m:
        first = subprocess.Popen(cmd(m.origin, out, *TIMING, *throttle(False)), cwd=REPO,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while time.time() < deadline and not (out / ".projektbank.lock").exists():
            time.sleep(0.05)
        time.sleep(0.5)
        second, _ = run(m.origin, out, *TIMING, *throttle(False))
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err[-2000:]
    assert second.returncode == 1 and "another crawl is writing to" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    # a user's file in raw-previous/ survives two crawls
    (out / "raw-previous").mkdir(exist_ok=True)
    (out / "raw-previous" / "notes.txt").write_text("mine")
    with Mirror() as m:
        for _ in range(2):
            r, _ = run(m.origin, out, *TIMING, *throttle(False))
            assert r.returncode == 0, r.stderr[-2000:]
    assert (out / "raw-previous" / "notes.txt").read_text() == "mine"
    # folders that are not an output folder
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "thesis.tex").write_text("x")
    for bad, words in (("/", "root"), (str(tmp_path / "project"), "thesis.tex")):
        r, _ = run("http://127.0.0.1:9", Path(bad))
        assert r.returncode == 2 and words in r.stderr, r.stderr
    assert (tmp_path / "project" / "thesis.tex").exists()


def test_sitemap_bomb_is_bounded(tmp_path):
    """robots.txt → 200 sitemap indexes → 200 sitemaps each: the crawl still ends, bounded."""
    site = tmp_path / "site"
    import shutil

    from projektbank.crawler.mirror import repo_site_dir
    shutil.copytree(repo_site_dir(), site)
    lines = "\n".join(f"Sitemap: {{{{ORIGIN}}}}/bomb/index-{i}.xml" for i in range(200))
    (site / "robots.txt").write_text((site / "robots.txt").read_text() + "\n" + lines + "\n")
    (site / "bomb").mkdir()
    for i in range(200):
        inner = "".join(f"<sitemap><loc>{{{{ORIGIN}}}}/bomb/index-{i}-{k}.xml</loc></sitemap>"
                        for k in range(200))
        (site / "bomb" / f"index-{i}.xml").write_text(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + inner + "</sitemapindex>")
    out = tmp_path / "out"
    with Mirror(site) as m:
        r, took = run(m.origin, out, *TIMING, *throttle(False, 0.0), *concurrency(8),
                      "-s", "PROJEKTBANK_MAX_SITEMAPS=300", "--max-failures", "1.0", timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    rep = report(out)
    assert rep["counters"]["sitemaps_over_limit"] > 0
    assert rep["requests"] < 300 + 200
    assert set(urls(out)) == EXPECTED


def test_redirects_off_site_and_loops_are_listed(tmp_path):
    out = tmp_path / "out"
    faults = {D + "22-021-S03": ["301:http://elsewhere.invalid/x"],
              D + "22-035-S02": [f"301:{D}22-035-S02&loop=1", f"301:{D}22-035-S02&loop=2"]}
    with Mirror(faults=faults) as m:
        r, _ = run(m.origin, out, *TIMING, *throttle(False), "-s", "REDIRECT_MAX_TIMES=4")
    assert r.returncode == 0, r.stderr[-2000:]
    failures = {path_of(f["url"]).split("&")[0]: f for f in report(out)["failures"]}
    assert D + "22-021-S03" in failures and "off-site" in failures[D + "22-021-S03"]["reason"]
    assert D + "22-035-S02" in failures and "redirect" in failures[D + "22-035-S02"]["reason"]


def test_a_corrupt_snapshot_is_named_with_the_way_out(tmp_path):
    out = tmp_path / "out"
    with Mirror() as m:
        r, _ = run(m.origin, out, *TIMING, *throttle(False, 0.0), "--crawl-date", "2026-03-01")
        assert r.returncode == 0, r.stderr[-2000:]
        snap = out / "snapshots" / "crawl_date=2026-03-01" / "projects.parquet"
        snap.write_bytes(b"not parquet")
        before = (out / "projects.parquet").read_bytes()
        r, _ = run(m.origin, out, *TIMING, *throttle(False, 0.0), "--crawl-date", "2026-03-08")
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    assert str(snap) in last and "to recover" in last, last
    assert report(out)["status"] == "error"
    assert (out / "projects.parquet").read_bytes() == before


def test_a_failure_reason_is_cut_like_a_reject_reason():
    """An exception's text can be a whole page: crawl_report.json keeps at most 300 characters
    of it, as rejects.jsonl does."""
    from projektbank.crawler.report import CrawlReport
    from projektbank.pipelines.inputs import MAX_REASON

    report = CrawlReport()
    report.fail("http://127.0.0.1/x", "detail", "boom " * 1000 + "\ud800", 3)
    reason = report.failures["http://127.0.0.1/x"]["reason"]
    assert len(reason) <= MAX_REASON and reason.startswith("boom boom")
    reason.encode("utf-8")  # no lone surrogate reaches the report
