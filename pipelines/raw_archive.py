"""The raw archive: every fetched detail page as received, in WARC/1.1 files (warcio).

Layout of `DIR/raw/` (one crawl job; an earlier job's files are moved to `DIR/raw-previous/`):

    DIR/raw/<run-id>.warc.gz            one file per crawl run (a resumed job adds one per run)
    DIR/raw/<run-id>-001.warc.gz        … rolled over after PROJEKTBANK_WARC_MAX_BYTES

Files are created owner-only (0600; the folder 0700): the pages hold personal data as
published (contact persons, e-mail addresses, phone numbers), which the datasets leave out.
Each file starts with a `warcinfo` record (software, robots policy, start URLs), then one
`response` record per fetched detail page, each its own gzip member, flushed as soon as it
is written (a killed crawl loses at most the record being written; `repair()` cuts it off):

    WARC-Type: response
    WARC-Target-URI: <the URL as fetched; the record's source_url>
    WARC-Date: <fetched_at, UTC, microseconds: the record's fetched_at>
    WARC-Projektbank-Sha256: <sha256 hex of the body: the record's content_sha256>
    WARC-Projektbank-Requested-URI: <the URL requested, before redirects>
    WARC-Payload-Digest / WARC-Block-Digest: sha1 (warcio)
    HTTP/1.1 <status> <reason>, the response headers (without Content-Encoding,
    Transfer-Encoding and Content-Length: the body is stored decoded), then the body.

`projektbank extract DIR/raw --out OTHER` reads these and rebuilds projects.parquet row for row:
the crawl hands parse_page exactly the url, body, fetched_at and headers stored here.

Reused pages (issue 4, "fetch less"): when a conditional request gets `304 Not Modified`, or a
200 whose body has the previous record's sha256, the crawl does not archive the new response:
it copies the previous run's `response` record (from `DIR/raw-previous/`) byte for byte into
this run's file (`copy_record`), so `DIR/raw` alone still holds every page of the dataset and
`extract DIR/raw` still equals the crawl. Each copy is followed by a `metadata` record
(`WARC-Refers-To: <the copied record's WARC-Record-ID>`, `Content-Type: application/json`,
`WARC-Date`: when the page was revalidated) whose JSON body says why it was reused and which
validators the server sent this time:

    {"projektbank": "reused", "reason": "not_modified" | "unchanged_hash", "status": 304 | 200,
     "requested_url": …, "etag": …, "last_modified": …, "copied_from": "raw-previous/<file>"}

`index_responses()` reads an archive's response records (location, validators, sha256) and
applies these metadata records, for the next run's conditional requests.
No Scrapy in this module.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)

DROP_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length", "set-cookie"})
SHA_HEADER = "WARC-Projektbank-Sha256"
REQUESTED_HEADER = "WARC-Projektbank-Requested-URI"
REUSED_PROFILE = "reused"   # the "projektbank" key of a reuse metadata record


def warc_date(ts: datetime) -> str:
    """ISO 8601 UTC with microseconds, as WARC/1.1 allows."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def headers_dict(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The mapping parse_page gets: the same as `dict()` of the archived header list."""
    return dict(pairs)


try:  # ISA-L: standard deflate, several times faster than zlib at the same size
    from isal import isal_zlib as _deflate
except ImportError:  # pragma: no cover - isal ships wheels for the usual platforms
    _deflate = zlib


def _gzip_compressor(level: int):
    """One gzip member's compressor (any gzip reader, warcio included, reads its output).
    Levels above ISA-L's 3 use zlib."""
    return (_deflate if level <= 3 else zlib).compressobj(level, zlib.DEFLATED, 31)


def gzip_member(data: bytes, level: int = 1) -> bytes:
    """*data* as one gzip member."""
    comp = _gzip_compressor(level)
    return comp.compress(data) + comp.flush()


def _record_member(record, level: int) -> bytes:
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    WARCWriter(buf, gzip=False, warc_version="WARC/1.1").write_record(record)
    return gzip_member(buf.getvalue(), level)


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


