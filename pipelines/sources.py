"""Readers of saved pages for `projektbank extract`: files, folders, WARC files, the raw archive.

Files and folders are read here; WARC files by pipelines.warc (`read_warc`), which this module
imports and which imports nothing from it.

Each yields `Page` (what parse_page needs) or `Unreadable` (a reject with its reason); bad
input never raises, never blocks and never makes memory grow with its size:
- only regular files are opened (a FIFO, device or socket, or a symlink to one, is refused
  from `stat` alone); symlinked and unreadable folders are listed, not walked;
- a page over `Limits.max_page_bytes` (the crawl's 10 MB) is refused before it is read; a
  WARC record whose block is larger, or a gzip member that decompresses to more, too;
- a WARC file is framed record by record from its declared `Content-Length` (pipelines.warc):
  a record whose length runs past the file or does not end in a record boundary, or whose
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

import errno
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from projektbank.pipelines.inputs import (
    DEFAULT_LIMITS,
    Limits,
    Page,
    Unreadable,
    is_web_url,
    open_reason,
    open_regular,
    os_reason,
    safe_text,
    shorten,
    special_kind,
)
from projektbank.pipelines.warc import parse_timestamp, read_warc

PAGE_SUFFIXES = (".html", ".htm", ".txt")
WARC_SUFFIXES = (".warc", ".warc.gz")
SIDECAR_SUFFIXES = (".meta.json",)

_CANONICAL = re.compile(
    rb"""<link\b[^>]*?\brel\s*=\s*["']?canonical["']?[^>]*>""", re.I)
MAX_SIDECAR_BYTES = 1 << 20      # a sidecar is a few hundred bytes
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


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


def other_file_reason(path: Path) -> str:
    """The reject reason of a file in a folder that is neither a page nor a WARC file."""
    try:
        fh, _ = open_regular(path)
        with fh:
            head = fh.read(4096)
    except OSError as exc:
        return open_reason(exc)
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
                yield Unreadable(str(path), open_reason(exc if isinstance(exc, OSError)
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
        yield Unreadable(str(folder), f"unreadable folder: {os_reason(exc)}")
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
                                            else f"unreadable symlink: {os_reason(exc)}"))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    files.append(Unreadable(str(child), "symlinked folder: not followed (name "
                                                        "its target to read it)"))
                    continue
                mode = st.st_mode
            else:
                mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            files.append(Unreadable(str(child), f"unreadable entry: {os_reason(exc)}"))
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


@dataclass(frozen=True)
class PageFile:
    """A saved page file, not read yet: `extract --workers N` hands these to its worker
    processes, which read them (read_file), so reading runs on every core too."""
    path: Path
    limits: Limits = DEFAULT_LIMITS

    @property
    def source(self) -> str:
        return safe_text(str(self.path))

    def read(self) -> Page | Unreadable:
        return read_file(self.path, self.limits)


def iter_pages(paths: Iterable[str | os.PathLike], limits: Limits = DEFAULT_LIMITS, *,
               deferred: bool = False) -> Iterator[Page | Unreadable | PageFile]:
    """Every page under `paths`, in order. `deferred`: a saved file comes as a PageFile for
    the reader to read (a WARC file's pages are read here: one file, read in order)."""
    for item in find_inputs(paths):
        if isinstance(item, Unreadable):
            yield item
        elif is_warc(item):
            yield from read_warc(item, limits)
        else:
            yield PageFile(item, limits) if deferred else read_file(item, limits)


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
            return {}, [f"sidecar {shorten(name, 80)}: {open_reason(exc)}; not used"]
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
        return Unreadable(str(path), open_reason(exc))
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
        fetched = parse_timestamp(meta.get("fetched_at"))
        if fetched is None:
            messages.append(f"sidecar: fetched_at {shorten(repr(meta.get('fetched_at')), 60)} is "
                            "not an ISO date-time; the file's modification time is used")
    if fetched is None:
        try:
            fetched = datetime.fromtimestamp(mtime, UTC)
        except (OverflowError, OSError, ValueError):
            fetched = datetime(1970, 1, 1, tzinfo=UTC)
    return Page(str(path), url, body, fetched, headers, messages=messages)
