"""A small, faulty local copy of the project bank for the crawl fault tests (issue 14).

Written from the specification only (README, issue 14, tests/blind_site.py's page renderer); it
shares nothing with `crawler/mirror.py`. The pages are rendered on request by a threaded
`http.server` of its own that logs every request when it arrives (so a test can assert that
nothing was requested, or what was in flight).

- list pages `/resultat/projektbanken/` and `?sida=N` (numbered links, `<a rel="next">`,
  `<link rel="next">`), `PER_PAGE` detail links each;
- detail pages `/resultat/projektbanken/projekt/?dnr=<dnr>` rendered by `blind_site`;
- per-project faults (`Fault`), whose counters live on the server, so they keep their state
  across a killed crawl and its `--resume`:
  `status` (a status code with headers, `times` times or forever; headers may be a callable so an
  HTTP-date `Retry-After` is computed when the request arrives), `drop` (close the connection
  without an answer), `slow_body` (headers at once, the body trickled over `seconds`), `slow`
  (the whole answer after `seconds`), `hang` (accept, never answer, until the server stops or
  `seconds` pass), `redirect_chain` (301 → 301 → 200 under an extra query parameter),
  `redirect_loop` (301s for ever between two URLs), `redirect_offsite` (301 to `localhost`, another
  host name of this server: a crawl that follows it shows in the log's `host`);
- `Sitemap:` bomb (optional): robots.txt lists `bomb_n` sitemap indexes, each listing `bomb_n`
  sitemaps, each listing one known project; generated lazily;
- `unlisted`: projects taken off the list pages (their detail page answers 404);
- `refuse_all`: every request but robots.txt (404) answers that status (e.g. 403).

`python tests/fault_site.py` serves one by hand.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from blind_site import PAGE_404, Project, e, esf1420, esfplus, render_project  # noqa: E402

DETAIL_PATH = "/resultat/projektbanken/projekt/"
LIST_PATH = "/resultat/projektbanken/"
MARKUPS = ["dl", "table", "pstrong", "divspan"]


def make_projects(n: int, salt: int = 0) -> list[Project]:
    """`n` projects, two thirds ESF+ (`24-3NN-S0k`), one third 2014–2020 (`2018/03NNN`)."""
    out = []
    for i in range(n):
        if i % 3 == 2:
            out.append(esf1420(i + salt, f"2018/03{i:03d}", MARKUPS[i % 4]))
        else:
            out.append(esfplus(i + salt, f"24-3{i:02d}-S0{1 + i % 9}", MARKUPS[i % 4]))
    return out


def retry_after_date(seconds: float) -> Callable[[], dict]:
    """Headers with `Retry-After` as an HTTP date `seconds` ahead of the request."""
    return lambda: {"Retry-After": formatdate(time.time() + seconds, usegmt=True)}


@dataclass
class Fault:
    kind: str  # status | drop | slow_body | slow | hang | redirect_chain | redirect_loop
    #            | redirect_offsite
    status: int = 0
    headers: dict | Callable[[], dict] = field(default_factory=dict)
    times: int | None = 1          # how many requests get the fault; None: every request
    seconds: float = 0.0

    @property
    def recoverable(self) -> bool:
        if self.kind == "status":
            return self.times is not None and self.status != 404
        return self.kind in ("drop", "slow_body", "slow", "redirect_chain") or (
            self.kind == "hang" and self.times is not None)


class FaultSite:
    PER_PAGE = 8

    def __init__(self, n: int = 20, faults: dict[str, Fault] | None = None, salt: int = 0):
        self.projects = make_projects(n, salt)
        self.by_key = {p.key: p for p in self.projects}
        self.faults: dict[str, Fault] = dict(faults or {})
        self.unlisted: set[str] = set()
        self.bomb_n = 0
        self.refuse_all: int | None = None
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}

    def key(self, i: int) -> str:
        return self.projects[i].key

    @property
    def listed(self) -> list[Project]:
        return [p for p in self.projects if p.key not in self.unlisted]

    def expected_ids(self) -> set[str]:
        """The projects a complete crawl publishes: listed and not failing for good."""
        return {p.project_id for p in self.listed
                if p.key not in self.faults or self.faults[p.key].recoverable}

    def hit(self, key: str) -> int:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]

    # ---- pages
    def pages(self) -> list[list[Project]]:
        ps = self.listed
        return [ps[k:k + self.PER_PAGE] for k in range(0, max(len(ps), 1), self.PER_PAGE)]

    @staticmethod
    def list_url(n: int) -> str:
        return LIST_PATH if n == 1 else f"{LIST_PATH}?sida={n}"

    def render_list(self, n: int) -> bytes | None:
        pages = self.pages()
        if not 1 <= n <= len(pages):
            return None
        last = len(pages)
        lis = "\n".join(f'<li class="project-item"><a href="{e(p.path)}">{e(p.key)} - '
                        f"{e(p.name)}</a></li>" for p in pages[n - 1])
        nav = []
        if n > 1:
            nav.append(f'<a class="prev" href="{e(self.list_url(n - 1))}">Föregående</a>')
        for k in range(1, last + 1):
            nav.append(f'<span aria-current="page">{k}</span>' if k == n else
                       f'<a class="page-numbers" href="{e(self.list_url(k))}">{k}</a>')
        head_next = ""
        if n < last:
            nav.append(f'<a rel="next" class="next" href="{e(self.list_url(n + 1))}">Nästa</a>')
            head_next = f'<link rel="next" href="{e(self.list_url(n + 1))}">'
        return f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Projektbanken – sida {n}</title>{head_next}</head>
<body><header><a href="/">Svenska ESF-rådet</a></header>
<main id="main"><h1>Projektbanken</h1>
<ul class="project-list">
{lis}
</ul>
<nav class="navigation pagination" aria-label="Sidnumrering">{" ".join(nav)}</nav>
</main><footer>Svenska ESF-rådet</footer></body></html>
""".encode()

    def robots(self, origin: str) -> bytes:
        lines = ["User-agent: *", "Disallow: /wp-admin/", ""]
        lines += [f"Sitemap: {origin}/bomb/{i}.xml" for i in range(self.bomb_n)]
        return ("\n".join(lines) + "\n").encode()

    def bomb_index(self, i: int, origin: str) -> bytes:
        locs = "".join(f"<sitemap><loc>{origin}/bomb/{i}/{j}.xml</loc></sitemap>\n"
                       for j in range(self.bomb_n))
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.'
                f'sitemaps.org/schemas/sitemap/0.9">\n{locs}</sitemapindex>\n').encode()

    def bomb_leaf(self, i: int, j: int, origin: str) -> bytes:
        ps = self.listed
        p = ps[(i * self.bomb_n + j) % len(ps)]
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">\n<url><loc>{e(origin + p.path)}</loc></url>\n'
                "</urlset>\n").encode()


