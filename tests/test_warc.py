"""The one WARC module (pipelines/warc/): written by its writer, read back by its one reader
every way the project reads (read_warc, iter_responses, index_responses, parse_member), copied
with the crawl's own copy operation, and refused when damaged."""

import gzip
import hashlib
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

from conftest import ROOT
from projektbank.pipelines.inputs import Unreadable
from projektbank.pipelines.warc import (
    RawArchive,
    complete_length,
    index_responses,
    iter_responses,
    parse_member,
    parse_timestamp,
    read_member,
    read_warc,
    repair,
    response_member,
    reused_copy,
    warc_files,
)

TS = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
BASE = "http://h/resultat/projektbanken/projekt/?dnr="
PAGES = [(BASE + "2019/00492", [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"a1"'),
                                ("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT")],
          "<p>Förstudie åäö</p>".encode()),
         (BASE + "23-114-S01", [("Content-Type", "text/html"), ("X-Note", "åä ö")], b"<p>x</p>" * 900),
         (BASE + "2016/00311", [("Content-Type", "text/html")], bytes(range(256)) * 40)]


def _archive(raw, run="run1"):
    a = RawArchive(raw, run)
    for i, (url, headers, body) in enumerate(PAGES):
        a.write(url, 200, headers, body, TS + timedelta(seconds=i))
    a.close()
    (path,) = warc_files(raw)
    return path


def _pages(path):
    items = list(read_warc(path))
    return [p for p in items if not isinstance(p, Unreadable)], [p for p in items if isinstance(p, Unreadable)]


def test_write_read_copy_read_again(tmp_path):
    path = _archive(tmp_path / "raw-previous")
    pages, bad = _pages(path)
    assert not bad
    assert [(p.url, p.body, p.fetched_at, p.status) for p in pages] == [
        (u, b, TS + timedelta(seconds=i), 200) for i, (u, _, b) in enumerate(PAGES)]
    assert pages[1].headers == {"Content-Type": "text/html", "X-Note": "%C3%A5%C3%A4 %C3%B6"}
    assert [(u, s, t, r) for u, s, t, r in iter_responses([path])] == [
        (u, 200, TS + timedelta(seconds=i), u) for i, (u, _, _) in enumerate(PAGES)]
    index = list(index_responses([path]))
    assert [e.url for e in index] == [u for u, _, _ in PAGES]
    first = index[0]
    assert (first.etag, first.last_modified, first.content_type) == (
        '"a1"', "Thu, 01 Jan 2026 00:00:00 GMT", "text/html; charset=utf-8")
    assert first.sha256 == hashlib.sha256(PAGES[0][2]).hexdigest()
    assert first.fetched_at == TS and first.fetched_at.tzinfo is not None
    member = read_member(first.path, first.offset, first.length)
    url, status, headers, body, fetched = parse_member(member)
    assert (url, status, body, fetched) == (pages[0].url, 200, pages[0].body, pages[0].fetched_at)
    assert headers == pages[0].headers
    # the crawl's copy: the record byte for byte, then the metadata record with the new validators
    b = RawArchive(tmp_path / "raw", "run2")
    b.append(reused_copy(member, url, first.record_id, TS + timedelta(days=7),
                         {"reason": "not_modified", "status": 304, "etag": '"a2"',
                          "last_modified": None}, b.level))
    b.close()
    (copy,) = warc_files(tmp_path / "raw")
    assert member in copy.read_bytes()
    again, bad = _pages(copy)
    assert not bad and len(again) == 1
    assert (again[0].url, again[0].body, again[0].fetched_at, again[0].headers) == (
        pages[0].url, pages[0].body, pages[0].fetched_at, pages[0].headers)
    (copied,) = index_responses([copy])
    assert (copied.record_id, copied.sha256, copied.fetched_at) == (first.record_id, first.sha256, TS)
    assert (copied.etag, copied.last_modified) == ('"a2"', None)   # the revalidation's validators
    assert [u for u, *_ in iter_responses([copy])] == [url]


