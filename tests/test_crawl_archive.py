"""The raw archive (pipelines/warc/): WARC/1.1 records that `extract` reads back."""

import hashlib
import io
from datetime import UTC, datetime

from projektbank.pipelines.warc import (
    REQUESTED_HEADER,
    SHA_HEADER,
    RawArchive,
    clean_headers,
    iter_responses,
    read_warc,
    repair,
    response_member,
    warc_date,
    warc_files,
)


def test_roundtrip_exact(tmp_path):
    ts = datetime(2025, 11, 30, 7, 1, 2, 345678, tzinfo=UTC)
    headers = [("Content-Type", "text/html; charset=windows-1252"), ("Content-Encoding", "gzip"),
               ("Content-Length", "5"), ("X-Note", "åäö; a=ü"), ("Set-Cookie", "s=1")]
    for level in (1, 6):  # ISA-L and zlib members
        raw = tmp_path / f"raw{level}"
        a = RawArchive(raw, "run", level=level)
        sha, stored = a.write("http://h/resultat/projektbanken/projekt/?dnr=2019/00492", 200,
                              headers, b"<p>\xe5</p>", ts)
        a.close()
        assert sha == hashlib.sha256(b"<p>\xe5</p>").hexdigest()
        assert [k for k, _ in stored] == ["Content-Type", "X-Note"]
        pages = list(read_warc(warc_files(raw)[0]))
        assert len(pages) == 1
        page = pages[0]
        assert page.url.endswith("?dnr=2019/00492") and page.status == 200
        assert page.fetched_at == ts                      # microseconds survive (WARC/1.1)
        assert page.headers == dict(stored) == dict(clean_headers(headers))
        assert page.body == b"<p>\xe5</p>"


def test_repair_cuts_a_partial_last_record(tmp_path):
    a = RawArchive(tmp_path, "run")
    ts = datetime.now(UTC)
    for i in range(3):
        a.write(f"http://h/?dnr=2019/0000{i}", 200, [("Content-Type", "text/html")], b"x" * 5000, ts)
    a.close()
    path = warc_files(tmp_path)[0]
    whole = path.stat().st_size
    with open(path, "r+b") as fh:   # a crawl killed while writing the third record
        fh.truncate(whole - 40)
    assert repair(path) > 0
    assert [u for u, *_ in iter_responses([path])] == ["http://h/?dnr=2019/00000", "http://h/?dnr=2019/00001"]
    assert all(len(p.body) == 5000 for p in read_warc(path))
    assert repair(path) == 0
    # appending after a repair gives a valid file again
    b = RawArchive(tmp_path, "run")
    b.write("http://h/?dnr=2019/00009", 200, [], b"y", ts)
    b.close()
    assert len(list(iter_responses([path]))) == 3


def _warcio_member(url, status, reason, stored, body, ts, extra):
    """The reference: the same record built and written by warcio."""
    from warcio.recordbuilder import RecordBuilder
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    record = RecordBuilder(warc_version="WARC/1.1").create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body),
        http_headers=StatusAndHeaders(f"{status} {reason}", list(stored), protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": warc_date(ts), **extra})
    buf = io.BytesIO()
    WARCWriter(buf, gzip=False, warc_version="WARC/1.1").write_record(record)
    return buf.getvalue()


def test_response_member_is_what_warcio_writes():
    import gzip
    import re

    from warcio.archiveiterator import ArchiveIterator

    ts = datetime(2025, 1, 2, 3, 4, 5, 6789, tzinfo=UTC)
    cases = [
        ("http://h/resultat/projektbanken/projekt/?dnr=2019/00492", 200, "OK",
         [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"a1"'), ("X-Note", "åä ö")],
         "<p>Förstudie</p>".encode()),
        ("http://h/resultat/projektbanken/projekt/?dnr=22-021-S03", 404, "Not Found", [], b""),
        ("http://h/s%C3%A5/?dnr=x", 200, "OK", [("Content-Type", "text/html")], bytes(range(256)) * 300),
    ]
    record_id = re.compile(rb"WARC-Record-ID: <urn:uuid:[0-9a-f-]{36}>\r\n")
    for url, status, reason, headers, body in cases:
        for level in (1, 6):
            sha, stored, member = response_member(url, status, headers, body, ts, reason=reason,
                                                  extra={REQUESTED_HEADER: url + "&x"}, level=level)
            ours = gzip.decompress(member)
            ref = _warcio_member(url, status, reason, stored, body, ts,
                                 {SHA_HEADER: sha, REQUESTED_HEADER: url + "&x"})
            assert record_id.sub(b"", ours) == record_id.sub(b"", ref)
            assert len(record_id.findall(ours)) == 1
            bodies = [r.content_stream().read()  # digests checked while reading
                      for r in ArchiveIterator(io.BytesIO(member), check_digests="raise")]
            assert bodies == [body]
