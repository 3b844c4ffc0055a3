"""The cheapest local HTTP/1.1 server we can write in Python, for bench/crawl_bench.py.

Every response (status line, headers, body) is rendered once, up front, into one bytes object;
serving a request is: find the end of the request head, look the target up in a dict, write.
A raw asyncio Protocol (no StreamReader/StreamWriter), keep-alive, GET/HEAD only, no request
bodies. Unknown targets get a small 404. Meant to run in its own process so that its CPU time
can be measured (it is reported next to the crawls' CPU).

    table = {b"/robots.txt": render(200, b"...", "text/plain; charset=utf-8"), ...}
    serve(table, port_queue)          # in a child process; puts the bound port on the queue
    serve(table, port_queue, latency=0.05)   # each response 50 ms after its request
"""

from __future__ import annotations

import asyncio
import os

_REASONS = {200: b"OK", 301: b"Moved Permanently", 404: b"Not Found"}


def render(status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
           extra: dict[str, str] | None = None) -> bytes:
    head = [b"HTTP/1.1 %d %s" % (status, _REASONS.get(status, b"Status")),
            b"Content-Type: " + content_type.encode("latin-1"),
            b"Content-Length: %d" % len(body),
            b"Connection: keep-alive"]
    for k, v in (extra or {}).items():
        head.append(f"{k}: {v}".encode("latin-1"))
    return b"\r\n".join(head) + b"\r\n\r\n" + body


NOT_FOUND = render(404, b"<!DOCTYPE html><html><body><h1>404</h1></body></html>")


class _Protocol(asyncio.Protocol):
    __slots__ = ("table", "transport", "buf", "counts", "latency")

    def __init__(self, table: dict[bytes, bytes], counts: list[int], latency: float = 0.0):
        self.table = table
        self.counts = counts
        self.latency = latency
        self.transport = None
        self.buf = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        start = 0
        while True:
            end = buf.find(b"\r\n\r\n", start)
            if end < 0:
                break
            line_end = buf.find(b"\r\n", start, end + 2)
            parts = buf[start:line_end].split(b" ")
            start = end + 4
            if len(parts) != 3:
                self.transport.close()
                return
            resp = self.table.get(parts[1])
            if resp is None:
                resp = NOT_FOUND
                self.counts[1] += 1
            self.counts[0] += 1
            if parts[0] == b"HEAD":
                resp = resp[:resp.index(b"\r\n\r\n") + 4]
            if self.latency:  # a remote site's response time (responses keep their order)
                asyncio.get_running_loop().call_later(self.latency, self._write, resp)
            else:
                self.transport.write(resp)
        self.buf = buf[start:]
        if len(self.buf) > 65536:  # not HTTP we understand
            self.transport.close()

    def _write(self, resp: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(resp)


def serve(table: dict[bytes, bytes], port_queue, host: str = "127.0.0.1",
          latency: float = 0.0) -> None:
    """Serve *table* forever on *host*:<free port>; the port goes to *port_queue*. Each
    response is sent *latency* seconds after its request arrived."""
    counts = [0, 0]

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Protocol(table, counts, latency), host, 0,
                                          backlog=1024)
        port_queue.put((server.sockets[0].getsockname()[1], os.getpid()))
        await server.serve_forever()

    asyncio.run(main())
