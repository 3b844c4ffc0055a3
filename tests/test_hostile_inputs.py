"""Hostile inputs (issue 10): every case is built here, `projektbank extract` runs on it in a
child process with an address-space limit and a time limit, and the run must end with exit 0,
one reject (or a row message) per bad input, the good page extracted, and peak RSS and wall
time under their bounds."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import zlib
from pathlib import Path

import pytest
from hostile_inputs import MB, esf_url, good_page, gzip_bytes, run_extract, warc_record, zeros

MAX_RSS_MB = 500
MAX_SECONDS = 60


def _bounded(run, what: str = "") -> None:
    assert run.returncode == 0, (what, run.stderr[-2000:])
    assert run.peak_rss_mb < MAX_RSS_MB, (what, run.peak_rss_mb)
    assert run.seconds < MAX_SECONDS, (what, run.seconds)
    for r in run.rejects:
        assert len(r["reason"]) <= 300, r
        assert len(r["source"]) <= 4096, r["source"][:200]


def _ids(run) -> list[str]:
    return sorted(r["project_id"] for r in run.rows)


def _reasons(run) -> dict[str, str]:
    return {Path(r["source"]).name: r["reason"] for r in run.rejects}


# --- 1. no input ends the run ----------------------------------------------------------------
def test_special_files_bad_names_and_folders_are_listed(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.html").write_bytes(good_page("23-114-S01"))
    os.mkfifo(d / "p.html")                            # would hang a blind read
    os.symlink("/dev/zero", d / "z.html")              # would read until memory runs out
    os.symlink(d / "nowhere.html", d / "gone.html")    # broken
    os.symlink("/etc", d / "etcdir")                   # symlinked folder: not followed
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(d / "s.html"))
    # undecodable names: a junk file (a reject, written escaped) and a good page without a
    # canonical link (a row whose source_url is its own path, escaped)
    (d / os.fsdecode(b"junk\xff.html")).write_bytes(b"<p>nothing</p>")
    nolink = good_page("23-114-S02").replace(b'rel="canonical"', b'rel="x"')
    (d / os.fsdecode(b"good\xfe.html")).write_bytes(nolink)
    (d / ("x" * 250 + ".html")).write_bytes(good_page("23-114-S03"))  # its sidecar name is too long
    # a path longer than PATH_MAX, built one folder at a time
    deep = d / "deep"
    deep.mkdir()
    fd = os.open(deep, os.O_RDONLY)
    try:
        for _ in range(20):
            name = "d" * 250
            os.mkdir(name, dir_fd=fd)
            nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        with open(os.open("far.html", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as fh:
            fh.write(good_page("23-114-S04"))
    finally:
        os.close(fd)
    fifo = tmp_path / "cmd.html"
    os.mkfifo(fifo)                                     # named on the command line
    try:
        run = run_extract([d, fifo], tmp_path / "out", timeout=MAX_SECONDS)
    finally:
        sock.close()
    _bounded(run)
    assert _ids(run) == ["23-114-S01", "23-114-S02", "23-114-S03"]
    reasons = _reasons(run)
    assert "FIFO" in reasons["p.html"] and "FIFO" in reasons["cmd.html"]
    assert "character device" in reasons["z.html"]
    assert "socket" in reasons["s.html"]
    assert "broken symlink" in reasons["gone.html"]
    assert "symlinked folder" in reasons["etcdir"]
    assert "junk\\xff.html" in reasons
    assert any("too long" in r["reason"] for r in run.rejects), reasons
    row = next(r for r in run.rows if r["project_id"] == "23-114-S02")
    assert row["source_url"].endswith("good\\xfe.html")
    row = next(r for r in run.rows if r["project_id"] == "23-114-S03")
    assert any("too long" in m for m in row["validation_messages"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_folder_is_listed(tmp_path):
    d = tmp_path / "in"
    (d / "locked").mkdir(parents=True)
    (d / "good.html").write_bytes(good_page("23-114-S01"))
    (d / "locked" / "a.html").write_bytes(good_page("23-114-S02"))
    os.chmod(d / "locked", 0)
    try:
        run = run_extract([d], tmp_path / "out")
    finally:
        os.chmod(d / "locked", 0o755)
    _bounded(run)
    assert _ids(run) == ["23-114-S01"]
    assert "unreadable folder" in _reasons(run)["locked"]


SIDECARS = {
    "list": ('{"headers": [1, 2]}', "'headers' is not an object"),
    "string": ('{"headers": "text/html"}', "'headers' is not an object"),
    "toplist": ("[1, 2, 3]", "not a JSON object"),
    "deep": ("[" * 200_000 + "]" * 200_000, "nested too deep"),
    "invalid": ("{not json", "not valid JSON"),
    "badutf8": (b'{"url": "\xff"}', "not valid JSON"),
    "date": ('{"fetched_at": "9999-99-99"}', "fetched_at '9999-99-99' is not an ISO date-time"),
    "datetype": ('{"fetched_at": 12}', "fetched_at 12 is not an ISO date-time"),
    "js": ('{"url": "javascript:alert(1)"}', "is not an http(s) URL"),
    "file": ('{"url": "file:///etc/passwd"}', "is not an http(s) URL"),
    "rel": ('{"url": "../../etc/passwd"}', "is not an http(s) URL"),
    "urltype": ('{"url": {"a": 1}}', "is not an http(s) URL"),
}


def test_sidecar_problems_are_messages_on_the_row(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for n, (name, (text, _)) in enumerate(sorted(SIDECARS.items())):
        (d / f"{name}.html").write_bytes(good_page(f"23-114-S{n + 10:02d}"))
        data = text if isinstance(text, bytes) else text.encode()
        (d / f"{name}.meta.json").write_bytes(data)
    run = run_extract([d], tmp_path / "out")
    _bounded(run)
    assert len(run.rows) == len(SIDECARS) and not run.rejects
    for n, (name, (_, message)) in enumerate(sorted(SIDECARS.items())):
        row = next(r for r in run.rows if r["project_id"] == f"23-114-S{n + 10:02d}")
        assert any(message in m for m in row["validation_messages"]), (name, row["validation_messages"])
        assert row["source_url"].startswith("https://"), row["source_url"]   # the canonical link


def test_a_url_is_pointed_to_the_crawl(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "projektbank", "extract",
                           "https://www.esf.se/resultat/projektbanken/projekt/?dnr=23-114-S01",
                           "--out", str(tmp_path / "o")], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "projektbank crawl --start-url https://www.esf.se/" in proc.stderr and "--ids" in proc.stderr


def test_a_full_disk_is_one_line_and_nothing_is_published(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for n in range(40):
        (d / f"p{n}.html").write_bytes(good_page(f"23-114-S{n:02d}"))
    out = tmp_path / "out"
    first = run_extract([d / "p0.html"], out)
    assert first.returncode == 0 and len(first.rows) == 1
    before = (out / "projects.parquet").read_bytes()
    run = run_extract([d], out, fsize=20_000)      # writes over 20 kB fail: EFBIG, as ENOSPC
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "nothing published" in lines[0], run.stderr[-2000:]
    assert (out / "projects.parquet").read_bytes() == before


# --- 2. limits ---------------------------------------------------------------------------------
def _member(data: bytes) -> bytes:
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bombs")
    (d / "good.html").write_bytes(good_page("23-114-S01"))
    gzip_bytes(zeros(300 * MB), d / "zeros.warc.gz")
    # 3 GB of zeros in one gzip member (14 MB): full-flushed deflate blocks, repeated
    raw = zlib.compressobj(1, zlib.DEFLATED, -15)
    blk = raw.compress(bytes(MB)) + raw.flush(zlib.Z_FULL_FLUSH)
    with open(d / "zeros3g.warc.gz", "wb") as fh:
        fh.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
        for _ in range(3000):
            fh.write(blk)
    big = b"<html><body><p>" + b"a" * (300 * MB) + b"</p></body></html>"
    with open(d / "big.html", "wb") as fh:
        fh.write(memoryview(big)[: 200 * MB])
    rec = warc_record(esf_url("23-114-S09"), big, digests=False)
    after = warc_record(esf_url("23-114-S08"), good_page("23-114-S08"))
    (d / "big.warc").write_bytes(rec + after)
    (d / "big.warc.gz").write_bytes(_member(rec) + _member(after))
    del big, rec
    # within the limit: a 9 MB text node inside the description, 1000 levels of nesting
    page = good_page("23-114-S07")
    i = page.index("Språnget riktar".encode())
    (d / "text.html").write_bytes(page[:i] + b"ord " * (9 * MB // 4) + page[i:])
    j = page.index(b">", page.index(b"<body")) + 1
    k = page.rindex(b"</body>")
    (d / "nested.html").write_bytes(page[:j].replace(b"23-114-S07", b"23-114-S06")
                                    + b"<div>" * 1000 + page[j:k].replace(b"23-114-S07", b"23-114-S06")
                                    + b"</div>" * 1000 + page[k:])
    (d / "deeper.html").write_bytes(page[:j].replace(b"23-114-S07", b"23-114-S05")
                                    + b"<div>" * 40_000 + page[j:k].replace(b"23-114-S07", b"23-114-S05")
                                    + b"</div>" * 40_000 + page[k:])
    # a record of 300 kB whose body is 300 MB once its Content-Encoding is undone
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(comp.compress(bytes(MB)) for _ in range(300)) + comp.flush()
    block = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n" + bomb)
    head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
            f"WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: {esf_url('23-114-S03')}\r\n"
            f"Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(block)}\r\n\r\n").encode()
    (d / "encoded.warc").write_bytes(head + block + b"\r\n\r\n" + after)
    # 10 MB of structure: tags or lines, each costing memory when parsed
    (d / "tags.html").write_bytes(page[:i] + b"<p>x</p>" * 1_250_000 + page[i:])
    (d / "lines.txt").write_bytes(b"Diarienummer: 23-114-S04\n" + b"x\n" * 5_000_000)
    return d


@pytest.mark.parametrize("case, reason, kept", [
    ("zeros.warc.gz", "over --max-page-bytes", []),
    ("zeros3g.warc.gz", "decompression cap", []),
    ("big.html", "over --max-page-bytes", []),
    ("big.warc", "over --max-page-bytes", ["23-114-S08"]),
    ("big.warc.gz", "over --max-page-bytes", ["23-114-S08"]),
    ("encoded.warc", "once decoded (Content-Encoding)", ["23-114-S08"]),
    ("deeper.html", "libxml2 stopped reading the page", []),
    ("tags.html", "tags or", []),
    ("lines.txt", "tags or", []),
])
def test_over_the_limits_is_one_short_reject(bombs, tmp_path, case, reason, kept):
    run = run_extract([bombs / case, bombs / "good.html"], tmp_path / "out")
    _bounded(run, case)
    print(f"{case}: peak RSS {run.peak_rss_mb:.0f} MB, {run.seconds:.1f} s")
    assert _ids(run) == sorted(["23-114-S01", *kept])
    assert len(run.rejects) == 1 and reason in run.rejects[0]["reason"], run.rejects


def test_within_the_limits_is_read_whole(bombs, tmp_path):
    run = run_extract([bombs / "text.html", bombs / "nested.html"], tmp_path / "out")
    _bounded(run)
    print(f"text+nested: peak RSS {run.peak_rss_mb:.0f} MB, {run.seconds:.1f} s")
    rows = {r["project_id"]: r for r in run.rows}
    assert set(rows) == {"23-114-S06", "23-114-S07"}, run.rejects
    assert len(rows["23-114-S07"]["description"]) > 9 * MB
    assert rows["23-114-S06"]["description"] == good_row_description()


def good_row_description() -> str:
    from projektbank.extract import parse_page

    return parse_page(esf_url("23-114-S06"), good_page("23-114-S06")).record["description"]


def test_max_page_bytes_is_settable(bombs, tmp_path):
    run = run_extract([bombs / "good.html"], tmp_path / "out", extra=["--max-page-bytes", "1000"])
    _bounded(run)
    assert not run.rows and "over --max-page-bytes 1000" in run.rejects[0]["reason"]


# --- 3. WARC integrity ---------------------------------------------------------------------------
def _b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _damaged_records() -> tuple[list[bytes], set[str]]:
    """Ten records, five of them damaged; the dnrs of the five that must be kept."""
    recs, good = [], set()
    for n in range(10):
        dnr = f"23-300-S{n:02d}"
        page = good_page(dnr)
        extra = {"WARC-Projektbank-Sha256": hashlib.sha256(page).hexdigest(),
                 "WARC-Payload-Digest": _b32(page)}
        rec = warc_record(esf_url(dnr), page, extra=extra)
        if n == 1:
            rec = warc_record(esf_url(dnr), page, length=10_000_000_000)    # lying length
        elif n == 3:
            rec = rec[: len(rec) // 2]                                        # cut inside the page
        elif n == 5:
            rec = rec.replace(b"Stockholm", b"Stockholn", 1)                  # changed: block digest
        elif n == 7:
            rec = warc_record(esf_url(dnr), page.replace(b"Stockholm", b"Stockholn", 1),
                              extra=extra)                                    # own sha256 / payload
        elif n == 9:
            rec = rec.replace(b"Content-Length: ", b"Content-Length: 1", 1)   # longer than it is
        else:
            good.add(dnr)
        recs.append(rec)
    return recs, good


@pytest.mark.parametrize("gz", [False, True])
def test_cut_or_lying_records_are_rejected_and_the_rest_kept(tmp_path, gz):
    recs, good = _damaged_records()
    path = tmp_path / ("a.warc.gz" if gz else "a.warc")
    path.write_bytes(b"".join(_member(r) for r in recs) if gz else b"".join(recs))
    run = run_extract([path], tmp_path / "out")
    _bounded(run)
    assert set(_ids(run)) == good
    assert len(run.rejects) == 5, run.rejects
    text = " ".join(r["reason"] for r in run.rejects)
    assert "Content-Length 10000000000" in text
    assert "Digest does not match" in text


def test_a_plain_warc_cut_at_the_end(tmp_path):
    recs = [warc_record(esf_url(f"23-301-S{n:02d}"), good_page(f"23-301-S{n:02d}")) for n in range(3)]
    data = b"".join(recs)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: len(data) - 500])
    run = run_extract([path], tmp_path / "out")
    _bounded(run)
    assert _ids(run) == ["23-301-S00", "23-301-S01"]
    assert len(run.rejects) == 1 and "cut or lying" in run.rejects[0]["reason"]


# --- 4. personal data by pattern -----------------------------------------------------------------
PNR = "811218-9876"   # a valid personnummer (date and check digit)


def _contact_page() -> bytes:
    page = good_page("23-114-S40")
    contacts = ("<dt>E-postadress:</dt><dd>anna.a@example.se</dd><dt>Mobil:</dt>"
                "<dd>070-123 45 67</dd><dt>Projektledare:</dt><dd>Anna Andersson</dd>"
                "<dt>KONTAKTPERSON E-POST:</dt><dd>bo@example.se</dd>"
                "<dt>Samverkanspartner:</dt><dd>Bo Berg, bo.berg@example.se, 08-579 171 00</dd>")
    i = page.index(b"</dd>") + len(b"</dd>")
    page = page[:i] + contacts.encode() + page[i:]
    j = page.index("Språnget riktar".encode())
    return page[:j] + (f"Ring +46 70 765 43 21 eller skriv till info@projekt.se "
                       f"(personnummer {PNR}). ").encode() + page[j:]


@pytest.mark.parametrize("personal", [False, True])
def test_personal_data_by_pattern_stays_out(tmp_path, personal):
    src = tmp_path / "p.html"
    src.write_bytes(_contact_page())
    out = tmp_path / "out"
    run = run_extract([src], out, extra=["--include-personal-data"] if personal else [])
    _bounded(run)
    (row,) = run.rows
    written = (out / "projects.csv").read_text(encoding="utf-8") + \
        (out / "projects.parquet").read_bytes().decode("latin-1")
    assert PNR not in written and "8112189876" not in written
    assert "[personnummer maskerat]" in row["description"]
    secrets = ["anna.a@example.se", "070-123 45 67", "bo@example.se", "bo.berg@example.se",
               "08-579 171 00", "+46 70 765 43 21", "info@projekt.se", "Anna Andersson"]
    if personal:
        raw = dict(row["fields_raw"])
        assert raw["E-postadress"] == "anna.a@example.se" and raw["Mobil"] == "070-123 45 67"
        assert raw["Projektledare"] == "Anna Andersson"
        assert "info@projekt.se" in row["description"]
    else:
        for s in secrets:
            assert s not in written, s
        extra = dict(row["extra_fields"])
        assert extra["Samverkanspartner"] == "Bo Berg, [e-post], [telefon]"
        assert "Ring [telefon] eller skriv till [e-post]" in row["description"]
        assert not {"E-postadress", "Mobil", "Projektledare"} & set(dict(row["fields_raw"]))


# --- 5. CSV formulas after NFKC --------------------------------------------------------------------
FORMULA_FORMS = ["\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\u2212", "\u207a", "\ufe62",
                 "\ufe63", "\ufe6b", "=", "+", "-", "@", "\t", "\r"]


def test_csv_neutralises_formula_starts_in_every_form(tmp_path):
    import csv

    import pyarrow as pa
    from projektbank.pipelines.csv_writer import write_csv

    cells = [f"{start}HYPERLINK(\"http://x\")" for start in FORMULA_FORMS]
    safe = ["Malmö stad", "a=1", "−", "", "\u00a0=1"]  # U+2212 alone is still a start
    table = pa.table({"owner_name": cells + safe})
    write_csv(table, tmp_path / "p.csv")
    with open(tmp_path / "p.csv", encoding="utf-8", newline="") as fh:
        got = [row["owner_name"] for row in csv.DictReader(fh)]
    assert got[: len(cells)] == ["'" + c for c in cells]
    assert got[len(cells):] == ["Malmö stad", "a=1", "'−", "", "\u00a0=1"]


# --- 6. the mirror -----------------------------------------------------------------------------------
@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "a").mkdir(parents=True)
    (root / "a" / "index.html").write_bytes(b"<html><body>ok</body></html>")
    (root / "inside.html").symlink_to(root / "a" / "index.html")    # inside: served
    (root / "etcdir").symlink_to("/etc")                             # out of the folder
    (root / "passwd.html").symlink_to("/etc/passwd")
    from projektbank.crawler.mirror import Mirror

    m = Mirror(root)
    m.header_timeout = 0.5
    with m:
        yield m


def _raw(m, data: bytes, wait: float = 5.0) -> bytes:
    s = socket.create_connection((m.host, m.port), timeout=wait)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            out += chunk
            head, sep, body = out.partition(b"\r\n\r\n")
            if sep:   # one whole response is enough
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
        return out
    finally:
        s.close()


def _status(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:200]
    return int(response.split(b" ", 2)[1])


def test_mirror_refuses_symlinks_out_of_its_folder(site):
    get = b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert _status(_raw(site, get % b"/a/")) == 200
    assert _status(_raw(site, get % b"/inside.html")) == 200
    assert _status(_raw(site, get % b"/etcdir/passwd")) == 404
    assert _status(_raw(site, get % b"/passwd.html")) == 404
    assert b"root:" not in _raw(site, get % b"/etcdir/passwd")


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET /a/ HTTP/1.1\r\nContent-Length: 2000000000\r\n\r\n", 413),
    (b"POST /a/ HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400),
    (b"POST /a/ HTTP/1.1\r\nContent-Length: lots\r\n\r\n", 400),
    (b"POST /a/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    (b"GET /" + b"x" * 5000 + b".html HTTP/1.1\r\n\r\n", 404),     # a name too long for the OS
    (b"GET /" + b"x" * 70000 + b" HTTP/1.1\r\n\r\n", 400),         # a head over 64 KB
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /a/ HTTP/1.1 extra\r\n\r\n", 400),
    (b"GET a/ HTTP/1.1\r\n\r\n", 400),
    (b"GET /a/ HTTP/1.1\r\nno colon here\r\n\r\n", 400),
    (b"GET /a/ SPDY/3\r\n\r\n", 400),
    (b"GET /a/\x00 HTTP/1.1\r\n\r\n", 404),
    (b"GET /a/ HTTP/1.1\r\nHost: x", 408),                            # never completed
])
def test_mirror_answers_every_malformed_request(site, request_bytes, status):
    assert _status(_raw(site, request_bytes)) == status
    # and goes on serving
    assert _status(_raw(site, b"GET /a/ HTTP/1.1\r\nConnection: close\r\n\r\n")) == 200


def test_mirror_holds_no_big_body_and_no_half_sent_request(site):
    import time

    socks = []
    try:
        for _ in range(50):
            s = socket.create_connection((site.host, site.port), timeout=5)
            s.sendall(b"GET /a/ HTTP/1.1\r\nHost: x\r\n")      # half a head
            socks.append(s)
        t0 = time.monotonic()
        answers = [s.recv(1024) for s in socks]
        assert time.monotonic() - t0 < 5
        assert all(_status(a) == 408 for a in answers)
    finally:
        for s in socks:
            s.close()


# --- 7. property-based: random bytes, random WARC structure, random sidecars ----------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=int(os.environ.get("HOSTILE_FUZZ_EXAMPLES", "150")), deadline=None,
                derandomize=not os.environ.get("HOSTILE_FUZZ_EXAMPLES"), database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _extract_in_process(paths, tmp: Path):
    """iter_pages + extract_page into a writer, as the command does: never raises."""
    import shutil

    from projektbank.pipelines.dataset import DatasetWriter
    from projektbank.pipelines.extract_run import extract_page
    from projektbank.pipelines.inputs import Page, Unreadable
    from projektbank.pipelines.sources import iter_pages

    out = tmp / "out"
    shutil.rmtree(out, ignore_errors=True)
    writer = DatasetWriter(out)
    items = []
    try:
        for item in iter_pages(paths):
            assert isinstance(item, (Page, Unreadable))
            if isinstance(item, Unreadable):
                assert len(item.reason) <= 300
            else:
                assert item.url.startswith(("http://", "https://", "/")), item.url
            extract_page(writer, item)
            items.append(item)
    finally:
        writer.abort()
    return items


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".html", ".txt", ".warc", ".warc.gz"]),
       gz=st.booleans())
def test_fuzz_random_bytes(tmp_path, data, suffix, gz):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(_member(data) if gz else data)
    items = _extract_in_process([path], tmp_path)
    if suffix in (".html", ".txt"):
        assert len(items) == 1


_MUTATIONS = st.sampled_from(["none", "none", "cut", "length+", "length-", "flip", "garbage",
                              "huge-length"])


@FUZZ
@given(kinds=st.lists(_MUTATIONS, min_size=1, max_size=6), gz=st.booleans(),
       where=st.floats(0.01, 0.99), byte=st.integers(0, 255))
def test_fuzz_warc_structure(tmp_path, kinds, gz, where, byte):
    recs, keep = [], set()
    for n, kind in enumerate(kinds):
        dnr = f"23-400-S{n:02d}"
        page = good_page(dnr)
        extra = {"WARC-Payload-Digest": _b32(page)}
        rec = warc_record(esf_url(dnr), page, extra=extra)
        at = max(1, int(len(rec) * where))
        if kind == "none":
            keep.add(dnr)
        elif kind == "cut":
            rec = rec[:at]
        elif kind == "length+":
            rec = warc_record(esf_url(dnr), page, extra=extra, length=len(rec) + byte + 1)
        elif kind == "length-":
            rec = warc_record(esf_url(dnr), page, extra=extra,
                              length=max(0, len(rec) - 200 - byte))
        elif kind == "huge-length":
            rec = warc_record(esf_url(dnr), page, extra=extra, length=10 ** 12 + byte)
        elif kind == "flip":
            rec = rec[:at] + bytes([rec[at] ^ (byte or 1)]) + rec[at + 1:]
        elif kind == "garbage":
            rec = bytes([byte]) * 100 + rec
        recs.append(_member(rec) if gz else rec)
    path = tmp_path / ("r.warc.gz" if gz else "r.warc")
    path.write_bytes(b"".join(recs))
    items = _extract_in_process([path], tmp_path)
    from projektbank.pipelines.inputs import Page

    got = {item.url.rsplit("=", 1)[1] for item in items if isinstance(item, Page)}
    assert keep <= got, (kinds, keep - got)


_LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
_JSON = st.deferred(lambda: _LEAF | st.lists(_JSON, max_size=3)
                    | st.dictionaries(st.text(max_size=10), _JSON, max_size=3))
_SIDECAR = st.one_of(
    st.fixed_dictionaries({}, optional={"url": _JSON | st.sampled_from(
        ["javascript:alert(1)", "file:///etc/passwd", "../../x", "https://ok.se/?dnr=1", "http://"]),
        "fetched_at": _JSON | st.sampled_from(["9999-99-99", "2026-01-01T00:00:00Z", "0001-01-01"]),
        "headers": _JSON}),
    _JSON)


@FUZZ
@given(meta=_SIDECAR, raw=st.binary(max_size=64), use_raw=st.booleans())
def test_fuzz_sidecars(tmp_path, meta, raw, use_raw):
    import json

    page = tmp_path / "p.html"
    page.write_bytes(good_page("23-500-S01"))
    (tmp_path / "p.meta.json").write_bytes(raw if use_raw else json.dumps(meta).encode())
    (item,) = _extract_in_process([page], tmp_path)
    from projektbank.pipelines.inputs import Page

    assert isinstance(item, Page)
    assert item.url.startswith(("http://", "https://")) or item.url == str(page.resolve())


def test_dates_amounts_and_org_numbers_are_not_masked():
    from projektbank.extract.personal import mask

    kept = ["01-09-2015 - 31-12-2017", "2015-09-01", "1 234 567 kr", "212000-0142",
            "556036-0793", "dnr 2019/00492", "22-021-S03", "114 55 Stockholm", "40%",
            "08.00-17.00", "811218-9875"]   # the last: a wrong check digit
    for text in kept:
        assert mask(text) == text, text
    assert mask("ring 031-12 34 56") == "ring [telefon]"
    assert mask("pnr 19811218-9876", personal_data=True) == "pnr [personnummer maskerat]"


def test_the_raw_archive_is_owner_only(tmp_path):
    import stat
    from datetime import UTC, datetime

    from projektbank.pipelines.warc import RawArchive, warc_files

    a = RawArchive(tmp_path / "raw", "run")
    a.write(esf_url("23-114-S01"), 200, [("Content-Type", "text/html")], good_page(), datetime.now(UTC))
    a.close()
    (path,) = warc_files(tmp_path / "raw")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "raw").stat().st_mode) == 0o700


@pytest.mark.parametrize("gz", [False, True])
def test_a_warc_target_that_is_not_http_is_not_the_source_url(tmp_path, gz):
    recs = [warc_record(target, good_page(f"23-302-S0{n}"))
            for n, target in enumerate(["javascript:alert(1)", "file:///etc/passwd", "../../x"])]
    path = tmp_path / ("t.warc.gz" if gz else "t.warc")
    path.write_bytes(b"".join(_member(r) for r in recs) if gz else b"".join(recs))
    items = _extract_in_process([path], tmp_path)
    urls = [p.url for p in items]
    assert len(set(urls)) == 3 and all(u.startswith(str(path.resolve()) + "#offset=") for u in urls)
    assert all("is not an http(s) URL" in p.messages[0] for p in items)
