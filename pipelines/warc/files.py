"""The raw archive's files on disk: which they are, and cutting a torn last record."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from projektbank.pipelines.inputs import Limits
from projektbank.pipelines.warc.frame import inflate_member

logger = logging.getLogger(__name__)

# only where each member ends is wanted: decompressed bytes are all discarded, never capped
_ENDS_ONLY = Limits(max_page_bytes=0, max_discard_bytes=sys.maxsize)


def warc_files(raw_dir: str | os.PathLike) -> list[Path]:
    d = Path(raw_dir)
    if not d.is_dir():
        return []
    return sorted(p for p in d.rglob("*") if p.is_file() and p.name.endswith((".warc.gz", ".warc")))


def complete_length(path: str | os.PathLike) -> int:
    """Bytes of *path* made of complete gzip members (every record is one member, written
    whole and flushed; a crawl killed mid-write leaves a cut member at the end)."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        pos = 0
        while pos < size:
            _, end, _, problem = inflate_member(fh, pos, 0, _ENDS_ONLY)
            if problem or end <= pos:
                return pos
            pos = end
    return pos


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
