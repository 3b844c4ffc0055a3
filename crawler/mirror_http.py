"""The HTTP/1.1 wire of the mirror (crawler/mirror.py): read one request head, bounded against
hostile clients, and write one response. What a request is answered with is the mirror's.

Bounds: a request head over `MAX_HEAD`, a request line or header that does not parse, a
`Content-Length` that is not a number, or a chunked request body get `400 Bad Request`; a body
over `MAX_BODY` bytes gets `413` (never read); a head not complete within the header timeout
gets `408`; an idle keep-alive connection is closed after the idle timeout.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

HEADER_TIMEOUT = 10.0     # seconds for a request head, once its first byte arrived
IDLE_TIMEOUT = 75.0       # seconds a kept-alive connection may wait for its next request
MAX_HEAD = 1 << 16        # bytes of a request line and headers
MAX_BODY = 1 << 16        # bytes of a request body (the site takes none)

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
           400: "Bad Request", 404: "Not Found", 408: "Request Timeout", 413: "Content Too Large",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def read_request(reader: asyncio.StreamReader, idle_timeout: float, header_timeout: float):
    """(method, target, version, headers) of the next request; None when the client closed
    (or an idle keep-alive connection timed out); BadRequest for anything malformed."""
    try:
        first = await asyncio.wait_for(reader.readexactly(1), idle_timeout)
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        return None
    try:
        head = first + await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), header_timeout)
    except TimeoutError:
        raise BadRequest(408, "request head not complete in time") from None
    except asyncio.LimitOverrunError:
        raise BadRequest(400, "request head too long") from None
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    if len(head) > MAX_HEAD:
        raise BadRequest(400, "request head too long")
    lines = head[:-4].decode("latin-1").split("\r\n")
    method, target, version = _request_line(lines[0])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        k, sep, v = line.partition(":")
        if not sep or not k or k != k.strip() or " " in k:
            raise BadRequest(400, "malformed header line")
        headers[k.lower()] = v.strip()
    if "transfer-encoding" in headers:
        raise BadRequest(400, "request bodies are not accepted chunked")
    raw = headers.get("content-length", "0") or "0"
    if not raw.isdigit():
        raise BadRequest(400, "Content-Length is not a number")
    length = int(raw)
    if length > MAX_BODY:
        raise BadRequest(413, f"request body over {MAX_BODY} bytes")
    if length:
        try:
            await asyncio.wait_for(reader.readexactly(length), header_timeout)
        except TimeoutError:
            raise BadRequest(408, "request body not complete in time") from None
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
    return method, target, version, headers


def _request_line(line: str) -> tuple[str, str, str]:
    parts = line.split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or not parts[2].startswith("HTTP/1."):
        raise BadRequest(400, "malformed request line")
    method, target, version = parts
    if not (target.startswith("/") or target.startswith(("http://", "https://"))):
        raise BadRequest(400, "malformed request target")
    if len(target) > 8192:
        raise BadRequest(400, "request target too long")
    if target.startswith(("http://", "https://")):   # absolute form: keep path and query
        split = urlsplit(target)
        target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    return method, target, version


def refuse(writer: asyncio.StreamWriter, status: int, message: str) -> None:
    reason = REASONS[status]
    body = f"<html><body><h1>{status} {reason}</h1><p>{message}</p></body></html>".encode()
    writer.write((f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body)


async def write_response(writer: asyncio.StreamWriter, status: int, headers: dict[str, str],
                         body: bytes, *, head_only: bool, keep_alive: bool,
                         trickle: float = 0.0) -> None:
    """Status line, headers and body; `trickle` > 0 sends the body in ten parts over that many
    seconds (a slow server)."""
    out = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
    out += [f"{k}: {v}" for k, v in headers.items()]
    if status != 304:  # a 304 has no body (and no Content-Length of its own)
        out.append(f"Content-Length: {len(body)}")
    out.append("Connection: " + ("keep-alive" if keep_alive else "close"))
    writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
    if not head_only and trickle > 0 and body:
        step = max(1, len(body) // 10)
        for i in range(0, len(body), step):
            writer.write(body[i:i + step])
            await writer.drain()
            await asyncio.sleep(trickle / 10)
    elif not head_only:
        writer.write(body)
    await writer.drain()
