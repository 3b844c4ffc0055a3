"""Every way the project reads WARC records, all through the one reader (pipelines.warc.frame):
- `read_warc`: the pages of any WARC file, for `projektbank extract` (every record checked);
- `iter_responses`: a resumed job's own files (which pages are archived already);
- `index_responses`: the previous job's archive, for fetch-less revalidation;
- `read_member` + `parse_member`: one indexed record, to copy and to extract again.
A record whose framing or digests `read_warc` refuses is left out by the others too, so a page
the crawl counts as archived is a page `extract DIR/raw` reads. Index and resume read our own
archive's header fields (`WarcRecord.summary`); the pages and the copy's page are parsed whole.
"""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
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
    shorten,
)
from projektbank.pipelines.warc.frame import gzip_members, one_record, records
from projektbank.pipelines.warc.record import REUSED_PROFILE, Parsed, WarcRecord, header

logger = logging.getLogger(__name__)


def read_warc(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Page | Unreadable]:
    """The pages of a WARC file (plain or gzip, one record or several per gzip member); every
    damaged, over-limit or lying record is an Unreadable, and the other records are read."""
    path = Path(path)
    try:
        fh, st = open_regular(path)
    except OSError as exc:
        yield Unreadable(str(path), open_reason(exc, "WARC file"))
        return
    count = 0
    try:
        with fh:
            for rec in records(fh, st.st_size, str(path), limits):
                item = rec if isinstance(rec, Unreadable) else _page_of(rec, path, limits)
                if item is not None:
                    count += not isinstance(item, Unreadable)
                    yield item
    except OSError as exc:
        yield Unreadable(str(path), f"unreadable WARC file after {count} records: {os_reason(exc)}")


def _page_of(rec: WarcRecord, path: Path, limits: Limits) -> Page | Unreadable | None:
    """The page a framed record holds (None for record types that hold none)."""
    if rec.type not in ("response", "resource"):
        return None
    url = rec.fields.get("warc-target-uri", "")
    source = f"{path}#{shorten(url, 2048)}" if url else f"{path}#offset={rec.offset}"
    problem = rec.problem()
    if problem:
        return Unreadable(source, problem)
    try:
        parsed = rec.parse(limits.max_page_bytes)
    except Exception as exc:  # warcio raises several kinds on a malformed record
        return Unreadable(source, f"malformed WARC record: {type(exc).__name__}: {exc}")
    try:
        status = int(parsed.code or 200)
    except ValueError:
        status = 0
    if len(parsed.body) > limits.max_page_bytes:
        return Unreadable(source, f"page over --max-page-bytes {limits.max_page_bytes} once "
                                  "decoded (Content-Encoding): not read")
    if parsed.date is None:
        return Unreadable(source, "WARC record without a valid WARC-Date")
    messages = []
    url = parsed.url
    if not is_web_url(url):
        messages.append(f"source_url: WARC-Target-URI {shorten(repr(url), 100)} is not an http(s) "
                        "URL; the record's place in the file is used")
        url = f"{path.resolve()}#offset={rec.offset}"
    return Page(source, url, parsed.body, parsed.date, dict(parsed.headers), status,
                messages=messages)


def iter_responses(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[str, int, datetime, str]]:
    """(target URI, status, fetched_at, requested URI) of every sound response record."""
    for path in paths:
        try:
            fh, st = open_regular(Path(path))
            with fh:
                for rec in records(fh, st.st_size, str(path), DEFAULT_LIMITS):
                    if isinstance(rec, Unreadable):
                        logger.warning("%s: %s", rec.source, rec.reason)
                    elif rec.type == "response" and not rec.problem():
                        found = _response(rec.summary())
                        if found is not None:
                            yield found[0].url, found[1], found[0].date, found[0].requested_url
        except OSError as exc:
            logger.warning("%s: stopped reading (%s)", path, exc)


