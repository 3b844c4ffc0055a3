"""The one record type: a framed WARC record, its digest checks, and its parsed view.

Framing (pipelines.warc.frame) finds a record's bytes from its own header; `problem()` checks
them against the record's digests; `parse()` reads the HTTP block. Parsing uses warcio, on a
record already framed, bounded and checked: its status-line, header and chunked/Content-Encoding
handling is what `extract`'s rows (and the hostile-input tests) are pinned to, and it is a few
lines here against a few hundred of our own. Nothing else in the package reads with warcio.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from projektbank.pipelines.inputs import MAX_WARC_HEADER
from projektbank.pipelines.warc.dates import parse_timestamp

SHA_HEADER = "WARC-Projektbank-Sha256"
REQUESTED_HEADER = "WARC-Projektbank-Requested-URI"
REUSED_PROFILE = "reused"   # the "projektbank" key of a reuse metadata record

# fields a record may hold once (a second one makes the header malformed)
_SINGLE = frozenset({"warc-type", "warc-target-uri", "warc-date", "content-length",
                     "warc-block-digest", "warc-payload-digest", "warc-record-id"})


def warc_fields(head: bytes) -> dict[str, str] | None:
    """The header fields (names lower-case); None when a field that must be single repeats."""
    out: dict[str, str] = {}
    for line in head.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            key = name.strip().decode("latin-1").lower()
            if key in out and key in _SINGLE:
                return None
            out[key] = value.strip().decode("utf-8", "replace")
    return out


@dataclass
class Parsed:
    """What a record holds, as warcio reads it."""

    url: str                        # WARC-Target-URI
    date: datetime | None           # WARC-Date (None when missing or not a date-time)
    record_id: str
    refers_to: str
    requested_url: str              # WARC-Projektbank-Requested-URI, else the target
    sha256: str | None              # WARC-Projektbank-Sha256
    code: str | None                # the HTTP status code as written; None without an HTTP block
    headers: list[tuple[str, str]]  # HTTP headers (a resource record: its Content-Type)
    body: bytes | None              # the payload decoded (chunked, Content-Encoding), if asked


class WarcRecord:
    """One framed WARC record: its offset in the file, header block and content block."""

    __slots__ = ("offset", "head", "block", "fields")

    def __init__(self, offset: int, head: bytes, block: bytes, fields: dict[str, str]) -> None:
        self.offset, self.head, self.block, self.fields = offset, head, block, fields

    @property
    def type(self) -> str:
        return self.fields.get("warc-type", "")

    def problem(self) -> str | None:
        """Why the content does not match the record's digests (None: it matches, or has none)."""
        f = self.fields
        if _digest_ok(f.get("warc-block-digest"), self.block) is False:
            return "WARC-Block-Digest does not match the record (changed or cut)"
        payload = None
        if self.block.startswith(b"HTTP/"):
            end = self.block.find(b"\r\n\r\n", 0, MAX_WARC_HEADER)
            if end >= 0:
                http = self.block[:end].lower()
                if b"\ntransfer-encoding:" not in http:   # a digest of the de-chunked body: not checked
                    payload = memoryview(self.block)[end + 4:]
        elif f.get("warc-type") == "resource":
            payload = memoryview(self.block)
        if payload is not None:
            if _digest_ok(f.get("warc-payload-digest"), payload) is False:
                return "WARC-Payload-Digest does not match the page (changed or cut)"
            sha = f.get("warc-projektbank-sha256")
            if sha and hashlib.sha256(payload).hexdigest() != sha.strip().lower():
                return "WARC-Projektbank-Sha256 does not match the page (changed or cut)"
        return None

    def summary(self) -> Parsed:
        """The record without its body, from the header fields framing read and the HTTP head:
        what an index or a resume of our own archive needs (`write` makes no header that
        warcio would read otherwise), at a third of `parse()`'s cost."""
        f = self.fields
        url = f.get("warc-target-uri", "")
        code, headers = _http_head(self.block)
        return Parsed(url=url, date=parse_timestamp(f.get("warc-date")),
                      record_id=f.get("warc-record-id", ""), refers_to=f.get("warc-refers-to", ""),
                      requested_url=f.get(REQUESTED_HEADER.lower()) or url,
                      sha256=f.get(SHA_HEADER.lower()), code=code, headers=headers, body=None)

    def parse(self, max_body: int | None = None) -> Parsed:
        """The record read (warcio raises several kinds on a malformed one). The body is read
        up to *max_body* + 1 bytes (the caller tells an over-limit page by its length), or not
        at all when *max_body* is None."""
        from warcio.archiveiterator import ArchiveIterator

        record = next(iter(ArchiveIterator(io.BytesIO(self.head + self.block + b"\r\n\r\n"))))
        h = record.rec_headers
        code, headers = None, []
        if record.http_headers is not None:
            code = record.http_headers.get_statuscode()
            headers = list(record.http_headers.headers)
        elif record.rec_type == "resource" and h.get_header("Content-Type"):
            headers = [("Content-Type", h.get_header("Content-Type"))]
        body = None if max_body is None else record.content_stream().read(max_body + 1)
        url = h.get_header("WARC-Target-URI") or ""
        return Parsed(url=url, date=parse_timestamp(h.get_header("WARC-Date")),
                      record_id=h.get_header("WARC-Record-ID") or "",
                      refers_to=h.get_header("WARC-Refers-To") or "",
                      requested_url=h.get_header(REQUESTED_HEADER) or url,
                      sha256=h.get_header(SHA_HEADER), code=code, headers=headers, body=body)


def _http_head(block: bytes) -> tuple[str | None, list[tuple[str, str]]]:
    """The status code and headers of an HTTP block's head, split as warcio splits them."""
    end = block.find(b"\r\n\r\n", 0, MAX_WARC_HEADER) if block.startswith(b"HTTP/") else -1
    if end < 0:
        return None, []
    lines = block[:end].decode("utf-8", "replace").split("\r\n")
    parts = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name.rstrip(" \t"), value.strip()))
    return (parts[1] if len(parts) > 1 else ""), headers


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first header called *name* (any case), as warcio's get_header finds it."""
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), None)


def _digest_ok(value: str | None, data: bytes | memoryview) -> bool | None:
    """Whether a `algo:value` digest (base32 or hex) matches *data*; None when not checkable."""
    if not value or ":" not in value:
        return None
    algo, _, want = value.partition(":")
    algo = algo.strip().lower().replace("-", "")
    if algo not in ("sha1", "sha256", "md5", "sha512"):
        return None
    got = hashlib.new(algo, data).digest()
    want = want.strip()
    if len(want) == 2 * len(got):
        try:
            return binascii.unhexlify(want) == got
        except (binascii.Error, ValueError):
            return False
    try:
        return base64.b32decode(want.upper() + "=" * (-len(want) % 8)) == got
    except (binascii.Error, ValueError):
        return False
