"""Readers of saved pages for `projektbank extract`: files, folders, WARC files, the raw archive.

Each yields `Page` (what parse_page needs) or `Unreadable` (a reject with its reason); bad
input never raises, never blocks and never makes memory grow with its size:
- only regular files are opened (a FIFO, device or socket, or a symlink to one, is refused
  from `stat` alone); symlinked and unreadable folders are listed, not walked;
- a page over `Limits.max_page_bytes` (the crawl's 10 MB) is refused before it is read; a
  WARC record whose block is larger, or a gzip member that decompresses to more, too;
- a WARC file is framed here, record by record, from its declared `Content-Length`: a record
  whose length runs past the file or does not end in a record boundary, or whose
  `WARC-Block-Digest`, `WARC-Payload-Digest` or `WARC-Projektbank-Sha256` does not match, is
  a reject, and reading goes on at the next record header;
- reasons are cut to `MAX_REASON` characters, and names that are not valid UTF-8 are
  written with their bytes escaped (`\\xff`). Where a page's URL and fetch time come from, in order:
- WARC `response`/`resource` records: `WARC-Target-URI` and `WARC-Date`, plus the HTTP headers;
- a sidecar JSON beside the file (`page.meta.json` or `page.html.json`):
  `{"url": …, "fetched_at": …, "headers": {…}}`;
- `<link rel="canonical" href="…">` in the page;
- else the file's path and modification time.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

PAGE_SUFFIXES = (".html", ".htm", ".txt")
WARC_SUFFIXES = (".warc", ".warc.gz")
SIDECAR_SUFFIXES = (".meta.json",)

_CANONICAL = re.compile(
    rb"""<link\b[^>]*?\brel\s*=\s*["']?canonical["']?[^>]*>""", re.I)
MAX_REASON = 300                 # characters of a reject reason (the rest is cut, `…`)
MAX_SIDECAR_BYTES = 1 << 20      # a sidecar is a few hundred bytes
MAX_WARC_HEADER = 1 << 16        # a WARC or HTTP header block


@dataclass(frozen=True)
class Limits:
    """What `extract` reads of one input at most (`--max-page-bytes`)."""

    max_page_bytes: int = 10 * 1024 * 1024   # the crawl's DOWNLOAD_MAXSIZE
    # a gzip member over the page limit is decompressed this far (and discarded) to find the
    # next member; a bigger one ends that file's reading with a reject
    max_discard_bytes: int = 1 << 30

    @property
    def max_record_bytes(self) -> int:   # a WARC record block: the page plus its HTTP headers
        return self.max_page_bytes + MAX_WARC_HEADER


DEFAULT_LIMITS = Limits()


def shorten(text: str, limit: int = MAX_REASON) -> str:
    """*text* cut to *limit* characters (`…` marks the cut)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_text(text: str) -> str:
    """A path or name as text that UTF-8 can hold: undecodable bytes (surrogate escapes from
    `os.fsdecode`) written as `\\xNN`."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte (e.g. from JSON)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "name or path too long"
    return exc.strerror or type(exc).__name__


_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


@dataclass
class Page:
    source: str
    url: str
    body: bytes
    fetched_at: datetime
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    messages: list[str] = field(default_factory=list)  # about the input (a bad sidecar), for the row

    def __post_init__(self) -> None:
        self.source = safe_text(self.source)
        self.url = safe_text(self.url)


@dataclass
class Unreadable:
    source: str
    reason: str

    def __post_init__(self) -> None:
        self.source = shorten(safe_text(str(self.source)), 4096)
        self.reason = shorten(safe_text(str(self.reason)))


def _is_page_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(PAGE_SUFFIXES) and not name.startswith(".")


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def is_sidecar(path: Path) -> bool:
    """`page.meta.json` or `page.html.json` beside a page file: the page's metadata, read
    with the page, not an input of its own."""
    name = path.name
    if name.lower().endswith(".meta.json"):
        stem = name[: -len(".meta.json")]
        return any(_exists(path.with_name(stem + s))
                   for s in (*PAGE_SUFFIXES, *(x.upper() for x in PAGE_SUFFIXES)))
    return name.lower().endswith(".json") and _is_page_file(path.with_name(name[:-5])) and \
        _exists(path.with_name(name[:-5]))


def _exists(path: Path) -> bool:
    try:
        os.lstat(path)
        return True
    except (OSError, ValueError):
        return False


# friendly names of what is not a page, by content first, then by file name
_FORMATS = {".pdf": "PDF", ".docx": "Word document", ".doc": "Word document",
            ".xlsx": "Excel workbook", ".xls": "Excel workbook", ".odt": "OpenDocument text",
            ".pptx": "PowerPoint", ".zip": "ZIP archive", ".json": "JSON", ".jsonl": "JSON lines",
            ".xml": "XML", ".csv": "CSV", ".md": "Markdown", ".py": "Python",
            ".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image",
            ".svg": "image", ".webp": "image", ".parquet": "Parquet", ".gz": "gzip"}
_MAGIC = ((b"%PDF", "PDF"), (b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"),
          (b"GIF8", "image"), (b"PAR1", "Parquet"), (b"\x1f\x8b", "gzip"))


def sniff_format(name: str, head: bytes) -> str | None:
    """What a file that is not a page is (`PDF`, `Word document`, `JSON`, …), from its first
    bytes and its name; None when neither tells."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    lower = name.lower()
    if head.startswith(b"PK\x03\x04"):
        for suffix in (".docx", ".xlsx", ".odt", ".pptx"):
            if lower.endswith(suffix):
                return _FORMATS[suffix]
        return "ZIP archive"
    for suffix, kind in _FORMATS.items():
        if lower.endswith(suffix):
            return kind
    return None


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def special_kind(mode: int) -> str:
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def open_regular(path: Path):
    """*path* opened for reading if it is a regular file (never blocks on a FIFO), with its
    stat; OSError otherwise (`NotRegular` for special files)."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(special_kind(st.st_mode))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)   # the file opened is the file checked
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(special_kind(st.st_mode))
        return os.fdopen(fd, "rb"), st
    except BaseException:
        os.close(fd)
        raise


class NotRegular(OSError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"not a regular file ({kind})")
        self.kind = kind


def _open_reason(exc: OSError, what: str = "file") -> str:
    if isinstance(exc, NotRegular):
        return f"not a regular file ({exc.kind}): not read"
    return f"unreadable {what}: {_os_reason(exc)}"


def other_file_reason(path: Path) -> str:
    """The reject reason of a file in a folder that is neither a page nor a WARC file."""
    try:
        fh, _ = open_regular(path)
        with fh:
            head = fh.read(4096)
    except OSError as exc:
        return _open_reason(exc)
    if not head.strip():
        return "empty file"
    if path.name.lower() == "robots.txt":
        return "robots.txt"
    kind = sniff_format(path.name, head)
    if kind:
        return f"not HTML ({kind})"
    if b"\x00" in head:
        return "binary"
    suffix = path.suffix.lower()
    return f"not a page file ({suffix or 'no suffix'})"


def find_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[Path | Unreadable]:
    """Expand folders recursively (sorted, hidden entries skipped) into page and WARC files.
    Every other file in a folder is an Unreadable with its reason (`not HTML (PDF)`, …), so
    that each input is either read or listed; sidecar metadata files go with their page.
    Special files (FIFO, device, socket) and symlinks to them are refused from `stat` alone;
    a symlinked folder found inside a folder is listed, not followed (a folder named on the
    command line is read even when it is a symlink); an unreadable folder is listed."""
    for p in paths:
        path = Path(p)
        try:
            st = os.stat(path)
        except (OSError, ValueError) as exc:
            if isinstance(exc, OSError) and exc.errno == errno.ENOENT and _exists(path):
                yield Unreadable(str(path), "unreadable file: broken symlink")
            elif isinstance(exc, OSError) and exc.errno == errno.ENOENT:
                yield Unreadable(str(path), "no such file or folder")
            else:
                yield Unreadable(str(path), _open_reason(exc if isinstance(exc, OSError)
                                                         else OSError(str(exc)), "input"))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path)
        elif stat.S_ISREG(st.st_mode):
            yield path
        else:
            yield Unreadable(str(path), f"not a regular file ({special_kind(st.st_mode)}): not read")


def _walk(folder: Path) -> Iterator[Path | Unreadable]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Unreadable(str(folder), f"unreadable folder: {_os_reason(exc)}")
        return
    files, dirs = [], []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = Path(entry.path)
        try:
            if entry.is_symlink():
                try:
                    st = os.stat(child)
                except OSError as exc:
                    files.append(Unreadable(str(child), "unreadable file: broken symlink" if exc.errno == errno.ENOENT
                                            else f"unreadable symlink: {_os_reason(exc)}"))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    files.append(Unreadable(str(child), "symlinked folder: not followed (name "
                                                        "its target to read it)"))
                    continue
                mode = st.st_mode
            else:
                mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            files.append(Unreadable(str(child), f"unreadable entry: {_os_reason(exc)}"))
            continue
        if stat.S_ISDIR(mode):
            dirs.append(child)
        elif not stat.S_ISREG(mode):
            files.append(Unreadable(str(child), f"not a regular file ({special_kind(mode)}): not read"))
        else:
            files.append(child)
    for child in files:
        if isinstance(child, Unreadable):
            yield child
        elif _is_page_file(child) or is_warc(child):
            yield child
        elif not is_sidecar(child):
            yield Unreadable(str(child), other_file_reason(child))
    for d in dirs:
        yield from _walk(d)


def iter_pages(paths: Iterable[str | os.PathLike],
               limits: Limits = DEFAULT_LIMITS) -> Iterator[Page | Unreadable]:
    for item in find_inputs(paths):
        if isinstance(item, Unreadable):
            yield item
        elif is_warc(item):
            yield from read_warc(item, limits)
        else:
            yield read_file(item, limits)


def _sidecar(path: Path) -> tuple[dict, list[str]]:
    """The sidecar's metadata and what was wrong with it (messages for the row)."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    for candidate in (path.with_name(stem + ".meta.json"), path.with_name(path.name + ".json")):
        name = safe_text(candidate.name)
        try:
            fh, st = open_regular(candidate)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                continue
            return {}, [f"sidecar {shorten(name, 80)}: {_open_reason(exc)}; not used"]
        with fh:
            if st.st_size > MAX_SIDECAR_BYTES:
                return {}, [f"sidecar {shorten(name, 80)}: {st.st_size} bytes, over "
                            f"{MAX_SIDECAR_BYTES}; not used"]
            try:
                data = json.loads(fh.read(MAX_SIDECAR_BYTES + 1).decode("utf-8"))
            except RecursionError:
                return {}, [f"sidecar {shorten(name, 80)}: nested too deep; not used"]
            except (OSError, ValueError) as exc:
                return {}, [f"sidecar {shorten(name, 80)}: not valid JSON "
                            f"({shorten(str(exc), 80)}); not used"]
        if not isinstance(data, dict):
            return {}, [f"sidecar {shorten(name, 80)}: not a JSON object "
                        f"({type(data).__name__}); not used"]
        return data, []
    return {}, []


def is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not url.isascii():
        try:
            url.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (JSON "\ud800"): not text, not a URL
            return False
    return (parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
            and not any(c in url for c in "\r\n\t\x00") and len(url) <= 8192)


def canonical_url(body: bytes) -> str | None:
    head = body[:65536]
    m = _CANONICAL.search(head)
    if not m:
        return None
    h = _HREF.search(m.group(0))
    if not h:
        return None
    raw = next(g for g in h.groups() if g is not None)
    url = raw.decode("utf-8", "replace").strip().replace("&amp;", "&")
    return url or None


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
        ts = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
        ts.astimezone(UTC)   # out of range once in UTC (year 1 or 9999 at the edge)
    except (ValueError, OverflowError):
        return None
    return ts


def _sidecar_headers(value: object, messages: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        messages.append(f"sidecar: 'headers' is not an object ({type(value).__name__}); not used")
        return {}
    out = {}
    for k, v in value.items():
        if isinstance(v, (str, int, float)) and not isinstance(v, bool) and len(str(v)) <= 8192:
            out[str(k)] = str(v)
        else:
            messages.append(f"sidecar: header '{shorten(str(k), 60)}' is not a short string; "
                            "not used")
    return out


def read_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> Page | Unreadable:
    try:
        fh, st = open_regular(path)
        with fh:
            if st.st_size > limits.max_page_bytes:
                return Unreadable(str(path), f"page of {st.st_size} bytes, over --max-page-bytes "
                                             f"{limits.max_page_bytes}: not read")
            body = fh.read(limits.max_page_bytes + 1)
    except OSError as exc:
        return Unreadable(str(path), _open_reason(exc))
    if len(body) > limits.max_page_bytes:   # grew while read
        return Unreadable(str(path), f"page over --max-page-bytes {limits.max_page_bytes}: not read")
    mtime = st.st_mtime
    meta, messages = _sidecar(path)
    headers = _sidecar_headers(meta.get("headers"), messages)
    if path.suffix.lower() == ".txt" and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "text/plain"
    own = safe_text(str(path.resolve()))
    url = meta.get("url")
    if url is not None and not (isinstance(url, str) and (is_web_url(url) or url == own)):
        messages.append(f"sidecar: url {shorten(repr(url), 100)} is not an http(s) URL; "
                        "not used")
        url = None
    if url is None:
        canonical = canonical_url(body)
        if canonical is not None and not is_web_url(canonical):
            messages.append(f"source_url: canonical link {shorten(repr(canonical), 100)} is not an "
                            "http(s) URL; not used")
            canonical = None
        url = canonical or own
    fetched = None
    if meta.get("fetched_at") is not None:
        fetched = _parse_time(meta.get("fetched_at"))
        if fetched is None:
            messages.append(f"sidecar: fetched_at {shorten(repr(meta.get('fetched_at')), 60)} is "
                            "not an ISO date-time; the file's modification time is used")
    if fetched is None:
        try:
            fetched = datetime.fromtimestamp(mtime, UTC)
        except (OverflowError, OSError, ValueError):
            fetched = datetime(1970, 1, 1, tzinfo=UTC)
    return Page(str(path), url, body, fetched, headers, messages=messages)


# --- WARC files: framed here, each record checked, then parsed by warcio --------------------------
class _Rec:
    """One framed WARC record: its offset, header block and content block (both bytes)."""

    __slots__ = ("offset", "head", "block", "fields")

    def __init__(self, offset: int, head: bytes, block: bytes, fields: dict[str, str]) -> None:
        self.offset, self.head, self.block, self.fields = offset, head, block, fields


_SINGLE = frozenset({"warc-type", "warc-target-uri", "warc-date", "content-length",
                     "warc-block-digest", "warc-payload-digest", "warc-record-id"})


def _warc_fields(head: bytes) -> dict[str, str] | None:
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


_NEXT = re.compile(rb"WARC/\d\.\d{1,3}\r?\n")


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


def _frame(fh, end: int, origin: str, limits: Limits,
           base: int = 0) -> Iterator[_Rec | Unreadable]:
    """The records of an uncompressed WARC stream `fh` (seekable, *end* bytes): each one checked
    against its Content-Length (bytes present, a record boundary right after) and digests."""
    pos = 0
    while pos < end:
        fh.seek(pos)
        head = fh.read(min(MAX_WARC_HEADER, end - pos))
        skip = len(head) - len(head.lstrip(b"\r\n"))
        if skip:
            pos += skip
            head = head[skip:]
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
        if cut < 0:
            nxt = _next_header(fh, pos + 1, end)
            yield Unreadable(where, "WARC record header cut or over 64 KB")
            pos = nxt
            continue
        inner = _NEXT.search(head, 1, cut + 2)
        if inner:   # a header cut short, the next record's header read as its rest
            yield Unreadable(where, "WARC record header cut (the next record starts inside it)")
            pos += inner.start()
            continue
        fields = _warc_fields(head[:cut])
        if fields is None:
            yield Unreadable(where, "malformed WARC record header (a field repeated)")
            pos = _next_header(fh, pos + 1, end)
            continue
        body_start = pos + cut + 4
        try:
            length = int(fields.get("content-length", ""))
            if length < 0:
                raise ValueError
        except ValueError:
            yield Unreadable(where, "WARC record without a valid Content-Length "
                                    f"({shorten(repr(fields.get('content-length')), 40)})")
            pos = _next_header(fh, body_start, end)
            continue
        if body_start + length > end:
            yield Unreadable(where, f"cut or lying WARC record: Content-Length {length}, only "
                                    f"{end - body_start} bytes left in the file")
            pos = _next_header(fh, body_start, end)
            continue
        fh.seek(body_start + length)
        after = fh.read(16)
        rest = after.lstrip(b"\r\n")
        # after the block: the end, CRLF CRLF, or a shorter line end and the next record
        if after and not (after.startswith(b"\r\n\r\n") or after.startswith(b"\r\n") and (
                not rest or rest.startswith(b"WARC/"))):
            yield Unreadable(where, f"cut or lying WARC record: no record boundary after its "
                                    f"Content-Length {length}")
            pos = _next_header(fh, body_start, end)
            continue
        nxt = body_start + length + min(4, len(after) - len(rest))
        if length > limits.max_record_bytes:
            yield Unreadable(where, f"WARC record of {length} bytes, over --max-page-bytes "
                                    f"{limits.max_page_bytes}: not read")
            pos = nxt
            continue
        fh.seek(body_start)
        block = fh.read(length)
        yield _Rec(base + pos, head[:cut + 4], block, fields)
        pos = nxt


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


def _check(rec: _Rec) -> str | None:
    """Why a framed record's content does not match its digests (None: it matches or has none)."""
    f = rec.fields
    if _digest_ok(f.get("warc-block-digest"), rec.block) is False:
        return "WARC-Block-Digest does not match the record (changed or cut)"
    block = memoryview(rec.block)
    payload = None
    if rec.block.startswith(b"HTTP/"):
        end = rec.block.find(b"\r\n\r\n", 0, MAX_WARC_HEADER)
        if end >= 0:
            http = rec.block[:end].lower()
            if b"\ntransfer-encoding:" not in http:   # a digest of the de-chunked body: not checked
                payload = block[end + 4:]
    elif f.get("warc-type") == "resource":
        payload = block
    if payload is not None:
        if _digest_ok(f.get("warc-payload-digest"), payload) is False:
            return "WARC-Payload-Digest does not match the page (changed or cut)"
        sha = f.get("warc-projektbank-sha256")
        if sha and hashlib.sha256(payload).hexdigest() != sha.strip().lower():
            return "WARC-Projektbank-Sha256 does not match the page (changed or cut)"
    return None


def _page_of(rec: _Rec, path: Path, limits: Limits) -> Page | Unreadable | None:
    """The page a checked record holds (None for record types that hold none)."""
    from warcio.archiveiterator import ArchiveIterator

    kind = rec.fields.get("warc-type", "")
    if kind not in ("response", "resource"):
        return None
    url = rec.fields.get("warc-target-uri", "")
    source = f"{path}#{shorten(url, 2048)}" if url else f"{path}#offset={rec.offset}"
    problem = _check(rec)
    if problem:
        return Unreadable(source, problem)
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(rec.head + rec.block + b"\r\n\r\n"))))
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        fetched = _parse_time(record.rec_headers.get_header("WARC-Date"))
        headers: dict[str, str] = {}
        status = 200
        if record.http_headers is not None:
            headers = dict(record.http_headers.headers)
            try:
                status = int(record.http_headers.get_statuscode() or 200)
            except ValueError:
                status = 0
        elif record.rec_type == "resource":
            ctype = record.rec_headers.get_header("Content-Type")
            if ctype:
                headers["Content-Type"] = ctype
        body = record.content_stream().read(limits.max_page_bytes + 1)
    except Exception as exc:  # warcio raises several kinds on a malformed record
        return Unreadable(source, f"malformed WARC record: {type(exc).__name__}: {exc}")
    if len(body) > limits.max_page_bytes:
        return Unreadable(source, f"page over --max-page-bytes {limits.max_page_bytes} once "
                                  "decoded (Content-Encoding): not read")
    if fetched is None:
        return Unreadable(source, "WARC record without a valid WARC-Date")
    messages = []
    if not is_web_url(url):
        messages.append(f"source_url: WARC-Target-URI {shorten(repr(url), 100)} is not an http(s) "
                        "URL; the record's place in the file is used")
        url = f"{path.resolve()}#offset={rec.offset}"
    return Page(source, url, body, fetched, headers, status, messages=messages)


