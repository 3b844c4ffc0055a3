"""End-to-end crawls of the bundled sample site over real HTTP on 127.0.0.1.

Every crawl runs as a subprocess (`python -m projektbank crawl …`): Twisted's reactor cannot be
restarted in one process. The mirror runs in a thread of the test process and logs requests.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pyarrow.parquet as pq
import pytest
from projektbank.crawler.mirror import Mirror, read_log, repo_site_dir
from projektbank.crawler.urls import canonical_detail_url, is_detail_url
from protego import Protego

REPO = Path(__file__).resolve().parent.parent
SITE = repo_site_dir()
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]
FILTER_PARAMS = {"startår", "region", "programområde", "orderby", "order", "sort", "s", "format"}
DISALLOWED = {"/resultat/projektbanken/projekt/?dnr=99-999-S99",
              "/sv/Resultat/Projektbanken/Behallare-for-projekt/Intern/Testprojekt/"}
NOT_FOUND_TEMPLATE = "/resultat/projektbanken/projekt/?dnr=2017/00000"
BROKEN = "/resultat/projektbanken/projekt/?dnr=2016/00404"


def site_detail_paths() -> set[str]:
    """Every project page of the bundled site, as a canonical path + query."""
    paths = set()
    for f in (SITE / "resultat/projektbanken/projekt/dnr").glob("*.html"):
        paths.add("/resultat/projektbanken/projekt/?dnr=" + unquote(f.stem))
    for f in (SITE / "sv").rglob("index.html"):
        paths.add("/" + str(f.parent.relative_to(SITE)) + "/")
    return paths


EXPECTED = site_detail_paths() - DISALLOWED - {NOT_FOUND_TEMPLATE}


def crawl(origin: str, out: Path, *extra: str, timeout: int = 60) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "projektbank", "crawl", "--start-url",
           origin + "/resultat/projektbanken/", "--out", str(out), *FAST, *extra]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def path_of(url: str) -> str:
    p = urlsplit(url)
    return p.path + ("?" + p.query if p.query else "")


def table(path: Path):
    return pq.read_table(path / "projects.parquet")


def assert_rebuilt_from_raw(out: Path, rebuilt: Path) -> None:
    """`projektbank extract OUT/raw` gives the crawl's projects.parquet exactly."""
    r = subprocess.run([sys.executable, "-m", "projektbank", "extract", str(out / "raw"), "--out",
                        str(rebuilt), "-q"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert table(rebuilt).equals(table(out))


def rows(path: Path, drop=("fetched_at",)) -> list[dict]:
    t = table(path)
    return t.drop_columns([c for c in drop if c in t.column_names]).to_pylist()


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    log = tmp_path_factory.mktemp("mirror") / "requests.jsonl"
    with Mirror(log_path=log) as m:
        m.log = log
        yield m


@pytest.fixture(scope="module")
def normal(mirror, tmp_path_factory):
    out = tmp_path_factory.mktemp("normal") / "out"
    start = len(read_log(mirror.log))
    t0 = time.time()
    result = crawl(mirror.origin, out)
    assert result.returncode == 0, result.stderr[-3000:]
    return {"out": out, "log": read_log(mirror.log)[start:], "result": result,
            "seconds": time.time() - t0}


def test_every_project_exactly_once(normal, mirror):
    t = table(normal["out"])
    ids = t["project_id"].to_pylist()
    assert len(ids) == len(set(ids))
    urls = {path_of(u) for u in t["source_url"].to_pylist()}
    assert urls == EXPECTED
    periods = set(t["programme_period"].to_pylist())
    assert periods == {"2021-2027", "2014-2020", "2007-2013"}
    # the page only the sitemap links to
    assert "2020/00111" in ids


def test_one_request_per_project_and_no_fan_out(normal):
    targets = [r["target"] for r in normal["log"] if r["target"] != "/robots.txt"]
    details = [canonical_detail_url("http://h" + t) for t in targets if is_detail_url("http://h" + t)]
    assert len(details) == len(set(details)), "a project was requested twice"
    for t in targets:
        names = {k.lower() for k, _ in parse_qsl(urlsplit(t).query)}
        assert not names & FILTER_PARAMS, f"followed a filter/sort link: {t}"
    list_pages = [t for t in targets if urlsplit(t).path == "/resultat/projektbanken/"]
    assert len(list_pages) == len(set(list_pages)) == len(list((SITE / "resultat/projektbanken").glob("index*.html")))


def test_robots_txt_obeyed(normal, mirror):
    robots = Protego.parse((SITE / "robots.txt").read_text())
    targets = [r["target"] for r in normal["log"]]
    # once: RobotsTxtMiddleware's fetch also gives the spider its Sitemap: lines
    assert targets.count("/robots.txt") == 1
    for t in targets:
        assert robots.can_fetch(mirror.origin + t, "projektbank"), f"requested a disallowed URL: {t}"
    assert not DISALLOWED & {path_of("http://h" + t) for t in targets}


def test_report(normal):
    report = json.loads((normal["out"] / "crawl_report.json").read_text())
    assert report["status"] == "published"
    assert report["list_pages"] == 6
    assert report["records"] == len(EXPECTED)
    assert report["detail_pages"] == len(EXPECTED) + 1          # + the not-found template
    assert report["rejects"] == 1
    assert [path_of(r["url"]) for r in report["reject_list"]] == [NOT_FOUND_TEMPLATE]
    assert [(path_of(f["url"]), f["reason"]) for f in report["failures"]] == [(BROKEN, "HTTP 404")]
    assert {path_of(d["url"]) for d in report["disallowed"]} == DISALLOWED
    assert report["retries"]["count"] == 0
    assert isinstance(report["unknown_labels"], dict)
    assert set(report["fill_rate"]) >= {"project_id", "project_name", "description"}
    assert report["fill_rate"]["project_id"] == 1.0
    assert report["start"] <= report["end"] and report["duration_s"] > 0
    assert report["requests"] > report["detail_pages"] and report["response_bytes"] > 0
    assert report["settings"]["ROBOTSTXT_OBEY"] is True
    assert report["counters"]["filter_links_skipped"] > 0
    rejects = [json.loads(line) for line in (normal["out"] / "rejects.jsonl").read_text().splitlines()]
    assert [path_of(r["source"]) for r in rejects] == [NOT_FOUND_TEMPLATE]
    for name in ("projects.parquet", "projects.csv", "rejects.jsonl", "schema.json"):
        assert (normal["out"] / name).is_file()
    # Scrapy's LogStats progress lines: in the log file, not on the terminal (unless -v)
    assert "Crawled" in (normal["out"] / "crawl.log").read_text(encoding="utf-8")
    assert "Crawled" not in normal["result"].stderr
    assert normal["result"].stderr.strip().splitlines()[-1].startswith("published ")


def test_raw_archive_rebuilds_the_dataset(normal, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    raw = normal["out"] / "raw"
    files = sorted(raw.glob("*.warc.gz"))
    assert files
    shas = {}
    for f in files:
        with open(f, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    body = rec.content_stream().read()
                    sha = rec.rec_headers.get_header("WARC-Projektbank-Sha256")
                    assert sha == hashlib.sha256(body).hexdigest()
                    assert rec.http_headers.get_header("Content-Encoding") is None
                    shas[rec.rec_headers.get_header("WARC-Target-URI")] = sha
    assert len(shas) == len(EXPECTED) + 1
    t = table(normal["out"])
    for url, sha in zip(t["source_url"].to_pylist(), t["content_sha256"].to_pylist(), strict=True):
        assert shas[url] == sha
    other = tmp_path / "rebuilt"
    r = subprocess.run([sys.executable, "-m", "projektbank", "extract", str(raw), "--out", str(other), "-q"],
                       cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    # first_seen/last_seen come from the crawl history, which the rebuild reads beside raw/
    crawled = table(normal["out"])
    assert all(v is not None for v in crawled["first_seen"].to_pylist())
    assert table(other).equals(crawled)
    bare = tmp_path / "bare"
    r = subprocess.run([sys.executable, "-m", "projektbank", "extract", str(raw), "--out", str(bare),
                        "-q", "--no-history"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    history = ["first_seen", "last_seen"]
    assert table(bare)["first_seen"].null_count == table(bare).num_rows
    assert table(bare).drop_columns(history).equals(crawled.drop_columns(history))


def test_scrapy_crawl_does_the_same(normal, mirror, tmp_path):
    out = tmp_path / "scrapy"
    r = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "esf", "-a",
                        f"start_url={mirror.origin}/resultat/projektbanken/", "-a", f"out={out}",
                        *FAST], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-3000:]
    assert rows(out) == rows(normal["out"])


def test_faults(tmp_path):
    log = tmp_path / "faults.jsonl"
    with Mirror(faults="default", log_path=log) as m:
        r = crawl(m.origin, tmp_path / "out", "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=3",
                  "-s", "PROJEKTBANK_RETRY_BACKOFF_BASE=0.1")
    assert r.returncode == 0, r.stderr[-3000:]
    unrecoverable = "/resultat/projektbanken/projekt/?dnr=2015/00777"
    t = table(tmp_path / "out")
    urls = [path_of(u) for u in t["source_url"].to_pylist()]
    assert sorted(urls) == sorted(EXPECTED - {unrecoverable})     # every recoverable one, once
    report = json.loads((tmp_path / "out" / "crawl_report.json").read_text())
    failures = {path_of(f["url"]): f for f in report["failures"]}
    assert set(failures) == {unrecoverable, BROKEN}
    assert failures[unrecoverable]["reason"].startswith("HTTP 503") and failures[unrecoverable]["attempts"] == 4
    assert failures[BROKEN]["reason"] == "HTTP 404" and failures[BROKEN]["attempts"] == 1
    assert report["rejects"] == 1
    reasons = report["retries"]["reasons"]
    assert any("429" in k for k in reasons) and any("Timeout" in k for k in reasons)
    entries = read_log(log)

    def hits(target):
        return [e for e in entries if e["target"] == target]

    # 429 with Retry-After: 1 → the retry came at least a second later
    h = hits("/resultat/projektbanken/projekt/?dnr=22-021-S03")
    assert [e["status"] for e in h] == [429, 200] and h[1]["t"] - h[0]["t"] >= 0.95
    assert [e["status"] for e in hits("/resultat/projektbanken/projekt/?dnr=23-002-S02")] == ["drop", 200]
    assert [e["status"] for e in hits("/resultat/projektbanken/projekt/?dnr=2019/00492")] == [503, 503, 200]
    assert [e["status"] for e in hits("/resultat/projektbanken/?sida=2")] == [500, 200]
    assert len(hits(unrecoverable)) == 4          # 1 + RETRY_TIMES, then listed, not retried forever
    assert len(hits(BROKEN)) == 1                  # a 404 is not retried
    # backoff: the 503 retries were spaced out
    h = hits(unrecoverable)
    assert h[-1]["t"] - h[0]["t"] >= 0.1 * (1 + 2 + 4) * 0.75


def test_kill_and_resume_gives_the_same_dataset(normal, mirror, tmp_path):
    out, job = tmp_path / "out", tmp_path / "job"
    args = [sys.executable, "-m", "projektbank", "crawl", "--start-url",
            mirror.origin + "/resultat/projektbanken/", "--out", str(out), "--resume", str(job),
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]
    slow = subprocess.Popen([*args, "-s", "DOWNLOAD_DELAY=0.2", "-s", "CONCURRENT_REQUESTS=1",
                             "-s", "DOWNLOAD_DELAY_JITTER=0"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    try:
        while time.time() < deadline:  # wait until some project pages are archived
            warcs = list((out / "raw").glob("*.warc.gz"))
            if warcs and sum(f.stat().st_size for f in warcs) > 20_000:
                break
            time.sleep(0.05)
    finally:
        os.kill(slow.pid, signal.SIGKILL)
        slow.wait(10)
    marker = json.loads((job / "projektbank-job.json").read_text())
    assert marker["state"] == "running"
    assert not (out / "projects.parquet").exists()
    start = len(read_log(mirror.log))
    r = subprocess.run([*args, "-s", "DOWNLOAD_DELAY=0"], cwd=REPO, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads((out / "crawl_report.json").read_text())
    assert report["resumed"] is True and len(report["segments"]) == 2
    assert 0 < report["counters"]["skipped_already_archived"] < len(EXPECTED)
    # the resumed run did not fetch again what the killed one had archived
    again = [e["target"] for e in read_log(mirror.log)[start:] if is_detail_url("http://h" + e["target"])]
    assert len(again) == len(EXPECTED) + 2 - report["counters"]["skipped_already_archived"]  # + template, 404
    assert rows(out) == rows(normal["out"])
    assert_rebuilt_from_raw(out, tmp_path / "rebuilt")  # the archive of both runs rebuilds it
    # a later run with the same --resume starts a new job (the last one finished)
    assert json.loads((job / "projektbank-job.json").read_text())["state"] == "finished"


def test_ctrl_c_to_the_process_group_stops_cleanly_and_resumes(normal, mirror, tmp_path):
    """Ctrl-C in a terminal reaches the extraction workers too: the crawl must still stop
    gracefully (no hang), say it was interrupted, and resume to the same dataset."""
    out, job = tmp_path / "out", tmp_path / "job"
    args = [sys.executable, "-m", "projektbank", "crawl", "--start-url",
            mirror.origin + "/resultat/projektbanken/", "--out", str(out), "--resume", str(job),
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "PROJEKTBANK_EXTRACT_WORKERS=1"]
    slow = subprocess.Popen([*args, "-s", "DOWNLOAD_DELAY=0.2", "-s", "CONCURRENT_REQUESTS=1",
                             "-s", "DOWNLOAD_DELAY_JITTER=0"], cwd=REPO, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:  # some project pages are written
            warcs = list((out / "raw").glob("*.warc.gz"))
            if warcs and sum(f.stat().st_size for f in warcs) > 20_000:
                break
            time.sleep(0.05)
        os.killpg(slow.pid, signal.SIGINT)
        code = slow.wait(60)
    finally:
        if slow.poll() is None:
            os.killpg(slow.pid, signal.SIGKILL)
            slow.wait(10)
    assert code == 130
    assert json.loads((job / "projektbank-job.json").read_text())["state"] == "interrupted"
    assert json.loads((out / "crawl_report.json").read_text())["status"] == "interrupted"
    r = subprocess.run([*args, "-s", "DOWNLOAD_DELAY=0"], cwd=REPO, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert rows(out) == rows(normal["out"])


def test_a_write_error_stops_the_crawl_and_resume_fetches_the_lost_pages(normal, mirror, tmp_path):
    """A full disk while the third page is appended: the crawl stops at once with a one-line
    reason, publishes nothing, and --resume (after the cause is fixed) gets every page."""
    out, job = tmp_path / "out", tmp_path / "job"
    args = ["--start-url", mirror.origin + "/resultat/projektbanken/", "--out", str(out),
            "--resume", str(job), "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
            "-s", "PROJEKTBANK_EXTRACT_WORKERS=1", "-s", "CONCURRENT_REQUESTS=2"]
    full_disk = ["-s", "PROJEKTBANK_RAW_ARCHIVE_CLASS=tests.fault_seams.FullDiskArchive",
                 "-s", "PROJEKTBANK_FLOW_BATCH_PAGES=1"]  # one append per page: the third fails
    r = subprocess.run([sys.executable, "-m", "projektbank", "crawl", *args, *full_disk],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr[-3000:]
    assert "No space left on device" in r.stderr.strip().splitlines()[-1]
    report = json.loads((out / "crawl_report.json").read_text())
    assert report["status"] == "error" and "No space left" in report["reason"]
    assert not (out / "projects.parquet").exists()
    assert json.loads((job / "projektbank-job.json").read_text())["state"] == "running"
    r = subprocess.run([sys.executable, "-m", "projektbank", "crawl", *args], cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert rows(out) == rows(normal["out"])
    assert_rebuilt_from_raw(out, tmp_path / "rebuilt")


def test_failed_assertion_keeps_previous_datasets(normal, mirror, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    before = {}
    for name in ("projects.parquet", "projects.csv", "rejects.jsonl", "schema.json"):
        data = (normal["out"] / name).read_bytes()
        (out / name).write_bytes(data)
        before[name] = data
    r = crawl(mirror.origin, out, "--min-records", "1000")
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("projektbank crawl: run assertion failed:") and "1000" in last
    for name, data in before.items():
        assert (out / name).read_bytes() == data
    report = json.loads((out / "crawl_report.json").read_text())
    assert report["status"] == "assertions_failed" and report["assertion_failures"]


@pytest.mark.parametrize("extra,code,message", [
    (["-s", "NOVALUE"], 2, "-s expects NAME=VALUE"),
    (["--min-fill", "no_such_column=0.5"], 2, "unknown column"),
    (["--ids", "/nonexistent/ids.txt"], 2, "no such file"),
    (["--start-url", "ftp://x/"], 2, "not an http(s) URL"),
])
def test_bad_arguments(extra, code, message, tmp_path):
    # a local start URL: if validation ever regressed, the run must not reach the live site
    local = [] if "--start-url" in extra else ["--start-url", "http://127.0.0.1:9/resultat/projektbanken/"]
    r = subprocess.run([sys.executable, "-m", "projektbank", "crawl", "--out", str(tmp_path / "o"),
                        *local, *extra],
                       cwd=REPO, capture_output=True, text=True, timeout=30)
    assert r.returncode == code and r.stderr.count("\n") == 1 and message in r.stderr


def test_unwritable_output(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = subprocess.run([sys.executable, "-m", "projektbank", "crawl", "--out", str(blocker / "sub"),
                        "--start-url", "http://127.0.0.1:9/resultat/projektbanken/"],
                       cwd=REPO, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "cannot write" in r.stderr


def test_seeds_ids_kohesio_sitemap(mirror, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("# diarienummer or URLs\n2019/00492\n"
                   f"{mirror.origin}/resultat/projektbanken/projekt/?dnr=2016%2F00311\n")
    kohesio = tmp_path / "kohesio.csv"
    kohesio.write_text("Operation_Local_Identifier;Operation_Name_Programme_Language\n"
                       "2021SE05SFPR001_23-114-S01;Nationell samverkan\n"
                       "2021SE16RFPR001_20201234;ERDF, not ours\n")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "projektbank", "crawl", "--start-url",
                        mirror.origin + "/resultat/projektbanken/projekt/?dnr=22-021-S03",
                        "--out", str(out), "--ids", str(ids), "--kohesio-csv", str(kohesio),
                        "--sitemap", mirror.origin + "/sitemap.xml",
                        "-s", "PROJEKTBANK_SITEMAPS_FROM_ROBOTS=False", *FAST],
                       cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-3000:]
    ids_found = set(table(out)["project_id"].to_pylist())
    # the start URL, --ids (2), Kohesio (1; not the ERDF one) and the sitemap's project pages;
    # the sitemap's list page is not in scope: the start URL is a project page, not a list
    assert ids_found == {"22-021-S03", "2019/00492", "2016/00311", "23-114-S01", "2020/00111"}


def test_resume_follows_the_links_of_pages_archived_before_the_stop(tmp_path):
    """A project linked only from a page the killed run archived is still crawled on resume
    (the page itself is not fetched again, so its links come from the archive)."""
    from datetime import UTC, datetime

    from projektbank.pipelines.warc import RawArchive

    pages = REPO / "samples" / "pages"
    a, b, c = "2019/00492", "2016/00127", "2020/00078"
    root = tmp_path / "site"
    detail = root / "resultat" / "projektbanken" / "projekt" / "dnr"
    detail.mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow:\n", encoding="utf-8")
    for dnr, name in ((a, "esf1420_dl_2019-00492"), (b, "esf1420_li_2016-00127"),
                      (c, "esf1420_divspan_2020-00078")):
        (detail / (dnr.replace("/", "%2F") + ".html")).write_bytes((pages / f"{name}.html").read_bytes())
    links = "".join(f'<li><a href="/resultat/projektbanken/projekt/?dnr={d}">{d}</a></li>' for d in (a, b))
    (root / "resultat" / "projektbanken" / "index.html").write_text(
        f"<!DOCTYPE html><html><body><h1>Projektbanken</h1><ul>{links}</ul></body></html>",
        encoding="utf-8")
    out, job = tmp_path / "out", tmp_path / "job"
    with Mirror(root, log_path=tmp_path / "log.jsonl") as m:
        # the state a killed run leaves: page A archived (with a link to C), the job `running`
        body = (pages / "esf1420_dl_2019-00492.html").read_bytes().replace(
            b"</body>", f'<a href="/resultat/projektbanken/projekt/?dnr={c}">Relaterat</a></body>'.encode())
        archive = RawArchive(out / "raw", "20261130T000000000Z")
        archive.write(m.origin + f"/resultat/projektbanken/projekt/?dnr={a}", 200,
                      [("Content-Type", "text/html; charset=utf-8")], body, datetime.now(UTC))
        archive.close()
        job.mkdir()
        (job / "projektbank-job.json").write_text(json.dumps({
            "job_id": "J", "out": str(out.resolve()), "state": "running",
            "start_urls": [m.origin + "/resultat/projektbanken/"],
            "segments": [{"run_id": "20261130T000000000Z", "start": "2026-11-30T00:00:00Z"}]}),
            encoding="utf-8")
        r = crawl(m.origin, out, "--resume", str(job))
        assert r.returncode == 0, r.stderr[-3000:]
        asked = [e["target"] for e in read_log(tmp_path / "log.jsonl")]
    assert f"/resultat/projektbanken/projekt/?dnr={c}" in asked
    assert f"/resultat/projektbanken/projekt/?dnr={a}" not in asked  # archived: not fetched again
    assert {row["project_id"] for row in rows(out)} == {a, b, c}


def test_one_table_says_how_a_run_ends():
    """Status, exit code, job marker, raw archive and the reason's form of every ending."""
    from projektbank.crawler import outcomes as o

    job = Path("/j")
    table = {name: (x.status, x.exit_code, x.marker, x.restores_archive(True),
                    x.restores_archive(False), x.explain("why", job), x.explain("why", None))
             for name, x in vars(o).items() if isinstance(x, o.Outcome)}
    stopped = ("why; previous datasets kept; resume with --resume /j", "why; previous datasets kept")
    kept = ("why (previous datasets kept)",) * 2
    assert table == {
        "PUBLISHED": ("published", 0, "finished", False, False, "why", "why"),
        "SAMPLE": ("finished", 0, "finished", False, False, "why", "why"),
        "NOT_STARTED": ("error", 1, None, True, True, "why", "why"),
        "WRITE_ERROR": ("error", 1, "running", False, True,
                        "why (previous datasets kept; fix the cause and resume with --resume /j)",
                        "why (previous datasets kept)"),
        "INTERRUPTED": ("interrupted", 130, "interrupted", False, True, *stopped),
        "STOPPED_EARLY": ("interrupted", 1, "interrupted", False, True, *stopped),
        "STOPPED_ON_ERROR": ("error", 1, "interrupted", False, True, *stopped),
        "UNREACHABLE": ("error", 1, "finished", True, True, *kept),
        "ASSERTIONS_FAILED": ("assertions_failed", 1, "finished", True, True, *kept),
        "HISTORY_REFUSED": ("history_refused", 1, "finished", True, True, *kept),
        "HISTORY_UNREADABLE": ("error", 1, "finished", True, True, *kept),
        "CLOSE_FAILED": ("error", 1, "finished", True, True, "why", "why"),
    }
    assert o.stopped_by_close_reason("shutdown") is o.INTERRUPTED
    assert o.stopped_by_close_reason("closespider_timeout") is o.STOPPED_EARLY


@pytest.mark.parametrize("command", ["projektbank", "scrapy"])
def test_replacing_extensions_and_middlewares_keeps_the_job(normal, mirror, tmp_path, command):
    """A dict given with -s replaces the project's: the spider's job state and revalidation
    stay (EsfSpider.update_settings), so the crawl still publishes the same table."""
    out = tmp_path / "out"
    replaced = ["-s", 'EXTENSIONS={"scrapy.extensions.telnet.TelnetConsole": null}',
                "-s", 'DOWNLOADER_MIDDLEWARES={}']
    if command == "projektbank":
        r = crawl(mirror.origin, out, *replaced)
    else:
        r = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "esf", "-a",
                            f"start_url={mirror.origin}/resultat/projektbanken/", "-a", f"out={out}",
                            *FAST, *replaced], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads((out / "crawl_report.json").read_text())["status"] == "published"
    assert rows(out) == rows(normal["out"])
