"""The raw archive (pipelines/raw_archive.py): WARC/1.1 records that `extract` reads back."""

import hashlib
from datetime import UTC, datetime

from pipelines.raw_archive import RawArchive, clean_headers, iter_responses, repair, warc_files
from pipelines.sources import read_warc


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
