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

Fault injection (`faults=`): a plan, data in a JSON file (`samples/faults/default.json` by the
name `"default"`), a `{target: [actions]}` dict, or a FaultPlan; plans and their actions are
crawler/mirror_faults.py's (`projektbank mirror --help` lists the actions).

Validators (`conditional=True`, the default): every file is served with `ETag` (the sha1 of
the bytes served, quoted) and `Last-Modified` (the file's mtime), and a GET/HEAD whose
`If-None-Match` matches the ETag (weak comparison, `*`, lists) — or, without `If-None-Match`,
whose `If-Modified-Since` is not older than Last-Modified — gets `304 Not Modified` without a
body. `conditional=False` is a server that ignores validators: the headers are still sent, the
answer is always the full page. `validators=False` sends none. Faults come first: a faulty
answer is never a 304; after `slow:S` or `200` the request is served (and revalidated) normally.

Bounded against hostile clients (crawler/mirror_http.py reads the requests): malformed or
oversized requests get 400/408/413; a file reached through a symlink that leads out of the served
folder is not served (404); the response cache holds at most `CACHE_BYTES`.

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

from projektbank.crawler.mirror_faults import FaultPlan
from projektbank.crawler.mirror_http import (
    HEADER_TIMEOUT,
    IDLE_TIMEOUT,
    MAX_HEAD,
    BadRequest,
    read_request,
    refuse,
    write_response,
)
from projektbank.extract.identifiers import dnr_of

NOT_FOUND_BODY = (
    b"<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Sidan hittades inte"
    b"</title></head><body><h1>Sidan hittades inte</h1><p>404</p></body></html>"
)


CACHE_BYTES = 256 << 20   # bodies kept in the response cache


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
                 faults: FaultPlan | dict[str, list[str]] | str | Path | None = None,
                 log_path: str | Path | None = None, cache: bool = True,
                 conditional: bool = True, validators: bool = True):
        self.root = Path(root) if root else repo_site_dir()
        if not self.root.is_dir():
            raise FileNotFoundError(f"site folder not found: {self.root}")
        self._real_root = self.root.resolve()
        self._cached_bytes = 0
        self.host = host
        self.port = port
        self.faults = FaultPlan.of(faults)   # FaultPlanError (a ValueError) names the entry
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
        try:
            result = self._resolve(target)
        except (OSError, ValueError, UnicodeError):   # a name too long, a NUL byte, bad JSON
            return self._not_found()
        if (self._cache is not None and len(self._cache) < 100_000
                and self._cached_bytes + len(result[2]) <= CACHE_BYTES):
            self._cache[target] = result
            self._cached_bytes += len(result[2])
        return result

    def _inside(self, file: Path) -> bool:
        """*file* is a regular file whose real path is inside the served folder (a symlink
        that leads out of it is refused)."""
        try:
            real = file.resolve(strict=True)
        except (OSError, RuntimeError):
            return False
        return real.is_file() and (real == self._real_root or self._real_root in real.parents)

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
        if self._inside(sidecar):  # headers the saved page was served with (e.g. another charset)
            extra = json.loads(sidecar.read_text(encoding="utf-8"))
            if isinstance(extra, dict):
                headers.update({str(k): str(v).replace("\r", " ").replace("\n", " ")
                                for k, v in extra.items()})
        return 200, headers, body

    def _not_found(self) -> tuple[int, dict[str, str], bytes]:
        page = self.root / "404.html"
        try:
            body = page.read_bytes() if self._inside(page) else NOT_FOUND_BODY
        except OSError:
            body = NOT_FOUND_BODY
        return 404, {"Content-Type": "text/html; charset=utf-8"}, body

    def _resolve(self, target: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        if ".." in path.split("/") or path.startswith("//") or "\x00" in path:
            return self._not_found()
        dnr = dnr_of(target)
        if dnr is not None:
            file = _detail_file(self.root, path, dnr)
            if self._inside(file):
                return self._file_response(file)
            return self._not_found()
        rel = path.lstrip("/")
        plain = self.root / rel
        if path.endswith("/"):
            file = _query_file(self.root, path, parts.query) if parts.query else plain / "index.html"
            if self._inside(file):
                return self._file_response(file)
            return self._not_found()
        if self._inside(plain) and not plain.name.startswith("_"):
            return self._file_response(plain)
        if plain.is_dir() and self._inside(plain / "index.html"):
            location = parts.path + "/" + (("?" + parts.query) if parts.query else "")
            return 301, {"Location": location, "Content-Type": "text/html; charset=utf-8"}, b""
        return self._not_found()

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
                    request = await read_request(reader, self.idle_timeout, self.header_timeout)
                except BadRequest as exc:
                    self._record("-", "-", exc.status)
                    refuse(writer, exc.status, str(exc))
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(writer.drain(), 5)
                    return
                if request is None:
                    return
                method, target, version, headers = request
                keep_alive = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
                conditional = "if-none-match" in headers or "if-modified-since" in headers
                action = self.faults.next_action(target)   # faults come first: never a 304
                if action.drop:
                    self._record(method, target, "drop", conditional)
                    writer.transport.abort()
                    return
                if action.delay:
                    await asyncio.sleep(action.delay)
                if action.status is None:
                    status, hdrs, body = self._answer(method, target, headers, conditional)
                else:
                    status, body = action.status, action.body()
                    hdrs = {"Content-Type": "text/html; charset=utf-8", **action.headers()}
                self._record(method, target, status, conditional)
                await write_response(writer, status, hdrs, body, head_only=method == "HEAD",
                                     keep_alive=keep_alive, trickle=action.trickle)
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def _answer(self, method: str, target: str, headers: dict[str, str],
                conditional: bool) -> tuple[int, dict[str, str], bytes]:
        """The page, or 304 when the request's validators match it."""
        status, hdrs, body = self.resolve(target)
        if (self.conditional and status == 200 and method in ("GET", "HEAD")
                and conditional and self.not_modified(headers, hdrs)):
            return 304, {k: v for k, v in hdrs.items()
                         if k in ("ETag", "Last-Modified", "Cache-Control", "Expires")}, b""
        return status, hdrs, body

    header_timeout = HEADER_TIMEOUT   # (class attributes: a test may shorten them)
    idle_timeout = IDLE_TIMEOUT

    async def _serve(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port, backlog=1024,
                                                  limit=MAX_HEAD)
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
