"""Fetching less (issue 4 §3): conditional requests, 304s and hash-equal pages reuse the previous
record, and `extract DIR/raw` still rebuilds the crawl. Real HTTP on 127.0.0.1 via the mirror;
crawls run as subprocesses (Twisted's reactor cannot be restarted in one process)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest
from projektbank.crawler.mirror import Mirror, read_log, repo_site_dir
from projektbank.crawler.urls import is_detail_url
from warcio.archiveiterator import ArchiveIterator

REPO = Path(__file__).resolve().parents[1]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        "--min-fill", "start_date=0", "--min-fill", "end_date=0"]
DETAIL = Path("resultat/projektbanken/projekt/dnr")
HISTORY = ["first_seen", "last_seen"]
CHANGED_1 = "22-021-S03"     # run 2: STORUMAN → LYCKSELE (the server answers 304s)
CHANGED_4 = "2019/00492"     # run 4: a new end date (the server ignores validators)


def get(url: str, **headers: str):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


# --- the mirror's validators ---------------------------------------------------------------------
def test_mirror_etag_last_modified_and_304(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(repo_site_dir(), site)
    path = "/resultat/projektbanken/projekt/?dnr=22-021-S03"
    log = tmp_path / "log.jsonl"
    with Mirror(site, cache=False, log_path=log, faults={path: ["503", "200"]}) as m:
        assert get(m.url(path))[0] == 503                    # faults come first
        status, headers, body = get(m.url(path))
        assert status == 200 and body
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert etag.startswith('"') and modified.endswith("GMT")
        status, headers304, body304 = get(m.url(path), **{"If-None-Match": etag})
        assert status == 304 and body304 == b"" and headers304["ETag"] == etag
        assert get(m.url(path), **{"If-None-Match": f'"x", W/{etag}'})[0] == 304  # weak, lists
        assert get(m.url(path), **{"If-Modified-Since": modified})[0] == 304
        # If-None-Match wins over If-Modified-Since
        assert get(m.url(path), **{"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200
        # the page changes: a new ETag, the old one no longer matches
        file = site / DETAIL / "22-021-S03.html"
        file.write_bytes(file.read_bytes().replace(b"STORUMAN", b"LYCKSELE"))
        status, headers2, _ = get(m.url(path), **{"If-None-Match": etag})
        assert status == 200 and headers2["ETag"] != etag
        # list pages have validators too (the crawler just never sends them there)
        assert "ETag" in get(m.url("/resultat/projektbanken/"))[1]
        m.conditional = False                                # a server that ignores validators
        status, headers3, _ = get(m.url(path), **{"If-None-Match": headers2["ETag"]})
        assert status == 200 and headers3["ETag"] == headers2["ETag"]
    entries = read_log(log)
    assert [e["status"] for e in entries[:3]] == [503, 200, 304]
    assert [e["conditional"] for e in entries[:3]] == [False, False, True]
    with Mirror(site, validators=False) as m:
        assert "ETag" not in get(m.url(path))[1]
        assert "Last-Modified" not in get(m.url(path))[1]


# --- four crawls ---------------------------------------------------------------------------------
def crawl(origin: str, out: Path, day: str, *extra: str) -> None:
    r = subprocess.run([sys.executable, "-m", "projektbank", "crawl", "--start-url",
                        origin + "/resultat/projektbanken/", "--out", str(out),
                        "--crawl-date", day, *FAST, *extra],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]


def extract(raw: Path, other: Path):
    r = subprocess.run([sys.executable, "-m", "projektbank", "extract", str(raw), "--out",
                        str(other), "-q"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return pq.read_table(other / "projects.parquet")


def warc_records(raw: Path) -> list[tuple[str, str, str]]:
    """(type, target URI, record id or refers-to) of every record in DIR/raw."""
    out = []
    for f in sorted(raw.glob("*.warc.gz")):
        with open(f, "rb") as fh:
            for rec in ArchiveIterator(fh):
                h = rec.rec_headers
                out.append((rec.rec_type, h.get_header("WARC-Target-URI"),
                            h.get_header("WARC-Refers-To") or h.get_header("WARC-Record-ID")))
    return out


def target_path(target: str) -> str:
    return urlsplit(target).path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1; change one page; run 2; run 3 (nothing changed); then the same site from a server
    that ignores validators, with another page changed: run 4; and run 5 with conditional
    requests switched off. Each run: the mirror's log lines, the report, the table, and
    `extract DIR/raw` right after it."""
    tmp = tmp_path_factory.mktemp("fetch_less")
    site = tmp / "site"
    shutil.copytree(repo_site_dir(), site)
    out = tmp / "esf"
    log = tmp / "requests.jsonl"
    results = {}

    def run(n: int, mirror: Mirror, day: str, *extra: str) -> None:
        start = len(read_log(log))
        crawl(mirror.origin, out, day, *extra)
        results[n] = {
            "log": read_log(log)[start:],
            "report": json.loads((out / "crawl_report.json").read_text()),
            "table": pq.read_table(out / "projects.parquet"),
            "rebuilt": extract(out / "raw", tmp / f"rebuilt{n}"),
            "records": warc_records(out / "raw"),
            "previous_records": warc_records(out / "raw-previous") if n > 1 else [],
            "mirror": mirror,
        }

    with Mirror(site, cache=False, log_path=log) as mirror:
        port = mirror.port
        run(1, mirror, "2026-11-01")
        page = site / DETAIL / f"{CHANGED_1}.html"
        page.write_text(page.read_text(encoding="utf-8").replace("STORUMAN", "LYCKSELE"),
                        encoding="utf-8")
        run(2, mirror, "2026-11-08")
        run(3, mirror, "2026-11-15")
    page = site / DETAIL / (CHANGED_4.replace("/", "%2F") + ".html")
    html = page.read_text(encoding="utf-8")
    assert "2020-01-01 - 2021-12-31" in html
    page.write_text(html.replace("2020-01-01 - 2021-12-31", "2020-01-01 - 2022-06-30"),
                    encoding="utf-8")
    with Mirror(site, port=port, cache=False, log_path=log, conditional=False) as ignoring:
        run(4, ignoring, "2026-11-22")
        run(5, ignoring, "2026-11-29", "-s", "PROJEKTBANK_CONDITIONAL_REQUESTS=False")
    results["out"] = out
    return results


