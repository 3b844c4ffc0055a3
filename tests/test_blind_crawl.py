"""Blind crawl test: an independent copy of the site (tests/blind_site.py), crawled as the checker
of issues 3 and 4 will crawl it.

`projektbank crawl --start-url http://127.0.0.1:PORT/resultat/projektbanken/ --out DIR
-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False` runs as a subprocess against a server of the
test's own (not crawler/mirror.py), which logs every request. Then: every recoverable project
exactly once, no request a robots.txt rule forbids, no filter fan-out, the endless pagination
stopped, failures listed, `projektbank extract DIR/raw` equal to the crawl; a second crawl a
week later with known changes and a third with none; crawls SIGKILLed while publishing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from protego import Protego

sys.path.insert(0, str(Path(__file__).resolve().parent))
from blind_site import DETAIL_PATH, LIST_PATH, Server, Site, canonical_project_key  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
_BIN = Path(sys.executable).parent / "projektbank"
PROJEKTBANK = [str(_BIN)] if _BIN.exists() else [sys.executable, "-m", "projektbank"]
CHECKER = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
FILTER_PARAMS = {"startår", "region", "programområde", "antal deltagare", "projektbudget",
                 "esf-stöd", "sort", "orderby", "order", "s", "q"}


def crawl(origin: str, out: Path, *extra: str, timeout: int = 120) -> subprocess.CompletedProcess:
    cmd = [*PROJEKTBANK, "crawl", "--start-url", origin + LIST_PATH, "--out", str(out),
           *CHECKER, *extra]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def report(out: Path) -> dict:
    return json.loads((out / "crawl_report.json").read_text())


def split(path: str) -> tuple[str, str]:
    p = urlsplit(path)
    return p.path, p.query


def ids(out: Path) -> list[str]:
    return pq.read_table(out / "projects.parquet").column("project_id").to_pylist()


# ------------------------------------------------------------------ run 1: the checker's crawl

@pytest.fixture(scope="module")
def server():
    site = Site()
    with Server(site) as s:
        yield s


@pytest.fixture(scope="module")
def run1(server, tmp_path_factory):
    out = tmp_path_factory.mktemp("blind") / "out"
    server.site.reset_faults()
    mark = server.mark()
    proc = crawl(server.origin, out)
    log = server.since(mark)
    (out.parent / "requests.json").write_text(json.dumps(log, indent=1, ensure_ascii=False))
    return {"proc": proc, "out": out, "log": log}


def test_crawl_exits_0_and_publishes(run1):
    proc = run1["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    rep = report(run1["out"])
    assert rep["status"] == "published"
    assert (run1["out"] / "projects.parquet").exists()


def test_every_recoverable_project_exactly_once(run1, server):
    got = ids(run1["out"])
    dups = [k for k, n in Counter(got).items() if n > 1]
    assert not dups, f"projects more than once: {dups}"
    site = server.site
    expected = site.expected_ids()
    missing = sorted(expected - set(got))
    unexpected = sorted(set(got) - expected - site.INFORMATIONAL)
    assert not missing, f"recoverable projects missing: {missing}"
    assert not unexpected, f"rows that must not be there: {unexpected}"
    assert not set(got) & site.NOT_EXPECTED
    # a 2007–2013 region container page is read like a list page for its project links
    assert "ESF0713:stockholm/bara-i-behallaren" in got


def test_pages_decoded_names_match(run1, server):
    """gzip (Content-Encoding), windows-1252 in the header only, copies under new names."""
    t = pq.read_table(run1["out"] / "projects.parquet")
    names = {p.project_id: p.name for p in server.site.by_key.values()}
    wrong = {r["project_id"]: (r["project_name"], names.get(r["project_id"]))
             for r in t.select(["project_id", "project_name"]).to_pylist()
             if names.get(r["project_id"]) != r["project_name"]}
    assert not wrong
    gz = [r for r in run1["log"] if "22-177-S07" in r["path"] and r["status"] == 200]
    assert gz and "gzip" in gz[0]["ae"], "the gzip page was not served compressed"


def test_no_request_to_robots_disallowed_paths(run1, server):
    log = run1["log"]
    rp = Protego.parse(server.site.robots(server.origin).decode())
    assert [r for r in log if r["path"] == "/robots.txt"], "robots.txt was never read"
    bad = [r["path"] for r in log if r["path"] != "/robots.txt"
           and not rp.can_fetch(server.origin + r["path"], r["ua"] or "projektbank")]
    assert not bad, f"robots.txt disallows these requests: {bad}"
    assert not [r for r in log if "/arkiv/" in r["path"] or "25-90" in r["path"]
                or "/Gotland/" in r["path"]]
    listed = {d["url"] for d in report(run1["out"]).get("disallowed", [])}
    for path in (DETAIL_PATH + "?dnr=25-901-S01",
                 "/sv/Resultat/Projektbanken/Behallare-for-projekt/Gotland/Ovisby/"):
        assert server.origin + path in listed


def test_stays_on_the_start_host(run1, server):
    hosts = Counter(r["host"] for r in run1["log"])
    assert set(hosts) == {f"127.0.0.1:{server.port}"}, hosts
    got = set(ids(run1["out"]))
    assert "23-951-S05" not in got and "23-950-S05" not in got


def test_no_filter_fanout_no_calendar(run1):
    bad = []
    for r in run1["log"]:
        path, query = split(r["path"])
        names = {unquote(k).lower() for k, _v in parse_qsl(query, keep_blank_values=True)}
        if names & FILTER_PARAMS or path.startswith("/kalender/"):
            bad.append(r["path"])
    assert not bad, f"filter/sort/search/calendar URLs requested: {bad[:20]} ({len(bad)})"


def list_page_counts(log: list[dict]) -> Counter:
    pages = Counter()
    for r in log:
        path, query = split(r["path"])
        if r["status"] >= 500:
            continue  # a retried 503
        if path.startswith(LIST_PATH + "page/"):
            pages[int(path.rstrip("/").rsplit("/", 1)[1])] += 1
        elif path == LIST_PATH and "visa" not in query:
            pages[int(dict(parse_qsl(query)).get("sida", "1"))] += 1
    return pages


def test_every_pagination_signal_followed(run1, server):
    """Page n links to n+1 by one signal only (numbered, "Nästa sida ›", <link rel=next>,
    <a rel=next>, numbered relative to <base>, "Nästa" relative): each page must be reached
    from the page before it."""
    site = server.site
    last = site.SIDA_PAGES + len(site.WP_PAGES)
    pages = list_page_counts(run1["log"])
    assert all(pages[n] == 1 for n in range(1, last + 1)), pages
    came_from = {}
    for r in run1["log"]:
        if r["status"] == 200 and r["referer"]:
            came_from.setdefault(split(r["path"]), split(urlsplit(r["referer"])._replace(
                scheme="", netloc="").geturl()))
    for n in range(2, last + 1):
        assert came_from[split(site.list_url(n))] == split(site.list_url(n - 1)), n


def test_endless_pagination_stopped(run1, server):
    """After the last real page comes an endless run of empty pages, each linking on (and a
    "Senaste projekten" widget repeating three known projects on every list page)."""
    last = server.site.SIDA_PAGES + len(server.site.WP_PAGES)
    pages = list_page_counts(run1["log"])
    assert all(v == 1 for v in pages.values()), f"list pages fetched twice: {pages}"
    beyond = sorted(n for n in pages if n > last)
    assert len(beyond) <= 10, f"empty pages after the last real one: {beyond}"


def test_one_request_per_project(run1):
    per = Counter()
    for r in run1["log"]:
        path, query = split(r["path"])
        key = canonical_project_key(path, query)
        if key and r["status"] < 500:
            per[key] += 1
    twice = {k: n for k, n in per.items() if n > 1}
    assert not twice, f"projects requested more than once: {twice}"


def test_requests_proportional_to_projects(run1, server):
    site = server.site
    # projects + the 404, not-found, renumbered and 500 (with its retries) links
    n_details = len(site.expected_ids() | site.INFORMATIONAL) + 3 + 5
    n_lists = site.SIDA_PAGES + len(site.WP_PAGES) + 10  # + the trap's first pages
    total = len(run1["log"])
    # + robots.txt (once), three sitemaps, the 503-once list and detail page
    assert total <= n_details + n_lists + 1 + 3 + 2, f"{total} requests"
    assert [r["path"] for r in run1["log"]].count("/robots.txt") == 1
    rep = report(run1["out"])
    assert rep["requests"] <= total + 2


def test_failures_listed_with_reasons(run1, server):
    rep = report(run1["out"])
    failures = {f["url"]: f for f in rep["failures"]}
    broken = failures.get(server.origin + Site.BROKEN)
    error = failures.get(server.origin + Site.ERROR500)
    assert broken and "404" in broken["reason"], rep["failures"]
    assert error and "500" in error["reason"], rep["failures"]
    assert len(failures) == 2, rep["failures"]  # the 503-once page recovered, so not a failure
    rejected = {r["url"] for r in rep["reject_list"]}
    assert server.origin + Site.NOT_FOUND in rejected
    requests_404 = [r for r in run1["log"] if r["path"] == Site.BROKEN]
    assert len(requests_404) == 1, "a 404 is not retried"


def test_extract_raw_equals_crawl(run1, tmp_path):
    other = tmp_path / "extract"
    proc = subprocess.run([*PROJEKTBANK, "extract", str(run1["out"] / "raw"), "--out", str(other)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    crawled = pq.read_table(run1["out"] / "projects.parquet")
    rebuilt = pq.read_table(other / "projects.parquet")
    assert crawled.schema.equals(rebuilt.schema)
    # the history columns come from the crawl's history, which extract reads beside raw/
    assert crawled.column("first_seen").null_count == 0
    assert rebuilt.equals(crawled)


# ------------------------------------------------------------------ issue 4: a week later

@pytest.fixture(scope="module")
def history(run1, server):
    """Run 2 (week 2 content, a week later), then run 3 (nothing changed, another week on)."""
    out = run1["out"]
    date1 = dt.date.fromisoformat(report(out)["history"]["crawl_date"])
    site = server.site
    site.set_week(2)
    runs = {}
    for n, days in ((2, 7), (3, 14)):
        site.reset_faults()
        mark = server.mark()
        # fewer retries for the always-500 page only to keep the test short
        proc = crawl(server.origin, out, "--crawl-date", str(date1 + dt.timedelta(days=days)),
                     "-s", "RETRY_TIMES=1")
        runs[n] = {"proc": proc, "log": server.since(mark), "report": report(out),
                   "date": date1 + dt.timedelta(days=days)}
        (out.parent / f"requests-run{n}.json").write_text(json.dumps(runs[n]["log"], indent=1))
    runs[1] = {"date": date1}
    return runs


def test_history_runs_exit_0(history):
    for n in (2, 3):
        assert history[n]["proc"].returncode == 0, history[n]["proc"].stderr[-2000:]


def test_changes_hold_exactly_the_known_changes(history, run1, server):
    ch = pq.read_table(run1["out"] / "changes.parquet").to_pylist()
    got = {(r["project_id"], r["change"], r["column"], r["old_value"], r["new_value"])
           for r in ch if r["crawl_date"] == history[2]["date"]}
    site = server.site
    old = {k: v.replace(" ", "") for k, v in site.week2_old.items()}
    new = {("22-131-S01", "end_date"): "2024-12-31", ("22-131-S01", "participants"): "150",
           ("2018/01118", "total_budget_sek"): "5250000", ("2018/01118", "participants"): "55"}
    expected = {(pid, "changed", col, old[(pid, col)], new[(pid, col)]) for pid, col in new}
    expected |= {(site.REMOVED, "disappeared", None, None, None),
                 (site.ADDED, "appeared", None, None, None)}
    assert got == expected
    assert len([r for r in ch if r["crawl_date"] == history[2]["date"]]) == len(expected)
    assert not [r for r in ch if r["crawl_date"] == history[1]["date"]]


def test_third_unchanged_run_adds_no_changes_and_gets_304s(history, run1):
    ch = pq.read_table(run1["out"] / "changes.parquet").to_pylist()
    assert not [r for r in ch if r["crawl_date"] == history[3]["date"]]
    cond = history[3]["report"]["conditional"]
    n304 = sum(1 for r in history[3]["log"] if r["status"] == 304)
    assert cond["sent"] >= 45, cond
    assert cond["not_modified"] == n304 >= cond["sent"] - 2, cond
    assert history[3]["report"]["history"]["changed_fields"] == 0


def test_latest_view_and_snapshots_after_three_runs(history, run1, server):
    out = run1["out"]
    t = pq.read_table(out / "projects.parquet").to_pylist()
    by = {r["project_id"]: r for r in t}
    site = server.site
    assert set(by) >= site.expected_ids()
    assert site.REMOVED not in by
    d1, d2, d3 = history[1]["date"], history[2]["date"], history[3]["date"]
    assert by[site.ADDED]["first_seen"] == d2
    assert by["22-131-S01"]["first_seen"] == d1
    assert {r["last_seen"] for r in t} == {d3}
    hist = ds.dataset(out / "snapshots", format="parquet", partitioning="hive").to_table()
    dates = Counter(str(d) for d in hist.column("crawl_date").to_pylist())
    assert set(dates) == {str(d1), str(d2), str(d3)}, dates
    snap1 = pq.read_table(out / f"snapshots/crawl_date={d1}/projects.parquet")
    assert site.REMOVED in snap1.column("project_id").to_pylist()


# ------------------------------------------------------------------ killed while publishing

def _publishing(out: Path, date: str) -> bool:
    if (out / "snapshots" / f"crawl_date={date}").exists():
        return True
    try:
        names = os.listdir(out)
    except FileNotFoundError:
        return False
    for n in names:
        if n.startswith(".") and n.endswith(".tmp"):
            return True
        if n.startswith(".projektbank-tmp") and (out / n / "spool.parquet").exists():
            return True
    return False


def _state(out: Path) -> tuple:
    t = pq.read_table(out / "projects.parquet")
    rows = sorted((r["project_id"], r["project_name"])
                  for r in t.select(["project_id", "project_name"]).to_pylist())
    return tuple(rows)


def test_kill_during_publish_leaves_latest_view_intact(tmp_path):
    site = Site(small=True)
    out = tmp_path / "out"
    rnd = random.Random(4)
    with Server(site) as srv:
        day = dt.date(2025, 1, 6)
        site.toggle(0)
        first = crawl(srv.origin, out, "--crawl-date", str(day))
        assert first.returncode == 0, first.stderr[-2000:]
        outcomes = []
        for attempt in range(1, 7):
            before = _state(out)
            site.toggle(attempt)
            day += dt.timedelta(days=7)
            cmd = [*PROJEKTBANK, "crawl", "--start-url", srv.origin + LIST_PATH, "--out",
                   str(out), *CHECKER, "--crawl-date", str(day)]
            proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            t0 = time.time()
            if attempt % 3 == 0:  # a random moment of the whole run
                time.sleep(rnd.uniform(0.5, 3.5))
            else:                 # as soon as publishing starts, plus a random few ms
                while proc.poll() is None and not _publishing(out, str(day)) \
                        and time.time() - t0 < 30:
                    time.sleep(0.001)
                time.sleep(rnd.uniform(0, 0.3))
            killed = proc.poll() is None
            if killed:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            # the latest view is whole: the old or the new, nothing else
            after = _state(out)
            new_name = site.listed[0].name
            is_new = any(name == new_name for _pid, name in after)
            assert after == before or is_new, f"attempt {attempt}: neither old nor new"
            if is_new:
                assert {p.project_id for p in site.listed} == {pid for pid, _n in after}
                # published in order: snapshot, then change log, then the latest view
                assert (out / "snapshots" / f"crawl_date={day}" / "projects.parquet").exists()
                changes = pq.read_table(out / "changes.parquet").to_pylist()
                assert [r for r in changes if str(r["crawl_date"]) == str(day)]
            pq.read_table(out / "changes.parquet")
            for f in (out / "snapshots").glob("*/projects.parquet"):
                pq.read_table(f)
            json.loads((out / "crawl_report.json").read_text())
            outcomes.append((attempt, killed, "new" if after != before else "old"))
        # and the next run after all that publishes normally
        site.toggle(99)
        day += dt.timedelta(days=7)
        last = crawl(srv.origin, out, "--crawl-date", str(day))
        assert last.returncode == 0, last.stderr[-2000:]
        assert any(name == site.listed[0].name for _pid, name in _state(out))
        changes = pq.read_table(out / "changes.parquet").to_pylist()
        keys = Counter((str(r["crawl_date"]), r["project_id"], r["change"], r["column"])
                       for r in changes)
        assert all(n == 1 for n in keys.values()), "duplicate change-log rows"
        print("kill outcomes (attempt, killed, latest view):", outcomes)


def test_extract_raw_equals_latest_view_after_reuse(history, run1, tmp_path):
    """After the 304 run, DIR/raw holds copied records: it must still rebuild the latest view."""
    out = run1["out"]
    assert history[3]["report"]["conditional"]["reused_records"] >= 45
    other = tmp_path / "extract3"
    proc = subprocess.run([*PROJEKTBANK, "extract", str(out / "raw"), "--out", str(other)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    a = pq.read_table(out / "projects.parquet").to_pylist()
    b = pq.read_table(other / "projects.parquet").to_pylist()
    assert [r["project_id"] for r in a] == [r["project_id"] for r in b]
    diff = {x["project_id"]: [k for k in x if x[k] != y[k]] for x, y in zip(a, b, strict=True)
            if x != y}
    assert not diff
