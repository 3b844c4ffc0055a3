"""A small, fast HTTP/1.1 server for a saved copy of the project bank (asyncio, no Scrapy).

`projektbank mirror [DIR]` serves the bundled `samples/site/`; the crawl tests and the benchmark
run it on 127.0.0.1. File layout (see `samples/site/README.md`):

    /path/                         → DIR/path/index.html
    /path/?k=v&…                   → DIR/path/index@k=v&….html   (query decoded, sorted by name)
    /path/file.ext                 → DIR/path/file.ext
    /…/projekt/?dnr=2019/00492     → DIR/…/projekt/dnr/2019%2F00492.html
                                     (any other query parameter of a detail URL is ignored)
    FILE.headers.json (optional)   → response headers for FILE (e.g. another charset)

A path without its trailing slash whose folder exists is redirected (301) like WordPress does.
`{{ORIGIN}}` in .txt and .xml files is replaced by `http://127.0.0.1:PORT`. Unknown URLs get
404 with `DIR/404.html` when it exists.

Fault injection (`faults=`, a dict or a JSON file, `"default"` for the bundled site's set):
`{"<target>": ["503", "200"], …}`: the n-th request for the target (path + query as sent,
or the canonical detail URL path `…/projekt/?dnr=…`) gets the n-th action; the last action
repeats. Actions: a status code (`"503"`, `"429:2"` = 429 with `Retry-After: 2`,
`"429:date+2"` = with Retry-After as the HTTP date 2 s ahead, `"301:/other?x=1"` = a redirect
there), `"drop"` (close the connection without a response), `"slow:S"` (wait S seconds, then
200), `"slowbody:S"` (headers at once, the page's body trickled over S seconds), `"200"` (serve
normally).

Validators (`conditional=True`, the default): every file is served with `ETag` (the sha1 of
the bytes served, quoted) and `Last-Modified` (the file's mtime), and a GET/HEAD whose
`If-None-Match` matches the ETag (weak comparison, `*`, lists) — or, without `If-None-Match`,
whose `If-Modified-Since` is not older than Last-Modified — gets `304 Not Modified` without a
body. `conditional=False` is a server that ignores validators: the headers are still sent, the
answer is always the full page. `validators=False` sends none. Faults come first: a faulty
answer is never a 304; after `slow:S` or `200` the request is served (and revalidated) normally.

Every request is appended to `log_path` (JSON lines: t, method, target, status, conditional:
whether the request carried If-None-Match/If-Modified-Since) when given.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import mimetypes
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from crawler.urls import dnr_of

DEFAULT_FAULTS: dict[str, list[str]] = {
    # recoverable
    "/resultat/projektbanken/projekt/?dnr=2019/00492": ["503", "503", "200"],
    "/resultat/projektbanken/projekt/?dnr=22-021-S03": ["429:1", "200"],
    "/resultat/projektbanken/projekt/?dnr=23-002-S02": ["drop", "200"],
    "/resultat/projektbanken/projekt/?dnr=2016/00311": ["slow:1.5"],
    "/resultat/projektbanken/projekt/?dnr=2018/00250": ["slow:4", "200"],  # > DOWNLOAD_TIMEOUT once
    "/resultat/projektbanken/?sida=2": ["500", "200"],
    # not recoverable
    "/resultat/projektbanken/projekt/?dnr=2015/00777": ["503"],
}

NOT_FOUND_BODY = (
    b"<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Sidan hittades inte"
    b"</title></head><body><h1>Sidan hittades inte</h1><p>404</p></body></html>"
)


def repo_site_dir() -> Path:
    """The bundled sample site: `samples/site` next to the `crawler` package."""
    return Path(__file__).resolve().parent.parent / "samples" / "site"


def _detail_file(root: Path, path: str, dnr: str) -> Path:
    base = path if path.endswith("/") else path + "/"
    return root / base.lstrip("/") / "dnr" / (quote(dnr, safe="") + ".html")


def _query_file(root: Path, path: str, query: str) -> Path:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    name = "&".join(f"{k}={v}" for k, v in pairs).replace("/", "%2F")
    return root / path.lstrip("/") / f"index@{name}.html"


class Mirror:
    """Serve *root* on 127.0.0.1:*port* (0 = any free port) in a background thread."""

    def __init__(self, root: str | Path | None = None, port: int = 0, *, host: str = "127.0.0.1",
                 faults: dict[str, list[str]] | str | Path | None = None,
                 log_path: str | Path | None = None, cache: bool = True,
                 conditional: bool = True, validators: bool = True):
        self.root = Path(root) if root else repo_site_dir()
        if not self.root.is_dir():
            raise FileNotFoundError(f"site folder not found: {self.root}")
        self.host = host
        self.port = port
        if faults == "default":
            faults = DEFAULT_FAULTS
        elif isinstance(faults, (str, Path)):
            faults = json.loads(Path(faults).read_text(encoding="utf-8"))
        self.faults: dict[str, list[str]] = dict(faults or {})
        self._hits: dict[str, int] = {}
        self.log_path = Path(log_path) if log_path else None
        self._log = None
        self._cache: dict[str, tuple[int, dict[str, str], bytes]] | None = {} if cache else None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.requests = 0
        self.conditional = conditional   # answer 304 to matching validators (may be changed live)
        self.validators = validators     # send ETag/Last-Modified

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/resultat/projektbanken/") -> str:
        return self.origin + path

    # --- routing ------------------------------------------------------------------------
    def resolve(self, target: str) -> tuple[int, dict[str, str], bytes]:
        if self._cache is not None and target in self._cache:
            return self._cache[target]
        result = self._resolve(target)
        if self._cache is not None and len(self._cache) < 100_000:
            self._cache[target] = result
        return result

    def _file_response(self, file: Path) -> tuple[int, dict[str, str], bytes]:
        body = file.read_bytes()
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix in (".txt", ".xml"):
            body = body.replace(b"{{ORIGIN}}", self.origin.encode())
        if ctype.startswith("text/") or ctype in ("application/xml",):
            ctype += "; charset=utf-8"
        headers = {"Content-Type": ctype}
        if self.validators:
            headers["ETag"] = '"' + hashlib.sha1(body).hexdigest() + '"'  # noqa: S324 - not security
            headers["Last-Modified"] = formatdate(file.stat().st_mtime, usegmt=True)
        sidecar = file.with_name(file.name + ".headers.json")
        if sidecar.is_file():  # headers the saved page was served with (e.g. another charset)
            headers.update(json.loads(sidecar.read_text(encoding="utf-8")))
        return 200, headers, body

    def _not_found(self) -> tuple[int, dict[str, str], bytes]:
        page = self.root / "404.html"
        body = page.read_bytes() if page.is_file() else NOT_FOUND_BODY
        return 404, {"Content-Type": "text/html; charset=utf-8"}, body

    def _resolve(self, target: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        if ".." in path.split("/") or path.startswith("//"):
            return self._not_found()
        dnr = dnr_of(target)
        if dnr is not None:
            file = _detail_file(self.root, path, dnr)
            if file.is_file():
                return self._file_response(file)
            return self._not_found()
        rel = path.lstrip("/")
        plain = self.root / rel
        if path.endswith("/"):
            file = _query_file(self.root, path, parts.query) if parts.query else plain / "index.html"
            if file.is_file():
                return self._file_response(file)
            return self._not_found()
        if plain.is_file() and not plain.name.startswith("_"):
            return self._file_response(plain)
        if plain.is_dir() and (plain / "index.html").is_file():
            location = parts.path + "/" + (("?" + parts.query) if parts.query else "")
            return 301, {"Location": location, "Content-Type": "text/html; charset=utf-8"}, b""
        return self._not_found()

    def _fault_key(self, target: str) -> str | None:
        if target in self.faults:
            return target
        dnr = dnr_of(target)
        if dnr is not None:
            path = urlsplit(target).path
            key = f"{path if path.endswith('/') else path + '/'}?dnr={dnr}"
            if key in self.faults:
                return key
        return None

    @staticmethod
    def not_modified(request_headers: dict[str, str], headers: dict[str, str]) -> bool:
        """RFC 9110 §13.1: If-None-Match (weak comparison) wins over If-Modified-Since."""
        inm = request_headers.get("if-none-match")
        if inm is not None:
            etag = headers.get("ETag")
            if not etag:
                return False

            def weak(tag: str) -> str:
                tag = tag.strip()
                return tag[2:] if tag[:2] in ("W/", "w/") else tag

            tags = {weak(t) for t in inm.split(",")}
            return "*" in tags or weak(etag) in tags
        ims = request_headers.get("if-modified-since")
        modified = headers.get("Last-Modified")
        if ims and modified:
            try:
                return parsedate_to_datetime(modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                return False
        return False

    # --- HTTP ---------------------------------------------------------------------------
    def _record(self, method: str, target: str, status: int | str, conditional: bool = False) -> None:
        self.requests += 1
        if self._log is not None:
            self._log.write(json.dumps({"t": time.time(), "method": method, "target": target,
                                        "status": status, "conditional": conditional}) + "\n")
            self._log.flush()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, version = lines[0].split(" ", 2)
                except ValueError:
                    return
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                keep_alive = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"

                action = "200"
                key = self._fault_key(target)
                if key is not None:
                    n = self._hits.get(key, 0)
                    self._hits[key] = n + 1
                    seq = self.faults[key]
                    action = seq[min(n, len(seq) - 1)] if seq else "200"
                extra: dict[str, str] = {}
                conditional = "if-none-match" in headers or "if-modified-since" in headers
                if action == "drop":
                    self._record(method, target, "drop", conditional)
                    writer.transport.abort()
                    return
                trickle = 0.0
                if action.startswith("slow:"):
                    await asyncio.sleep(float(action.split(":", 1)[1]))
                    action = "200"
                elif action.startswith("slowbody:"):
                    trickle = float(action.split(":", 1)[1])
                    action = "200"
                if action == "200":
                    status, hdrs, body = self.resolve(target)
                    if (self.conditional and status == 200 and method in ("GET", "HEAD")
                            and conditional and self.not_modified(headers, hdrs)):
                        status, body = 304, b""
                        hdrs = {k: v for k, v in hdrs.items()
                                if k in ("ETag", "Last-Modified", "Cache-Control", "Expires")}
                else:
                    code, _, arg = action.partition(":")
                    status, hdrs, body = int(code), {"Content-Type": "text/html; charset=utf-8"}, (
                        f"<html><body><h1>{code}</h1></body></html>".encode())
                    if status in (301, 302, 303, 307, 308) and arg:
                        extra["Location"] = arg
                    elif arg.startswith("date+"):
                        extra["Retry-After"] = formatdate(time.time() + float(arg[5:]), usegmt=True)
                    elif arg:
                        extra["Retry-After"] = arg
                self._record(method, target, status, conditional)
                reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
                          404: "Not Found",
                          429: "Too Many Requests", 500: "Internal Server Error",
                          503: "Service Unavailable"}.get(status, "Status")
                out = [f"HTTP/1.1 {status} {reason}"]
                for k, v in {**hdrs, **extra}.items():
                    out.append(f"{k}: {v}")
                if status != 304:  # a 304 has no body (and no Content-Length of its own)
                    out.append(f"Content-Length: {len(body)}")
                out.append("Connection: " + ("keep-alive" if keep_alive else "close"))
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
                if method != "HEAD" and trickle > 0 and body:
                    step = max(1, len(body) // 10)
                    for i in range(0, len(body), step):
                        writer.write(body[i:i + step])
                        await writer.drain()
                        await asyncio.sleep(trickle / 10)
                elif method != "HEAD":
                    writer.write(body)
                await writer.drain()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        async with self._server:
            await self._server.serve_forever()

    def serve_forever(self) -> None:
        """Serve in the calling thread until KeyboardInterrupt."""
        if self.log_path:
            self._log = self.log_path.open("a", encoding="utf-8")
        try:
            asyncio.run(self._serve())
        finally:
            if self._log:
                self._log.close()

    def start(self) -> Mirror:
        """Serve in a background thread; returns once the port is bound."""
        if self.log_path:
            self._log = self.log_path.open("a", encoding="utf-8")

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(self._serve())
            except asyncio.CancelledError:
                pass
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name="projektbank-mirror", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("mirror did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._server:
            self._loop.call_soon_threadsafe(self._server.close)
        if self._thread:
            self._thread.join(5)
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def read_log(path: str | Path) -> list[dict]:
    p = Path(path)
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