def _gzip_members(fh, size: int, origin: str,
                  limits: Limits) -> Iterator[tuple[int, bytes, int] | Unreadable]:
    """(offset, decompressed bytes, compressed length) of each gzip member of `fh`, each at most the record limit;
    a member over it, cut or corrupt is an Unreadable (and reading goes on after it when its
    end can be found)."""
    cap = limits.max_record_bytes + 1024
    pos = 0
    while pos < size:
        fh.seek(pos)
        d = zlib.decompressobj(wbits=31)
        out = bytearray()
        consumed = 0
        discarded = 0
        problem = None
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
                    break   # the file ends inside this member
                if discarded == 0 and len(out) + len(piece) <= cap:
                    out += piece
                else:
                    discarded += len(out) + len(piece)
                    out = bytearray()
                    if discarded > limits.max_discard_bytes:
                        problem = "stop"
                        break
        except zlib.error as exc:
            problem = f"corrupt gzip data ({exc})"
        where = f"{origin} at offset {pos}"
        if problem == "stop":
            yield Unreadable(where, f"gzip member decompresses to more than "
                                    f"{limits.max_discard_bytes} bytes (decompression cap): the "
                                    "rest of the file is not read")
            return
        if problem or not d.eof:
            if not problem:
                yield Unreadable(origin, f"truncated WARC: {size - pos} bytes at offset {pos} are "
                                         "a cut record (a crawl killed mid-write)")
                return
            nxt = _next_member(fh, pos + 1, size)
            yield Unreadable(where, f"{problem or 'cut gzip member'}; "
                                    f"{nxt - pos} bytes skipped to the next gzip member")
            pos = nxt
            continue
        end = pos + consumed - len(d.unused_data)
        if discarded:
            yield Unreadable(where, f"gzip member decompresses to more than {cap} bytes, over "
                                    f"--max-page-bytes {limits.max_page_bytes}: not read")
        else:
            yield pos, bytes(out), end - pos
        if end <= pos:
            return
        pos = end


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