def details(entries: list[dict]) -> list[dict]:
    return [e for e in entries if is_detail_url("http://h" + e["target"])]


def others(entries: list[dict]) -> list[dict]:
    return [e for e in entries if not is_detail_url("http://h" + e["target"])]


def test_first_run_sends_no_conditional_requests(runs):
    r = runs[1]
    assert r["log"] and not any(e["conditional"] for e in r["log"])
    c = r["report"]["conditional"]
    assert c["enabled"] is True and c["previous_pages"] == 0 and c["sent"] == 0


def test_second_run_gets_304s_and_refetches_the_changed_page(runs):
    r, first = runs[2], runs[1]
    archived = [e for e in details(first["log"]) if e["status"] == 200]   # the pages in raw
    d = details(r["log"])
    cond = [e for e in d if e["conditional"]]
    assert sorted(e["target"] for e in cond) == sorted(e["target"] for e in archived)
    assert [e["target"] for e in cond if e["status"] == 200] == [
        f"/resultat/projektbanken/projekt/?dnr={CHANGED_1}"]
    not_modified = [e for e in cond if e["status"] == 304]
    assert len(not_modified) == len(archived) - 1
    # list pages, robots.txt and the sitemap are fetched fresh, never conditionally
    assert others(r["log"]) and not any(e["conditional"] for e in others(r["log"]))
    assert all(e["status"] != 304 for e in others(r["log"]))
    c = r["report"]["conditional"]
    assert c["previous_pages"] == len(archived)
    assert c["sent"] == c["with_previous"] == len(archived)
    assert c["not_modified"] == len(not_modified) and c["changed"] == 1
    assert c["unchanged_hash"] == 0 and c["refetched"] == 0
    assert c["reused_pages"] == len(not_modified)
    assert c["reused_records"] + c["reextracted"] == c["reused_pages"]
    assert c["reextracted"] == 1                      # the not-found template: a reject, no row
    mirror = r["mirror"]
    assert c["bytes_saved"] == sum(len(mirror.resolve(e["target"])[2]) for e in not_modified)
    assert r["report"]["detail_pages_this_run"] == len(archived)


def test_changed_page_reextracted_unchanged_rows_kept(runs):
    before = {x["project_id"]: x for x in runs[1]["table"].to_pylist()}
    after = {x["project_id"]: x for x in runs[2]["table"].to_pylist()}
    assert set(before) == set(after)
    for pid, row in after.items():
        if pid == CHANGED_1:
            assert row["beneficiary_city"] == "LYCKSELE"
            assert row["fetched_at"] > before[pid]["fetched_at"]
            assert row["content_sha256"] != before[pid]["content_sha256"]
        else:  # the same record, as fetched in run 1; only last_seen moved on
            assert {k: v for k, v in row.items() if k != "last_seen"} == {
                k: v for k, v in before[pid].items() if k != "last_seen"}
            assert str(row["last_seen"]) == "2026-11-08"


