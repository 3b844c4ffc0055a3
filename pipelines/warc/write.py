"""The one WARC writer: records as gzip members, the raw archive's files, the reuse copy.

Every record is its own gzip member, written whole (`RawArchive.append`), so a killed crawl
loses at most the record being written (`files.repair` cuts it off). The crawl builds its
members in worker processes (`response_member`, pure) and appends them in archive order; a page
revalidated unchanged is `reused_copy`: the previous run's record, byte for byte, and a
`metadata` record saying why. Response records are serialized here (it runs for every page);
the rare warcinfo and metadata records with warcio's RecordBuilder.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import uuid
import zlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from projektbank.pipelines.warc.dates import warc_date
from projektbank.pipelines.warc.record import REUSED_PROFILE, SHA_HEADER

DROP_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length", "set-cookie"})


def _ascii(value: str) -> str:
    """Non-ASCII characters of a header value percent-encoded as UTF-8 (RFC 8187 style), so
    the value survives the WARC header block unchanged."""
    if value.isascii():
        return value
    return "".join(c if c.isascii() else quote(c, safe="") for c in value)


def clean_headers(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Response headers worth keeping for a decoded body, in order, as the archive stores
    them: without Content-Encoding/Transfer-Encoding/Content-Length/Set-Cookie, names ASCII,
    values ASCII (percent-encoded), no CR/LF."""
    out = []
    for k, v in pairs:
        if k.lower() in DROP_HEADERS or not k.isascii() or not k.strip():
            continue
        v = _ascii(v.replace("\r", " ").replace("\n", " ")).strip()
        out.append((k.strip(), v))
    return out


try:  # ISA-L: standard deflate, several times faster than zlib at the same size
    from isal import isal_zlib as _deflate
except ImportError:  # pragma: no cover - isal ships wheels for the usual platforms
    _deflate = zlib


def _gzip_compressor(level: int):
    """One gzip member's compressor (any gzip reader, warcio included, reads its output).
    Levels above ISA-L's 3 use zlib."""
    return (_deflate if level <= 3 else zlib).compressobj(level, zlib.DEFLATED, 31)


def _gzip_member(data: bytes, level: int = 1) -> bytes:
    """*data* as one gzip member."""
    comp = _gzip_compressor(level)
    return comp.compress(data) + comp.flush()


def _record_member(record, level: int) -> bytes:
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    WARCWriter(buf, gzip=False, warc_version="WARC/1.1").write_record(record)
    return _gzip_member(buf.getvalue(), level)


def response_member(url: str, status: int, headers: Iterable[tuple[str, str]], body: bytes,
                    fetched_at: datetime, *, reason: str = "OK", extra: dict[str, str] | None = None,
                    level: int = 1) -> tuple[str, list[tuple[str, str]], bytes]:
    """One page as a complete `response` record (one gzip member): the body's sha256 (hex),
    the headers as stored (what a reader gets back, and what parse_page must be given) and
    the member. Pure, so the crawl builds it in its worker processes.

    Serialized here, not with warcio's RecordBuilder: it runs for every page, and this costs
    a third less. The bytes are what RecordBuilder + WARCWriter write, the record id aside
    (tests/test_crawl_archive.py compares the two, and reads the record back with warcio)."""
    sha = hashlib.sha256(body).hexdigest()
    stored = clean_headers(headers)
    http = "".join([f"HTTP/1.1 {status} {reason or 'OK'}\r\n",
                    *(f"{k}: {v}\r\n" for k, v in stored), "\r\n"]).encode("utf-8")
    block = hashlib.sha1(http)
    block.update(body)
    warc = [("WARC-Date", warc_date(fetched_at)), (SHA_HEADER, sha), *(extra or {}).items(),
            ("WARC-Type", "response"), ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid4()}>"),
            ("WARC-Target-URI", url),
            ("WARC-Payload-Digest", "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()),
            ("WARC-Block-Digest", "sha1:" + base64.b32encode(block.digest()).decode()),
            ("Content-Type", "application/http; msgtype=response"),
            ("Content-Length", str(len(http) + len(body)))]
    head = "".join(["WARC/1.1\r\n", *(f"{k}: {v}\r\n" for k, v in warc), "\r\n"]).encode("utf-8")
    comp = _gzip_compressor(level)
    member = b"".join([comp.compress(head), comp.compress(http), comp.compress(body),
                       comp.compress(b"\r\n\r\n"), comp.flush()])
    return sha, stored, member