def _pages(records, path: Path, limits: Limits) -> Iterator[Page | Unreadable]:
    """The pages of framed records (damaged records pass through as Unreadable)."""
    for rec in records:
        if isinstance(rec, Unreadable):
            yield rec
            continue
        page = _page_of(rec, path, limits)
        if page is not None:
            yield page


def read_warc(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Page | Unreadable]:
    """The pages of a WARC file (plain or gzip, one record or several per gzip member); every
    damaged, over-limit or lying record is an Unreadable, and the other records are read."""
    path = Path(path)
    try:
        fh, st = open_regular(path)
    except OSError as exc:
        yield Unreadable(str(path), _open_reason(exc, "WARC file"))
        return
    count = 0
    try:
        with fh:
            size = st.st_size
            magic = fh.read(2)
            fh.seek(0)
            if magic == b"\x1f\x8b":
                for member in _gzip_members(fh, size, str(path), limits):
                    if isinstance(member, Unreadable):
                        yield member
                        continue
                    offset, data, _ = member
                    for item in _pages(_frame(io.BytesIO(data), len(data), f"{path} (gzip member "
                                              f"at offset {offset}, decompressed)", limits,
                                              base=offset), path, limits):
                        count += not isinstance(item, Unreadable)
                        yield item
            else:
                for item in _pages(_frame(fh, size, str(path), limits), path, limits):
                    count += not isinstance(item, Unreadable)
                    yield item
    except OSError as exc:
        yield Unreadable(str(path), f"unreadable WARC file after {count} records: {_os_reason(exc)}")