def test_reused_records_are_copied_into_the_new_archive(runs):
    r = runs[2]
    responses = [x for x in r["records"] if x[0] == "response"]
    metadata = [x for x in r["records"] if x[0] == "metadata"]
    c = r["report"]["conditional"]
    assert len(responses) == c["reused_pages"] + c["changed"]
    assert len(metadata) == c["reused_pages"]
    previous_ids = {x[2] for x in r["previous_records"] if x[0] == "response"}
    copied = {x[2] for x in responses} & previous_ids
    assert len(copied) == c["reused_pages"]            # byte-for-byte copies keep their record id
    assert {x[2] for x in metadata} == copied          # each copy has its metadata record


def test_changes_hold_exactly_the_changes(runs):
    changes = pq.read_table(runs["out"] / "changes.parquet").to_pylist()
    assert [(c["project_id"], c["change"], c["column"], c["old_value"], c["new_value"],
             str(c["crawl_date"])) for c in changes] == [
        (CHANGED_1, "changed", "beneficiary_city", "STORUMAN", "LYCKSELE", "2026-11-08"),
        (CHANGED_4, "changed", "end_date", "2021-12-31", "2022-06-30", "2026-11-22")]
    for n in (3, 5):
        h = runs[n]["report"]["history"]
        assert h["appeared"] == h["disappeared"] == h["changed_fields"] == 0


def test_third_run_nothing_changed_all_304(runs):
    r = runs[3]
    d = details(r["log"])
    cond = [e for e in d if e["conditional"]]
    assert cond and all(e["status"] == 304 for e in cond)
    assert all(e["status"] == 404 for e in d if not e["conditional"])   # the broken link
    c = r["report"]["conditional"]
    assert c["not_modified"] == c["sent"] == c["reused_pages"] == len(cond)
    assert c["changed"] == 0 and c["bytes_saved"] > 0
    # the page changed in run 2 is reused now, with its run-2 fetched_at
    row3 = {x["project_id"]: x for x in r["table"].to_pylist()}[CHANGED_1]
    row2 = {x["project_id"]: x for x in runs[2]["table"].to_pylist()}[CHANGED_1]
    assert row3["fetched_at"] == row2["fetched_at"] and str(row3["last_seen"]) == "2026-11-15"


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_extract_raw_equals_the_crawl(runs, n):
    r = runs[n]
    assert r["rebuilt"].drop_columns(HISTORY).equals(r["table"].drop_columns(HISTORY))


def test_server_ignoring_validators_reuses_by_hash(runs):
    r = runs[4]
    d = details(r["log"])
    cond = [e for e in d if e["conditional"]]
    assert cond and all(e["status"] == 200 for e in cond)        # no 304 from this server
    c = r["report"]["conditional"]
    assert c["not_modified"] == 0 and c["bytes_saved"] == 0
    assert c["changed"] == 1 and c["unchanged_hash"] == len(cond) - 1
    assert c["reused_pages"] == c["unchanged_hash"]
    rows = {x["project_id"]: x for x in r["table"].to_pylist()}
    before = {x["project_id"]: x for x in runs[3]["table"].to_pylist()}
    assert str(rows[CHANGED_4]["end_date"]) == "2022-06-30"
    assert rows[CHANGED_4]["fetched_at"] > before[CHANGED_4]["fetched_at"]
    assert all(rows[p]["fetched_at"] == before[p]["fetched_at"] for p in rows if p != CHANGED_4)


def test_conditional_requests_can_be_switched_off(runs):
    r = runs[5]
    assert not any(e["conditional"] for e in r["log"])
    c = r["report"]["conditional"]
    assert c["enabled"] is False and c["sent"] == c["reused_pages"] == 0
    rows = {x["project_id"]: x for x in r["table"].to_pylist()}
    before = {x["project_id"]: x for x in runs[4]["table"].to_pylist()}
    assert all(rows[p]["fetched_at"] > before[p]["fetched_at"] for p in rows)   # all fetched anew