def _reuse_member(url: str, refers_to: str, when: datetime, info: dict, level: int = 1) -> bytes:
    """The `metadata` record that follows a copied record: why it was reused (JSON)."""
    from warcio.recordbuilder import RecordBuilder

    payload = json.dumps({"projektbank": REUSED_PROFILE, **info}, ensure_ascii=False,
                         sort_keys=True).encode()
    record = RecordBuilder(warc_version="WARC/1.1").create_warc_record(
        url, "metadata", payload=io.BytesIO(payload), length=len(payload),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Date": warc_date(when), "WARC-Refers-To": refers_to})
    return _record_member(record, level)


def reused_copy(member: bytes, url: str, refers_to: str, when: datetime, info: dict,
                level: int = 1) -> bytes:
    """The copy of a page revalidated unchanged, ready to append: the previous run's record
    (one gzip member, as `read_member` returns it) unchanged, then a `metadata` record about it
    (`info` as JSON: why it was reused, the validators sent this time; WARC-Refers-To the copied
    record's id, WARC-Date *when* it was revalidated)."""
    return member + _reuse_member(url, refers_to, when, dict(info), level)


class RawArchive:
    """Append records to `<raw_dir>/<run_id>.warc.gz` (rolling over by size), each one gzip
    member, flushed as it is written. `write()` builds a response record here; the crawl
    builds them in its worker processes (`response_member`) and only `append()`s them."""

    def __init__(self, raw_dir: str | os.PathLike, run_id: str, *, max_bytes: int = 1 << 30,
                 info: dict[str, str] | None = None, level: int = 6):
        self.raw_dir = Path(raw_dir)
        self.raw_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.run_id = run_id
        self.max_bytes = max_bytes
        self.info = dict(info or {})
        self.level = level
        self.files: list[Path] = []
        self._fh = None

    def _open(self) -> None:
        from warcio.recordbuilder import RecordBuilder

        n = len(self.files)
        path = self.raw_dir / (f"{self.run_id}.warc.gz" if n == 0 else f"{self.run_id}-{n:03d}.warc.gz")
        # unbuffered: every write goes whole to the file, and a failed one can be cut back;
        # owner-only (0600): the pages hold personal data as published (contact persons, …)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._fh = os.fdopen(fd, "ab", buffering=0)
        self.files.append(path)
        info = {"software": "projektbank", "format": "WARC File Format 1.1", **self.info}
        record = RecordBuilder(warc_version="WARC/1.1").create_warcinfo_record(path.name, info)
        self._write_whole(_record_member(record, self.level))

    def append(self, members: bytes) -> None:
        """Complete records (gzip members), as they are, in one write."""
        if self._fh is None or (self.max_bytes and self._fh.tell() >= self.max_bytes):
            self._close_file()
            self._open()
        self._write_whole(members)

    def _write_whole(self, data: bytes) -> None:
        """All of *data*, or nothing: a failed write (a full disk) is cut back, so the file
        never holds a partial record before later ones."""
        start = self._fh.tell()
        try:
            view = memoryview(data)
            while view:
                view = view[self._fh.write(view):]
        except BaseException:
            try:
                os.ftruncate(self._fh.fileno(), start)
            except OSError:  # the tail is cut by repair() at the next resume
                pass
            raise

    def write(self, url: str, status: int, headers: list[tuple[str, str]], body: bytes,
              fetched_at: datetime, reason: str = "OK",
              extra: dict[str, str] | None = None) -> tuple[str, list[tuple[str, str]]]:
        """Archive one page; returns the body's sha256 (hex) and the headers as stored."""
        sha, stored, member = response_member(url, status, headers, body, fetched_at,
                                              reason=reason, extra=extra, level=self.level)
        self.append(member)
        return sha, stored

    def _close_file(self) -> None:
        if self._fh is not None:
            os.fsync(self._fh.fileno())
            self._fh.close()
        self._fh = None

    def close(self) -> None:
        self._close_file()