class FaultServer:
    """`with FaultServer(site) as s:` serves on 127.0.0.1:s.port; `s.log` lists every request."""

    HANG_MAX = 120.0  # a hung answer ends after this at the latest (or when the server stops)

    def __init__(self, site: FaultSite):
        self.site = site
        self.log: list[dict] = []
        self.loglock = threading.Lock()
        self.stopping = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 150  # an idle keep-alive connection does not hold a thread for ever

            def log_message(self, *args):
                pass

            def do_GET(self):
                entry = {"t": time.time(), "path": self.path, "status": None,
                         "host": self.headers.get("Host", "")}
                with outer.loglock:
                    outer.log.append(entry)
                try:
                    outer.serve(self, entry)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.start_url = self.origin + LIST_PATH
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # ---- the log
    def requests(self) -> list[dict]:
        with self.loglock:
            return list(self.log)

    def mark(self) -> int:
        with self.loglock:
            return len(self.log)

    def since(self, mark: int) -> list[dict]:
        with self.loglock:
            return list(self.log[mark:])

    @staticmethod
    def detail_key(path: str) -> str | None:
        parts = urlsplit(path)
        if parts.path != DETAIL_PATH:
            return None
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            if k == "dnr":
                return v.strip()
        return None

    def detail_requests(self, since: int = 0) -> list[dict]:
        return [r for r in self.since(since) if self.detail_key(r["path"]) is not None]

    # ---- answering
    def send(self, h: BaseHTTPRequestHandler, entry: dict, status: int, body: bytes = b"",
             headers: dict | None = None, trickle: float = 0.0) -> None:
        entry["status"] = status
        h.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if not trickle:
            h.wfile.write(body)
            return
        h.wfile.flush()
        chunks = 10
        step = -(-len(body) // chunks)
        for k in range(0, len(body), step):
            if self.stopping.wait(trickle / chunks):
                h.close_connection = True
                return
            h.wfile.write(body[k:k + step])
            h.wfile.flush()

    def not_found(self, h, entry) -> None:
        self.send(h, entry, 404, PAGE_404.encode())

    def serve(self, h: BaseHTTPRequestHandler, entry: dict) -> None:
        site, origin = self.site, self.origin
        parts = urlsplit(h.path)
        path = parts.path
        if site.refuse_all is not None:  # robots.txt: none (404), so robots rules play no part
            if path == "/robots.txt":
                return self.not_found(h, entry)
            return self.send(h, entry, site.refuse_all, b"<html><body>Forbidden</body></html>")
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        xml = {"Content-Type": "application/xml; charset=utf-8"}
        if path == "/robots.txt":
            return self.send(h, entry, 200, site.robots(origin),
                             {"Content-Type": "text/plain; charset=utf-8"})
        if path.startswith("/bomb/") and path.endswith(".xml") and site.bomb_n:
            bits = path[len("/bomb/"):-len(".xml")].split("/")
            try:
                nums = [int(b) for b in bits]
            except ValueError:
                return self.not_found(h, entry)
            if len(nums) == 1:
                return self.send(h, entry, 200, site.bomb_index(nums[0], origin), xml)
            if len(nums) == 2:
                return self.send(h, entry, 200, site.bomb_leaf(nums[0], nums[1], origin), xml)
            return self.not_found(h, entry)
        if path == LIST_PATH:
            n = params.get("sida", "1")
            body = site.render_list(int(n)) if n.isdigit() else None
            if body is None:
                return self.not_found(h, entry)
            return self.send(h, entry, 200, body)
        if path == DETAIL_PATH:
            return self.detail(h, entry, params.get("dnr", "").strip(), params)
        return self.not_found(h, entry)

    def detail(self, h, entry, key: str, params: dict) -> None:
        site = self.site
        p = site.by_key.get(key)
        if p is None or key in site.unlisted:
            return self.not_found(h, entry)
        fault = site.faults.get(key)
        n = site.hit(key)
        active = fault is not None and (fault.times is None or n <= fault.times)
        if fault is not None and fault.kind == "redirect_chain":
            step = params.get("steg", "0")
            if step in ("0", "1"):
                nxt = f"{self.origin}{p.path}&steg={int(step) + 1}"
                return self.send(h, entry, 301, b"", {"Location": nxt})
        elif fault is not None and fault.kind == "redirect_loop":
            step = 1 if params.get("varv") == "2" else 2  # → varv=2 → varv=1 → varv=2 …
            return self.send(h, entry, 301, b"", {"Location": f"{self.origin}{p.path}&varv={step}"})
        elif fault is not None and fault.kind == "redirect_offsite":
            there = f"http://localhost:{self.port}{p.path}"  # the same server, another host name
            return self.send(h, entry, 301, b"", {"Location": there})
        elif active and fault.kind == "status":
            hdrs = fault.headers() if callable(fault.headers) else dict(fault.headers)
            entry["headers"] = hdrs
            body = b"<html><body><h1>Tillf\xc3\xa4lligt fel</h1></body></html>"
            if fault.status == 404:
                body = PAGE_404.encode()
            return self.send(h, entry, fault.status, body, hdrs)
        elif active and fault.kind == "drop":
            entry["status"] = "dropped"
            h.close_connection = True
            return None
        elif active and fault.kind == "hang":
            entry["status"] = "hang"
            self.stopping.wait(fault.seconds or self.HANG_MAX)
            h.close_connection = True
            return None
        elif active and fault.kind == "slow":
            if self.stopping.wait(fault.seconds):
                return None
        body = render_project(p, self.origin)
        trickle = fault.seconds if (active and fault.kind == "slow_body") else 0.0
        return self.send(h, entry, 200, body, trickle=trickle)


def main() -> None:  # python tests/fault_site.py: serve it by hand
    site = FaultSite(20, {
        "24-300-S01": Fault("status", 429, {"Retry-After": "1"}),
        "24-301-S02": Fault("status", 429, retry_after_date(2)),
        "2018/03002": Fault("status", 503, {"Retry-After": "1"}, times=2),
        "24-303-S04": Fault("status", 503, times=2),
        "24-304-S05": Fault("drop"),
        "2018/03005": Fault("slow_body", seconds=1.0),
        "24-306-S07": Fault("status", 404, times=None),
        "24-307-S08": Fault("redirect_chain", times=None),
        "2018/03008": Fault("hang", seconds=5),
    })
    with FaultServer(site) as s:
        print(s.start_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
