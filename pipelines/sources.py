"""Readers of saved pages for `projektbank extract`: files, folders, WARC files, the raw archive.

Each yields `Page` (what parse_page needs) or `Unreadable` (a reject with its reason); bad
input never raises. Where a page's URL and fetch time come from, in order:
- WARC `response`/`resource` records: `WARC-Target-URI` and `WARC-Date`, plus the HTTP headers;
- a sidecar JSON beside the file (`page.meta.json` or `page.html.json`):
  `{"url": …, "fetched_at": …, "headers": {…}}`;
- `<link rel="canonical" href="…">` in the page;
- else the file's path and modification time.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PAGE_SUFFIXES = (".html", ".htm", ".txt")
WARC_SUFFIXES = (".warc", ".warc.gz")
SIDECAR_SUFFIXES = (".meta.json",)

_CANONICAL = re.compile(
    rb"""<link\b[^>]*?\brel\s*=\s*["']?canonical["']?[^>]*>""", re.I)
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


@dataclass
class Page:
    source: str
    url: str
    body: bytes
    fetched_at: datetime
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


@dataclass
class Unreadable:
    source: str
    reason: str


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
        return any(path.with_name(stem + s).exists()
                   for s in (*PAGE_SUFFIXES, *(x.upper() for x in PAGE_SUFFIXES)))
    return name.lower().endswith(".json") and _is_page_file(path.with_name(name[:-5])) and \
        path.with_name(name[:-5]).exists()


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
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return f"unreadable file: {exc.strerror or exc}"
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
    that each input is either read or listed; sidecar metadata files go with their page."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root) / name
                    if _is_page_file(child) or is_warc(child):
                        yield child
                    elif not name.startswith(".") and not is_sidecar(child):
                        yield Unreadable(str(child), other_file_reason(child))
        elif path.is_file():
            yield path
        else:
            yield Unreadable(str(path), "no such file or folder")


def iter_pages(paths: Iterable[str | os.PathLike]) -> Iterator[Page | Unreadable]:
    for item in find_inputs(paths):
        if isinstance(item, Unreadable):
            yield item
        elif is_warc(item):
            yield from read_warc(item)
        else:
            yield read_file(item)


def _sidecar(path: Path) -> dict:
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    for candidate in (path.with_name(stem + ".meta.json"), path.with_name(path.name + ".json")):
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {"_problem": f"unreadable sidecar {candidate.name}"}
            return data if isinstance(data, dict) else {}
    return {}


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
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def read_file(path: Path) -> Page | Unreadable:
    try:
        body = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError as exc:
        return Unreadable(str(path), f"unreadable file: {exc.strerror or exc}")
    meta = _sidecar(path)
    headers = {str(k): str(v) for k, v in (meta.get("headers") or {}).items()}
    if path.suffix.lower() == ".txt" and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "text/plain"
    url = meta.get("url") or canonical_url(body) or str(path.resolve())
    fetched = _parse_time(meta.get("fetched_at")) or datetime.fromtimestamp(mtime, UTC)
    return Page(str(path), url, body, fetched, headers)


def read_warc(path: Path) -> Iterator[Page | Unreadable]:
    from warcio.archiveiterator import ArchiveIterator

    from pipelines.raw_archive import CappedReader, complete_length

    count = 0
    size = path.stat().st_size if path.exists() else 0
    # warcio reads a gzip member cut by a killed crawl as a short record: stop before it.
    limit = complete_length(path) if path.name.lower().endswith(".gz") else size
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(CappedReader(fh, limit)):
                if record.rec_type not in ("response", "resource"):
                    continue
                count += 1
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                source = f"{path}#{url}"
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
                body = record.content_stream().read()
                if fetched is None:
                    yield Unreadable(source, "WARC record without a valid WARC-Date")
                    continue
                yield Page(source, url, body, fetched, headers, status)
    except OSError as exc:
        yield Unreadable(str(path), f"unreadable WARC file: {exc.strerror or exc}")
        return
    except Exception as exc:  # warcio raises several kinds on a cut or corrupt file
        yield Unreadable(str(path), f"truncated or corrupt WARC after {count} records: {exc}")
        return
    if limit < size:
        yield Unreadable(str(path), f"truncated WARC: {size - limit} bytes after record "
                                    f"{count} are a cut record (a crawl killed mid-write)")