# --- units: the previous archive's index, the copy, an unreadable previous record ----------------
def test_index_copy_and_unreadable_previous_record(tmp_path):
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from projektbank.crawler.report import CrawlReport
    from projektbank.crawler.revalidate import PreviousCrawl, RevalidateMiddleware
    from projektbank.pipelines.warc import (
        RawArchive,
        index_responses,
        parse_member,
        read_warc,
        reused_copy,
        warc_files,
    )
    from scrapy.http import HtmlResponse, Request

    url = "http://h/resultat/projektbanken/projekt/?dnr=2019/00492"
    ts = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    a = RawArchive(tmp_path / "raw-previous", "run1")
    a.write(url, 200, [("Content-Type", "text/html"), ("ETag", '"v1"'),
                       ("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT")], b"<p>x</p>", ts)
    a.close()
    prev = PreviousCrawl(tmp_path, warc_files(tmp_path / "raw-previous"))
    entry = prev.get(url)
    assert entry.etag == '"v1"' and entry.fetched_at == ts and entry.content_type == "text/html"
    assert PreviousCrawl.conditional_headers(entry) == {
        "If-None-Match": '"v1"', "If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"}
    member, page = prev.load(entry)
    assert page["body"] == b"<p>x</p>" and page["fetched_at"] == ts
    # the copy: the same record, byte for byte, and a metadata record with the new validators
    b = RawArchive(tmp_path / "raw", "run2")
    b.append(reused_copy(member, url, entry.record_id, datetime.now(UTC),
                         {"reason": "not_modified", "status": 304, "etag": '"v2"',
                          "last_modified": None}, b.level))
    b.close()
    copied = next(index_responses(warc_files(tmp_path / "raw")))
    assert copied.record_id == entry.record_id and copied.sha256 == entry.sha256
    assert copied.etag == '"v2"' and copied.last_modified is None
    pages = list(read_warc(warc_files(tmp_path / "raw")[0]))
    assert len(pages) == 1 and pages[0].body == b"<p>x</p>" and pages[0].fetched_at == ts
    assert parse_member(member)[0] == url
    # the previous file is cut after indexing: a 304 is answered by fetching the page again
    path = warc_files(tmp_path / "raw-previous")[0]
    path.write_bytes(path.read_bytes()[: entry.offset + 10])
    assert prev.load(entry) is None
    report = CrawlReport()
    mw = RevalidateMiddleware(SimpleNamespace(report=report, out_dir=tmp_path), prev)
    request = Request(url, meta={"kind": "detail"})
    assert mw.process_request(request) is None
    assert request.meta["projektbank_prev"] == url and request.headers["If-None-Match"] == b'"v1"'
    response = HtmlResponse(url, status=304, body=b"", request=request)
    again = mw.process_response(request, response)
    assert isinstance(again, Request) and again.url == url and again.dont_filter
    assert again.meta == {"kind": "detail", "projektbank_refetch": True}
    assert "If-None-Match" not in again.headers and "If-Modified-Since" not in again.headers
    assert report.fetch_less["refetched"] == 1 and report.fetch_less["sent"] == 1
    assert mw.process_request(again) is None and "If-None-Match" not in again.headers


def test_the_middleware_turns_an_unchanged_page_into_the_previous_record(tmp_path):
    """304 → the previous page (reuse), 200 with the same body and type → the previous page,
    200 with another body → passed on as it is; a list page is never made conditional."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from projektbank.crawler.report import CrawlReport
    from projektbank.crawler.revalidate import PreviousCrawl, RevalidateMiddleware
    from projektbank.pipelines.warc import RawArchive, warc_files
    from scrapy.http import HtmlResponse, Request

    url = "http://h/resultat/projektbanken/projekt/?dnr=2019/00492"
    ts = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    a = RawArchive(tmp_path / "raw-previous", "run1")
    a.write(url, 200, [("Content-Type", "text/html"), ("ETag", '"v1"')], b"<p>x</p>", ts)
    a.close()
    report = CrawlReport()
    mw = RevalidateMiddleware(SimpleNamespace(report=report, out_dir=tmp_path),
                              PreviousCrawl(tmp_path, warc_files(tmp_path / "raw-previous")))
    listing = Request("http://h/resultat/projektbanken/", meta={"kind": "list"})
    assert mw.process_request(listing) is None and "If-None-Match" not in listing.headers

    def answer(status, body, **headers):
        request = Request(url, meta={"kind": "detail"})
        mw.process_request(request)
        return request, mw.process_response(request, HtmlResponse(
            url, status=status, body=body, headers=headers, request=request))

    request, response = answer(304, b"")
    reused = request.meta["projektbank_reused"]
    assert response.status == 200 and response.body == b"<p>x</p>" and "reused" in response.flags
    assert reused.reason == "not_modified" and reused.page["fetched_at"] == ts
    assert reused.info["etag"] == '"v1"' and reused.info["copied_from"] == "raw-previous/run1.warc.gz"
    assert reused.row is None                             # no latest view: extracted again
    request, response = answer(200, b"<p>x</p>", **{"Content-Type": "text/html"})
    assert request.meta["projektbank_reused"].reason == "unchanged_hash"
    assert request.meta["projektbank_reused"].info["etag"] is None
    request, response = answer(200, b"<p>y</p>", **{"Content-Type": "text/html"})
    assert "projektbank_reused" not in request.meta and response.body == b"<p>y</p>"
    request, response = answer(404, b"gone")  # a failure for the spider's errback: not counted
    assert "projektbank_reused" not in request.meta and response.status == 404
    c = report.fetch_less
    assert (c["with_previous"], c["sent"], c["not_modified"], c["unchanged_hash"], c["changed"],
            c["reused_pages"], c["reextracted"], c["bytes_saved"]) == (4, 4, 1, 1, 1, 2, 2, 8)