def reuse_member(url: str, refers_to: str, when: datetime, info: dict, level: int = 1) -> bytes:
    """The `metadata` record that follows a copied record: why it was reused (JSON)."""
    from warcio.recordbuilder import RecordBuilder

    payload = json.dumps({"projektbank": REUSED_PROFILE, **info}, ensure_ascii=False,
                         sort_keys=True).encode()
    record = RecordBuilder(warc_version="WARC/1.1").create_warc_record(
        url, "metadata", payload=io.BytesIO(payload), length=len(payload),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Date": warc_date(when), "WARC-Refers-To": refers_to})
    return _record_member(record, level)


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

    def copy_record(self, member: bytes, url: str, refers_to: str, when: datetime,
                    info: dict) -> None:
        """Append a complete record (one gzip member, as `read_member` returns it) unchanged,
        then a `metadata` record about it (`info` as JSON, WARC-Refers-To `refers_to`)."""
        self.append(member + reuse_member(url, refers_to, when, dict(info), self.level))

    def _close_file(self) -> None:
        if self._fh is not None:
            os.fsync(self._fh.fileno())
            self._fh.close()
        self._fh = None

    def close(self) -> None:
        self._close_file()


def warc_files(raw_dir: str | os.PathLike) -> list[Path]:
    d = Path(raw_dir)
    if not d.is_dir():
        return []
    return sorted(p for p in d.rglob("*") if p.is_file() and p.name.endswith((".warc.gz", ".warc")))


def complete_length(path: str | os.PathLike) -> int:
    """Bytes of *path* made of complete gzip members (every record is one member, written
    whole and flushed; a crawl killed mid-write leaves a cut member at the end)."""
    import zlib

    good_end = 0
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        while good_end < size:
            fh.seek(good_end)
            d = zlib.decompressobj(wbits=31)
            consumed = 0
            try:
                while not d.eof:
                    chunk = fh.read(1 << 16)
                    if not chunk:
                        return good_end  # cut member
                    consumed += len(chunk)
                    d.decompress(chunk)
            except zlib.error:
                return good_end
            good_end += consumed - len(d.unused_data)
    return good_end


def repair(path: str | os.PathLike) -> int:
    """Cut a .warc.gz file after its last complete record. Returns the bytes removed."""
    path = Path(path)
    if not path.name.endswith(".gz"):
        return 0
    size = path.stat().st_size
    good_end = complete_length(path)
    if good_end < size:
        logger.warning("%s: cutting %d bytes of an incomplete last record", path.name,
                       size - good_end)
        with open(path, "r+b") as fh:
            fh.truncate(good_end)
        return size - good_end
    return 0


def iter_responses(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[str, int, datetime, str]]:
    """(target URI, status, fetched_at, requested URI) of every complete response record."""
    from warcio.archiveiterator import ArchiveIterator

    for path in paths:
        try:
            with open(path, "rb") as fh:
                for record in ArchiveIterator(fh):
                    if record.rec_type != "response":
                        continue
                    url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    requested = record.rec_headers.get_header(REQUESTED_HEADER) or url
                    date = record.rec_headers.get_header("WARC-Date") or ""
                    status = int(record.http_headers.get_statuscode() or 0) if record.http_headers else 0
                    record.content_stream().read()
                    try:
                        ts = datetime.fromisoformat(date.replace("Z", "+00:00"))
                    except ValueError:
                        continue
                    yield url, status, ts, requested
        except Exception as exc:
            logger.warning("%s: stopped reading (%s)", path, exc)


# --- the previous run's archive: what a conditional request needs -------------------------------
class CappedReader:
    """A file read up to `limit` bytes: the complete part of a cut .warc.gz."""

    def __init__(self, fh, limit: int) -> None:
        self.fh, self.left = fh, limit

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.fh.read(n)
        self.left -= len(data)
        return data


@dataclass
class ArchivedResponse:
    """Where one archived response record is, and what a revalidation needs from it."""

    path: Path
    offset: int            # of its gzip member in `path`
    length: int
    record_id: str
    url: str               # WARC-Target-URI
    requested_url: str
    status: int
    fetched_at: datetime
    sha256: str | None
    content_type: str | None
    etag: str | None       # validators: the response's own, or a later revalidation's
    last_modified: str | None


def index_responses(paths: Iterable[str | os.PathLike]) -> Iterator[ArchivedResponse]:
    """Every complete `response` record of gzip-per-record WARC files (in file order), with the
    validators of the reuse metadata records that follow it applied. Read as `extract` reads
    them (pipelines.sources: bounded, every record checked): a damaged, over-limit or cut record
    is left out (a warning), never the caller's problem."""
    from projektbank.pipelines.sources import (
        DEFAULT_LIMITS,
        Unreadable,
        _check,
        _frame,
        _gzip_members,
        open_regular,
    )
    from warcio.archiveiterator import ArchiveIterator

    for path in paths:
        path = Path(path)
        if not path.name.endswith(".gz"):
            continue  # offsets of gzip members only: our own archive's format
        by_id: dict[str, ArchivedResponse] = {}
        pending: list[ArchivedResponse] = []
        try:
            fh, st = open_regular(path)
            with fh:
                for member in _gzip_members(fh, st.st_size, str(path), DEFAULT_LIMITS):
                    if isinstance(member, Unreadable):
                        logger.warning("%s: %s", member.source, member.reason)
                        continue
                    offset, data, length = member
                    recs = list(_frame(io.BytesIO(data), len(data), str(path), DEFAULT_LIMITS))
                    if len(recs) != 1 or isinstance(recs[0], Unreadable) or _check(recs[0]):
                        logger.warning("%s: gzip member at offset %d is not one sound record",
                                       path, offset)
                        continue
                    rec = recs[0]
                    record = next(iter(ArchiveIterator(io.BytesIO(rec.head + rec.block + b"\r\n\r\n"))))
                    h = record.rec_headers
                    if record.rec_type == "metadata":
                        target = by_id.get(h.get_header("WARC-Refers-To") or "")
                        if target is not None:
                            try:
                                info = json.loads(record.content_stream().read())
                            except ValueError:
                                continue
                            if isinstance(info, dict) and info.get("projektbank") == REUSED_PROFILE:
                                target.etag = info.get("etag")
                                target.last_modified = info.get("last_modified")
                        continue
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    try:
                        ts = datetime.fromisoformat((h.get_header("WARC-Date") or "").replace("Z", "+00:00"))
                        status = int(record.http_headers.get_statuscode() or 0)
                    except ValueError:
                        continue
                    hh = record.http_headers
                    url = h.get_header("WARC-Target-URI") or ""
                    entry = ArchivedResponse(
                        path=path, offset=offset, length=length,
                        record_id=h.get_header("WARC-Record-ID") or "", url=url,
                        requested_url=h.get_header(REQUESTED_HEADER) or url, status=status,
                        fetched_at=ts, sha256=h.get_header(SHA_HEADER),
                        content_type=hh.get_header("Content-Type"),
                        etag=hh.get_header("ETag"), last_modified=hh.get_header("Last-Modified"))
                    by_id[entry.record_id] = entry
                    pending.append(entry)
        except Exception as exc:  # warcio raises several kinds on a corrupt record
            logger.warning("%s: stopped indexing (%s)", path, exc)
        yield from pending


def read_member(path: str | os.PathLike, offset: int, length: int) -> bytes:
    """The bytes of one record's gzip member."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise OSError(f"{path}: record at {offset} is cut ({len(data)} of {length} bytes)")
    return data


def parse_member(member: bytes):
    """One response record's (url, status, headers, body, fetched_at), as `extract` reads them
    (pipelines.sources.read_warc)."""
    from projektbank.pipelines.sources import _parse_time
    from warcio.archiveiterator import ArchiveIterator

    record = next(iter(ArchiveIterator(io.BytesIO(member))))
    if record.rec_type != "response" or record.http_headers is None:
        raise ValueError(f"not a response record: {record.rec_type}")
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    fetched = _parse_time(record.rec_headers.get_header("WARC-Date"))
    if fetched is None:
        raise ValueError("record without a valid WARC-Date")
    headers = dict(record.http_headers.headers)
    status = int(record.http_headers.get_statuscode() or 200)
    body = record.content_stream().read()
    return url, status, headers, body, fetched