def _response(parsed: Parsed) -> tuple[Parsed, int] | None:
    """(parsed, status) of a response record with an HTTP status and a WARC-Date, else None."""
    try:
        status = int(parsed.code or 0)
    except ValueError:
        return None
    if parsed.code is None or parsed.date is None:
        return None
    return parsed, status


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
    """Every sound `response` record of gzip-per-record WARC files (in file order), with the
    validators of the reuse metadata records that follow it applied. A damaged, over-limit or
    cut record is left out (a warning), never the caller's problem."""
    for path in paths:
        path = Path(path)
        if not path.name.endswith(".gz"):
            continue  # offsets of gzip members only: our own archive's format
        by_id: dict[str, ArchivedResponse] = {}
        pending: list[ArchivedResponse] = []
        try:
            fh, st = open_regular(path)
            with fh:
                for member in gzip_members(fh, st.st_size, str(path), DEFAULT_LIMITS):
                    if isinstance(member, Unreadable):
                        logger.warning("%s: %s", member.source, member.reason)
                        continue
                    offset, data, length = member
                    rec = one_record(data, f"{path} at offset {offset}", DEFAULT_LIMITS)
                    if isinstance(rec, str):
                        logger.warning("%s: gzip member at offset %d is not one sound record (%s)",
                                       path, offset, rec)
                    elif rec.type == "metadata":
                        _apply_reuse(rec, by_id)
                    elif rec.type == "response" and (found := _response(rec.summary())):
                        entry = _entry(path, offset, length, *found)
                        by_id[entry.record_id] = entry
                        pending.append(entry)
        except OSError as exc:
            logger.warning("%s: stopped indexing (%s)", path, exc)
        yield from pending


def _entry(path: Path, offset: int, length: int, parsed: Parsed, status: int) -> ArchivedResponse:
    h = parsed.headers
    return ArchivedResponse(
        path=path, offset=offset, length=length, record_id=parsed.record_id, url=parsed.url,
        requested_url=parsed.requested_url, status=status, fetched_at=parsed.date,
        sha256=parsed.sha256, content_type=header(h, "Content-Type"), etag=header(h, "ETag"),
        last_modified=header(h, "Last-Modified"))


def _apply_reuse(rec: WarcRecord, by_id: dict[str, ArchivedResponse]) -> None:
    """A reuse metadata record: the validators the server sent when its page was revalidated."""
    target = by_id.get(rec.summary().refers_to)
    try:
        info = json.loads(rec.block) if target is not None else None
    except (ValueError, RecursionError):  # a malformed metadata record changes nothing
        return
    if isinstance(info, dict) and info.get("projektbank") == REUSED_PROFILE:
        target.etag = info.get("etag")
        target.last_modified = info.get("last_modified")


def read_member(path: str | os.PathLike, offset: int, length: int) -> bytes:
    """The bytes of one record's gzip member."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise OSError(f"{path}: record at {offset} is cut ({len(data)} of {length} bytes)")
    return data


def parse_member(member: bytes):
    """One response record's (url, status, headers, body, fetched_at), read as `read_warc`
    reads it; ValueError when the member is not one sound response record."""
    limits = DEFAULT_LIMITS
    found = list(gzip_members(io.BytesIO(member), len(member), "gzip member", limits))
    if len(found) != 1 or isinstance(found[0], Unreadable):
        raise ValueError(f"not one gzip member: {getattr(found[0], 'reason', '')}" if found
                         else "empty gzip member")
    rec = one_record(found[0][1], "gzip member", limits)
    if isinstance(rec, str):
        raise ValueError(rec)
    if rec.type != "response":
        raise ValueError(f"not a response record: {rec.type}")
    parsed = rec.parse(limits.max_page_bytes)
    if parsed.code is None:
        raise ValueError("response record without an HTTP block")
    if parsed.date is None:
        raise ValueError("record without a valid WARC-Date")
    if len(parsed.body) > limits.max_page_bytes:
        raise ValueError(f"page over {limits.max_page_bytes} bytes")
    return parsed.url, int(parsed.code or 200), dict(parsed.headers), parsed.body, parsed.date
