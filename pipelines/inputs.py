"""What reading one input gives, and how far it reads: `Page` (what parse_page needs),
`Unreadable` (a reject with its reason), `Limits`; and the checks every reader shares (only
regular files are opened, reasons cut, names that are not UTF-8 escaped).

Both readers of saved pages use these: pipelines.sources (files, folders, sidecars) and
pipelines.warc (WARC records); sources imports warc, never the other way.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

MAX_REASON = 300                 # characters of a reject reason (the rest is cut, `…`)
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


def os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "name or path too long"
    return exc.strerror or type(exc).__name__



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


def open_reason(exc: OSError, what: str = "file") -> str:
    if isinstance(exc, NotRegular):
        return f"not a regular file ({exc.kind}): not read"
    return f"unreadable {what}: {os_reason(exc)}"


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
