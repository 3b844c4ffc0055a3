"""The one WARC reader: gzip members and records found from their own headers, bounded.

A record is framed from its declared `Content-Length`: one whose length runs past the file, or
that does not end in a record boundary, is a reject, and reading goes on at the next record
header. A gzip member is decompressed at most to the record limit (then discarded, up to
`Limits.max_discard_bytes`, to find the next member). Nothing here raises on bad bytes or
makes memory grow with the input's size; `records()` and `one_record()` also check digests.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator

from projektbank.pipelines.inputs import MAX_WARC_HEADER, Limits, Unreadable, shorten
from projektbank.pipelines.warc.record import WarcRecord, warc_fields

_NEXT = re.compile(rb"WARC/\d\.\d{1,3}\r?\n")

try:  # ISA-L inflates standard deflate about twice as fast as zlib, with the same interface
    from isal import isal_zlib as _inflater

    _INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error, _inflater.error)
except ImportError:  # pragma: no cover - isal ships wheels for the usual platforms
    _inflater = zlib
    _INFLATE_ERRORS = (zlib.error,)


def records(fh, size: int, origin: str, limits: Limits) -> Iterator[WarcRecord | Unreadable]:
    """Every record of a WARC file (plain, or gzip with one record or several per member),
    framed; damaged, over-limit and lying ones are Unreadable. Digests are not checked here:
    a caller that wants the record checks `problem()` (the pages of `read_warc` name it)."""
    magic = fh.read(2)
    fh.seek(0)
    if magic != b"\x1f\x8b":
        yield from frame(fh, size, origin, limits)
        return
    for member in gzip_members(fh, size, origin, limits):
        if isinstance(member, Unreadable):
            yield member
            continue
        offset, data, _ = member
        yield from frame(io.BytesIO(data), len(data), f"{origin} (gzip member at offset {offset}, "
                         "decompressed)", limits, base=offset)


def one_record(data: bytes, origin: str, limits: Limits) -> WarcRecord | str:
    """The one sound record of a decompressed gzip member (how the raw archive writes them),
    or why it is not one."""
    recs = list(frame(io.BytesIO(data), len(data), origin, limits))
    if len(recs) != 1:
        return f"{len(recs)} records in one gzip member"
    if isinstance(recs[0], Unreadable):
        return recs[0].reason
    return recs[0].problem() or recs[0]


def frame(fh, end: int, origin: str, limits: Limits,
          base: int = 0) -> Iterator[WarcRecord | Unreadable]:
    """The records of an uncompressed WARC stream `fh` (seekable, *end* bytes): each one checked
    against its Content-Length (bytes present, a record boundary right after)."""
    pos = 0
    while pos < end:
        fh.seek(pos)
        head = fh.read(min(MAX_WARC_HEADER, end - pos))
        skip = len(head) - len(head.lstrip(b"\r\n"))
        pos, head = pos + skip, head[skip:]
        if not head:
            return
        where = f"{origin} at offset {base + pos}"
        if not head.startswith(b"WARC/"):
            nxt = _next_header(fh, pos + 1, end)
            yield Unreadable(where, f"not a WARC record ({nxt - pos} bytes skipped to the next "
                                    "record header)")
            pos = nxt
            continue
        cut = head.find(b"\r\n\r\n")
        inner = _NEXT.search(head, 1, cut + 2) if cut >= 0 else None
        fields = warc_fields(head[:cut]) if cut >= 0 and not inner else None
        if cut < 0:
            yield Unreadable(where, "WARC record header cut or over 64 KB")
            pos = _next_header(fh, pos + 1, end)
        elif inner:   # a header cut short, the next record's header read as its rest
            yield Unreadable(where, "WARC record header cut (the next record starts inside it)")
            pos += inner.start()
        elif fields is None:
            yield Unreadable(where, "malformed WARC record header (a field repeated)")
            pos = _next_header(fh, pos + 1, end)
        else:
            body_start = pos + cut + 4
            (after, length), reason = _extent(fh, fields, body_start, end, limits)
            if reason is not None:
                yield Unreadable(where, reason)
            else:
                fh.seek(body_start)
                yield WarcRecord(base + pos, head[:cut + 4], fh.read(length), fields)
            pos = after


def _extent(fh, fields: dict[str, str], body_start: int, end: int,
            limits: Limits) -> tuple[tuple[int, int], str | None]:
    """((where the next record may start, the block's length), why the record is not read)."""
    try:
        length = int(fields.get("content-length", ""))
        if length < 0:
            raise ValueError
    except ValueError:
        return (_next_header(fh, body_start, end), 0), (
            "WARC record without a valid Content-Length "
            f"({shorten(repr(fields.get('content-length')), 40)})")
    if body_start + length > end:
        return (_next_header(fh, body_start, end), 0), (
            f"cut or lying WARC record: Content-Length {length}, only {end - body_start} bytes "
            "left in the file")
    fh.seek(body_start + length)
    after = fh.read(16)
    rest = after.lstrip(b"\r\n")
    # after the block: the end, CRLF CRLF, or a shorter line end and the next record
    if after and not (after.startswith(b"\r\n\r\n") or after.startswith(b"\r\n") and (
            not rest or rest.startswith(b"WARC/"))):
        return (_next_header(fh, body_start, end), 0), (
            f"cut or lying WARC record: no record boundary after its Content-Length {length}")
    nxt = body_start + length + min(4, len(after) - len(rest))
    if length > limits.max_record_bytes:
        return (nxt, 0), (f"WARC record of {length} bytes, over --max-page-bytes "
                          f"{limits.max_page_bytes}: not read")
    return (nxt, length), None


def _next_header(fh, start: int, end: int) -> int:
    """Offset of the next `WARC/1.x` version line at or after *start* (or *end*); a record cut
    mid-line is followed by the next one's version line on the same line."""
    pos = start
    while pos < end:
        fh.seek(pos)
        chunk = fh.read(min(1 << 20, end - pos))
        if not chunk:
            return end
        m = _NEXT.search(chunk)
        if m:
            return pos + m.start()
        if len(chunk) < 16:
            return end
        pos += len(chunk) - 15   # overlap: a version line split across chunks
    return end


def gzip_members(fh, size: int, origin: str,
                 limits: Limits) -> Iterator[tuple[int, bytes, int] | Unreadable]:
    """(offset, decompressed bytes, compressed length) of each gzip member of `fh`, each at most
    the record limit; a member over it, cut or corrupt is an Unreadable (and reading goes on
    after it when its end can be found)."""
    cap = limits.max_record_bytes + 1024
    pos = 0
    while pos < size:
        out, end, discarded, problem = inflate_member(fh, pos, cap, limits)
        where = f"{origin} at offset {pos}"
        if problem == "stop":
            yield Unreadable(where, f"gzip member decompresses to more than "
                                    f"{limits.max_discard_bytes} bytes (decompression cap): the "
                                    "rest of the file is not read")
            return
        if problem == "cut":
            yield Unreadable(origin, f"truncated WARC: {size - pos} bytes at offset {pos} are "
                                     "a cut record (a crawl killed mid-write)")
            return
        if problem:
            nxt = _next_member(fh, pos + 1, size)
            yield Unreadable(where, f"{problem}; {nxt - pos} bytes skipped to the next gzip member")
            pos = nxt
            continue
        if discarded:
            yield Unreadable(where, f"gzip member decompresses to more than {cap} bytes, over "
                                    f"--max-page-bytes {limits.max_page_bytes}: not read")
        else:
            yield pos, out, end - pos
        if end <= pos:
            return
        pos = end


def inflate_member(fh, pos: int, cap: int, limits: Limits) -> tuple[bytes, int, int, str | None]:
    """The member at *pos*: (its bytes, where it ends, bytes discarded over *cap*, problem:
    None, "stop" over the discard cap, "cut" at the end of the file, or a corrupt-data reason)."""
    fh.seek(pos)
    d = _inflater.decompressobj(wbits=31)
    out = bytearray()
    consumed = discarded = 0
    pending = b""
    at_end = False
    try:
        while not d.eof:
            if pending:
                chunk = pending
            elif not at_end:
                chunk = fh.read(1 << 16)
                at_end = not chunk
                consumed += len(chunk)
            else:
                chunk = b""
            room = cap + 1 - len(out) if discarded == 0 else 1 << 20
            piece = d.decompress(chunk, max(room, 1))
            pending = d.unconsumed_tail
            if at_end and not piece and not pending:
                return b"", pos, 0, "cut"   # the file ends inside this member
            if discarded == 0 and len(out) + len(piece) <= cap:
                out += piece
            else:
                discarded += len(out) + len(piece)
                out = bytearray()
                if discarded > limits.max_discard_bytes:
                    return b"", pos, discarded, "stop"
    except _INFLATE_ERRORS as exc:
        return b"", pos, 0, f"corrupt gzip data ({exc})"
    return bytes(out), pos + consumed - len(d.unused_data), discarded, None


def _next_member(fh, start: int, end: int) -> int:
    pos = start
    while pos < end:
        fh.seek(pos)
        chunk = fh.read(min(1 << 20, end - pos))
        i = chunk.find(b"\x1f\x8b\x08")
        if i >= 0:
            return pos + i
        if len(chunk) < 4:
            return end
        pos += len(chunk) - 2
    return end