def test_a_record_whose_digest_does_not_match_is_refused_by_every_reader(tmp_path):
    members = [response_member(u, 200, h, b, TS)[2] for u, h, b in PAGES]
    record = gzip.decompress(members[1])
    i = record.rindex(b"<p>x</p>")
    bad = gzip.compress(record[:i] + b"<p>y</p>" + record[i + 8:])   # same length, one byte changed
    path = tmp_path / "t.warc.gz"
    path.write_bytes(members[0] + bad + members[2])
    pages, rejects = _pages(path)
    assert [p.url for p in pages] == [PAGES[0][0], PAGES[2][0]]
    assert len(rejects) == 1 and "Digest does not match" in rejects[0].reason
    assert rejects[0].source.endswith(PAGES[1][0])
    assert [u for u, *_ in iter_responses([path])] == [PAGES[0][0], PAGES[2][0]]
    assert [e.url for e in index_responses([path])] == [PAGES[0][0], PAGES[2][0]]
    try:
        parse_member(bad)
    except ValueError as exc:
        assert "does not match" in str(exc)
    else:
        raise AssertionError("a damaged member was parsed")


def test_a_torn_last_record_is_left_out_cut_off_and_appended_after(tmp_path):
    path = _archive(tmp_path)
    whole = path.stat().st_size
    last = list(index_responses([path]))[-1]
    with open(path, "r+b") as fh:   # a crawl killed while writing its last record
        fh.truncate(whole - 30)
    pages, rejects = _pages(path)
    assert [p.url for p in pages] == [u for u, _, _ in PAGES[:2]]
    assert len(rejects) == 1 and rejects[0].reason.startswith("truncated WARC")
    assert [u for u, *_ in iter_responses([path])] == [u for u, _, _ in PAGES[:2]]
    assert [e.url for e in index_responses([path])] == [u for u, _, _ in PAGES[:2]]
    assert complete_length(path) == last.offset
    assert repair(path) == whole - 30 - last.offset and repair(path) == 0
    a = RawArchive(tmp_path, "run1")   # a resumed run appends to a sound file
    a.write(PAGES[2][0], 200, PAGES[2][1], PAGES[2][2], TS)
    a.close()
    pages, rejects = _pages(path)
    assert not rejects and [p.url for p in pages] == [u for u, _, _ in PAGES]


def test_parse_timestamp_gives_aware_utc_or_none():
    assert parse_timestamp("2026-03-04T05:06:07.890123Z") == TS
    assert parse_timestamp("2026-03-04T05:06:07.890123Z").tzinfo == UTC
    plus2 = parse_timestamp("2026-03-04T07:06:07.890123+02:00")
    assert plus2 == TS and plus2.utcoffset() == timedelta(0)
    assert parse_timestamp("2026-03-04T05:06:07.890123") == TS   # no offset: UTC
    assert parse_timestamp("2026-03-04") == datetime(2026, 3, 4, tzinfo=UTC)
    for bad in (None, 5, "", "yesterday", "2026-13-01T00:00:00Z", "2026-03-04T05:06:07Z" + " " * 60,
                "0001-01-01T00:00:00+01:00"):
        assert parse_timestamp(bad) is None, bad
    assert datetime(2026, 3, 4, 7, 6, 7, 890123, tzinfo=timezone(timedelta(hours=2))) == plus2


def test_one_direction_and_no_warcio_for_index_or_resume(tmp_path):
    """pipelines.warc never imports pipelines.sources; indexing and resuming our own archive
    read the header fields framing found, not warcio."""
    path = _archive(tmp_path)
    code = ("import sys\n"
            "from projektbank.pipelines.warc import index_responses, iter_responses\n"
            f"n = len(list(index_responses([{str(path)!r}]))) + len(list(iter_responses([{str(path)!r}])))\n"
            "assert n == 6, n\n"
            "assert 'projektbank.pipelines.sources' not in sys.modules\n"
            "assert not any(m.startswith('warcio') for m in sys.modules), 'warcio imported'\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
