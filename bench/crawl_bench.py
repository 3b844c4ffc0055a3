"""Crawl benchmark: is extraction + writing what limits a crawl?

Generates N project pages (default 2,000, ~65 KB each with site chrome, bench/pagegen.py; or
the bundled sample pages with --pages-from samples) plus list pages (20 projects each, `rel=next`
pagination) and robots.txt, serves them from a fast local server in its own process, then
crawls them, in one run, with

  esf   `projektbank crawl` unchanged (discovery through the list pages, WARC archive,
        parse_page in the extraction workers, Parquet/CSV, publish), and
  bare  a Scrapy spider that only fetches the same URLs (list pages + project pages),

under the same settings (the project's Scrapy settings, item pipelines off for `bare`; no delay,
no AutoThrottle, robots.txt obeyed, the same concurrency). Rounds alternate between the two;
the best round of each counts, and the ratio of the two bests is the headline (target ≥ 0.8).

Timing (bench/crawl_probe.py, the same extension in both crawls): from spider_opened (the
pipelines and the extraction workers are up) to the first spider_idle (every page fetched and
processed). Python start-up, the workers' start and the end-of-run finish/publish are fixed
costs, not throughput: they are shown as `wall` (process start to exit) next to it.

CPU breakdown (user+sys, from /proc, over the same interval), per page and as a share of one
core: the crawl process's main thread (Scrapy + spider + pipelines: the one that limits a
crawl), its other threads, its child processes (the extraction workers) and the server.

Servers (--server), each in its own process, its CPU measured and shown: `fast` (default:
bench/fastserve.py, responses pre-rendered in memory, a raw asyncio protocol), `nginx` (Debian's
nginx on a pre-generated folder, if installed; else falls back to `fast`), `mirror`
(crawler/mirror.py, the test server, with its response cache). Measured on the 2-CPU machine,
all three cost 0.06-0.08 ms of CPU a page (3-4 % of one core at ~550 pages/s): the server is
not what limits either crawl, so the default needs nothing outside the repository.

Reading the numbers: the `bare` crawl is bound by its one Scrapy thread (main ≈ 100 %). When
`esf` is too, its main-thread ms/page over bare's is the overhead of the spider and pipelines
in the crawl process; when main is well below 100 %, the crawl waits for something else (the
extraction workers: `workers` near 100 % divided by their number, or the hand-off to them). The
"avg downloading / queued / scraping" per round is the engine state sampled at each response:
scraping near SCRAPER_SLOT_MAX_ACTIVE_SIZE / page size (5 MB / 65 KB ≈ 76) means the item
pipelines are holding back the downloads; queued near 0 means discovery is.

    .venv/bin/python bench/crawl_bench.py [--pages 2000] [--rounds 3] [--concurrency 16]
        [--pages-from generated|samples] [--server fast|nginx|mirror] [--json FILE]
        [--set NAME=VALUE ...] [--ceiling] [--esf-pipeline CLASS ...] [--profile DIR]

--set NAME=VALUE (repeatable) is a Scrapy setting for both crawls (e.g. CONCURRENT_ITEMS=4).

--esf-pipeline CLASS (repeatable) adds a contender `esf+CLASS`: the esf crawl with that item
pipeline in place of the project's (`-s ITEM_PIPELINES={CLASS: 300}`, bench/ on PYTHONPATH; to
try a change before making it). --ceiling adds `items_only.CountOnlyPipeline` (bench/items_only.py).
Such a contender may drop records: its run assertions are off. --profile DIR writes a cProfile of
each contender's crawl phase (extra run after the rounds, slow).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

PER_PAGE = 20
LIST = "/resultat/projektbanken/"
DETAIL = "/resultat/projektbanken/projekt/"
RUNNER = BENCH / "crawl_runner.py"


# --- the site ---------------------------------------------------------------------------
def _sample_templates() -> list[tuple[str, str]]:
    """(dnr, html) of the bundled sample site's ESF+ and 2014–2020 project pages."""
    site = REPO / "samples" / "site" / "resultat" / "projektbanken" / "projekt" / "dnr"
    out = []
    for f in sorted(site.glob("*.html")):
        dnr = f.stem.replace("%2F", "/")
        if dnr in ("2017/00000", "99-999-S99") or (f.parent / (f.name + ".headers.json")).exists():
            continue
        try:
            out.append((dnr, f.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    return out


def detail_pages(n: int, source: str) -> list[tuple[str, bytes]]:
    """(path?query as requested, body) of n project pages."""
    out = []
    if source == "generated":
        from pagegen import make_page

        for i in range(n):
            url, body = make_page(i)
            parts = urlsplit(url)
            out.append((parts.path + ("?" + parts.query if parts.query else ""), body))
        return out
    tpls = _sample_templates()
    for i in range(n):
        old_dnr, html = tpls[i % len(tpls)]
        dnr = (f"{2015 + i % 6}/{10000 + i:05d}" if "/" in old_dnr
               else f"{22 + i % 3}-{i % 1000:03d}-S{10 + i // 1000:02d}")
        out.append((f"{DETAIL}?dnr={dnr}", html.replace(old_dnr, dnr).encode("utf-8")))
    return out


def build_site(n: int, source: str) -> tuple[dict[str, tuple[str, bytes]], list[str], list[str]]:
    """{target: (content type, body)}, list page targets, detail page targets."""
    site: dict[str, tuple[str, bytes]] = {}
    details = detail_pages(n, source)
    html = "text/html; charset=utf-8"
    for target, body in details:
        site[target] = (html, body)
    paths = [t for t, _ in details]
    pages = (n + PER_PAGE - 1) // PER_PAGE
    lists = []
    for k in range(1, pages + 1):
        target = LIST if k == 1 else f"{LIST}?sida={k}"
        lists.append(target)
        items = "\n".join(f'<li><a href="{p}">{p}</a></li>'
                          for p in paths[(k - 1) * PER_PAGE:k * PER_PAGE])
        nav = f'<a rel="next" href="{LIST}?sida={k + 1}">Nästa</a>' if k < pages else ""
        page = (f"<!DOCTYPE html><html lang=sv><head><meta charset=utf-8><title>Projektbanken {k}"
                f"</title></head><body><ul>{items}</ul><nav>{nav}</nav></body></html>")
        site[target] = (html, page.encode("utf-8"))
    site["/robots.txt"] = ("text/plain; charset=utf-8", b"User-agent: *\nDisallow: /wp-admin/\n")
    return site, lists, paths


# --- servers ----------------------------------------------------------------------------
def _proc_cpu(pid: int) -> float:
    """user+sys CPU seconds of *pid* and its live children (nginx: master + worker)."""
    from crawl_probe import _stat_cpu

    total = _stat_cpu(f"/proc/{pid}/stat")
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                for kid in fh.read().split():
                    total += _stat_cpu(f"/proc/{int(kid)}/stat")
    except OSError:
        pass
    return total


class Server:
    name = "?"
    pid = 0
    port = 0

    def cpu(self) -> float:
        return _proc_cpu(self.pid)

    def stop(self) -> None:
        raise NotImplementedError


def _serve_fast(arg, q) -> None:
    from fastserve import render, serve

    site, latency = arg
    table = {t.encode("latin-1"): render(200, body, ctype) for t, (ctype, body) in site.items()}
    serve(table, q, latency=latency)


def _serve_mirror(root, q) -> None:
    from projektbank.crawler.mirror import Mirror

    m = Mirror(root, 0)
    m.start()
    q.put((m.port, os.getpid()))
    while True:
        time.sleep(3600)


class ProcessServer(Server):
    def __init__(self, name, target, arg):
        self.name = name
        ctx = multiprocessing.get_context("spawn")
        q = ctx.Queue()
        self.proc = ctx.Process(target=target, args=(arg, q), daemon=True)
        self.proc.start()
        self.port, self.pid = q.get(timeout=60)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.join(5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NginxServer(Server):
    name = "nginx"

    def __init__(self, nginx: str, site: dict, tmp: Path):
        root = tmp / "nginx-site"
        for target, (_ctype, body) in site.items():
            path, _, query = target.partition("?")
            if path == DETAIL and query.startswith("dnr="):
                f = root / "d" / (query[4:] + ".html")          # dnr=2019/00492 → d/2019/00492.html
            elif path == LIST:
                f = root / "l" / (f"p{query[5:]}.html" if query.startswith("sida=") else "p.html")
            elif path.endswith("/"):
                f = root / path.lstrip("/") / "index.html"
            else:
                f = root / path.lstrip("/")
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(body)
        self.port = _free_port()
        conf = tmp / "nginx.conf"
        conf.write_text(f"""
{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    types {{ text/html html; text/plain txt; }}
    default_type text/html;
    charset utf-8;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=100000 inactive=600s;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    etag off;
    server {{
        listen 127.0.0.1:{self.port} backlog=1024;
        root {root};
        location = {DETAIL} {{ try_files /d/$arg_dnr.html =404; }}
        location = {LIST} {{ try_files /l/p$arg_sida.html =404; }}
    }}
}}
""", encoding="utf-8")
        self.proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("nginx did not start: " + self.proc.stderr.read().decode()[-500:]) from None
                time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError("nginx did not start")
        self.pid = self.proc.pid

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def write_mirror_site(site: dict, root: Path) -> None:
    """The layout crawler/mirror.py serves (see its docstring)."""
    for target, (_ctype, body) in site.items():
        path, _, query = target.partition("?")
        if path == DETAIL and query.startswith("dnr="):
            f = root / DETAIL.lstrip("/") / "dnr" / (quote(query[4:], safe="") + ".html")
        elif query:
            f = root / path.lstrip("/") / f"index@{query}.html"
        elif path.endswith("/"):
            f = root / path.lstrip("/") / "index.html"
        else:
            f = root / path.lstrip("/")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(body)


def start_server(kind: str, site: dict, tmp: Path, latency: float = 0.0) -> Server:
    if latency and kind != "fast":
        print("note: --latency needs the fast server; using it", file=sys.stderr)
        kind = "fast"
    if kind == "nginx":
        nginx = shutil.which("nginx") or next(
            (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)
        if nginx:
            try:
                return NginxServer(nginx, site, tmp)
            except (OSError, RuntimeError) as exc:
                print(f"note: nginx failed ({exc}); using the fast Python server", file=sys.stderr)
        else:
            print("note: nginx not installed; using the fast Python server", file=sys.stderr)
        kind = "fast"
    if kind == "mirror":
        root = tmp / "mirror-site"
        write_mirror_site(site, root)
        return ProcessServer("mirror", _serve_mirror, str(root))
    return ProcessServer("fast", _serve_fast, (site, latency))


# --- crawls -----------------------------------------------------------------------------
def _settings(args) -> dict:
    extra = {}
    for item in args.set:
        k, _, v = item.partition("=")
        extra[k.strip()] = v
    return {**extra, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "LOG_LEVEL": "WARNING", "LOGSTATS_INTERVAL": 0,
            "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None,
                           "crawl_probe.CrawlProbe": 0}}


def run_crawl(contender: str, pipeline: str | None, origin: str, tmp: Path, args,
              server: Server, n_pages: int, profile: str | None = None) -> dict:
    probe = tmp / "probe.json"
    probe.unlink(missing_ok=True)
    settings = {**_settings(args), "BENCH_PROBE_OUT": str(probe)}
    if profile:
        settings["BENCH_PROFILE"] = profile
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCH), str(REPO)])}
    if contender == "bare":
        (tmp / "urls.json").write_text(json.dumps([origin + p for p in args.targets]))
        (tmp / "settings.json").write_text(json.dumps(settings))
        cmd = [sys.executable, str(RUNNER), "bare", str(tmp / "urls.json"), str(tmp / "settings.json")]
    else:
        out = tmp / "out"
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, str(RUNNER), "esf", "--start-url", origin + LIST, "--out", str(out),
               "-s", "PROJEKTBANK_SITEMAPS_FROM_ROBOTS=False"]
        for k, v in settings.items():  # the bench's own settings are not the crawl's: -S
            cmd += ["-S" if k.startswith("BENCH_") else "-s",
                    f"{k}={json.dumps(v) if isinstance(v, dict) else v}"]
        if pipeline:  # another item pipeline may drop records: no run assertions
            cmd += ["-s", f"ITEM_PIPELINES={json.dumps({pipeline: 300})}",
                    "-s", "PROJEKTBANK_MIN_RECORDS=0", "-s", "PROJEKTBANK_DEFAULT_MIN_FILL=0"]
    server_cpu0 = server.cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    server_cpu = server.cpu() - server_cpu0
    if proc.returncode != 0 or not probe.exists():
        raise RuntimeError(f"{contender} crawl failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    p = json.loads(probe.read_text(encoding="utf-8"))
    result = {"ok_pages": p["ok"], "responses": p["responses"], "wall_s": wall}
    if contender != "bare":
        report = json.loads((tmp / "out" / "crawl_report.json").read_text(encoding="utf-8"))
        result["records"] = report["records"]
        if not pipeline and (  # another pipeline may be an upper bound that skips work
                report["detail_pages_this_run"] != args.pages or report["records"] != args.pages):
            raise RuntimeError(f"{contender}: {report['detail_pages_this_run']} pages, "
                               f"{report['records']} records; expected {args.pages}")
    if p["ok"] != n_pages + 1:  # + robots.txt
        raise RuntimeError(f"{contender}: {p['ok']} pages fetched with 200, expected {n_pages + 1}")
    e = p.get("engine") or {}
    if e.get("samples"):
        k = e["samples"]
        result["engine"] = {"downloading": e["downloading"] / k, "queued": e["queued"] / k,
                            "queue_empty": e["queue_empty"] / k, "scraping": e["scraping"] / k,
                            "scraper_full": e["scraper_full"] / k}
    secs = p["idle"] - p["open"]
    a, b = p["cpu_open"], p["cpu_idle"]
    # server CPU: the whole run scaled to the crawl phase (the server only works while it is fetched)
    result.update({
        "crawl_s": secs,
        "pages_per_s": n_pages / secs,
        "wall_pages_per_s": n_pages / wall,
        "cpu_s": {"main": b["main"] - a["main"], "threads": b["threads"] - a["threads"],
                  "workers": b["children"] - a["children"], "server": server_cpu},
    })
    return result


def _fmt_cpu(r: dict, n: int) -> str:
    c, secs = r["cpu_s"], r["crawl_s"]
    parts = [f"{k} {1000 * v / n:.2f} ms/page ({100 * v / secs:.0f}%)" for k, v in c.items()
             if k in ("main", "server") or v > 0.005 * secs]
    return "; ".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--pages-from", choices=("generated", "samples"), default="generated")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--server", choices=("fast", "nginx", "mirror"), default="fast")
    ap.add_argument("--latency", type=float, default=0.0, metavar="MS",
                    help="the fast server answers each request after MS milliseconds, as a "
                         "remote site does (default 0: the CPU-bound worst case)")
    ap.add_argument("--ceiling", action="store_true",
                    help="also crawl with esf whose item pipeline counts and drops the pages "
                         "(bench/items_only.py): what Scrapy's item path alone allows")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a Scrapy setting for both crawls (repeatable)")
    ap.add_argument("--esf-pipeline", action="append", default=[], metavar="CLASS",
                    help="also crawl with esf with this item pipeline in place of the "
                         "project's (dotted path; bench/ is on PYTHONPATH; repeatable)")
    ap.add_argument("--no-esf", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--profile", metavar="DIR")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    if args.pages < 2000:
        print("note: the issue asks for N >= 2000", file=sys.stderr)

    contenders: list[tuple[str, str | None]] = [("bare", None)]   # (name, item pipeline)
    if not args.no_esf:
        contenders.append(("esf", None))
    if args.ceiling:
        args.esf_pipeline.insert(0, "items_only.CountOnlyPipeline")
    for pipeline in args.esf_pipeline:
        module = pipeline.rpartition(".")[0].rpartition(".")[2] or pipeline
        contenders.append((f"esf+{module}", pipeline))

    site, lists, details = build_site(args.pages, args.pages_from)
    args.targets = lists + details
    n_pages = len(args.targets)
    avg_kb = sum(len(site[t][1]) for t in details) / len(details) / 1024
    results: dict[str, list[dict]] = {name: [] for name, _ in contenders}
    with tempfile.TemporaryDirectory(prefix="projektbank-bench-") as tmp:
        tmp = Path(tmp)
        server = start_server(args.server, site, tmp, args.latency / 1000)
        origin = f"http://127.0.0.1:{server.port}"
        print(f"{args.pages} project pages ({args.pages_from}, {avg_kb:.0f} KB average) + "
              f"{len(lists)} list pages, served by {server.name} on {origin}"
              + (f" with {args.latency:g} ms latency" if args.latency else "") + "; "
              f"{os.cpu_count()} CPUs, concurrency {args.concurrency}, {args.rounds} rounds",
              flush=True)
        try:
            for rnd in range(args.rounds):
                order = contenders if rnd % 2 == 0 else contenders[::-1]
                for name, pipeline in order:
                    r = run_crawl(name, pipeline, origin, tmp, args, server, n_pages)
                    results[name].append(r)
                    print(f"  round {rnd + 1} {name:<14} {r['pages_per_s']:7.1f} pages/s "
                          f"(crawl {r['crawl_s']:.2f} s, wall {r['wall_s']:.1f} s; "
                          f"main thread {1000 * r['cpu_s']['main'] / n_pages:.2f} ms/page CPU"
                          + (f"; avg downloading {r['engine']['downloading']:.1f}, queued "
                             f"{r['engine']['queued']:.1f}, scraping {r['engine']['scraping']:.1f}"
                             if r.get("engine") else "") + ")",
                          flush=True)
            if args.profile:
                import pstats

                Path(args.profile).mkdir(parents=True, exist_ok=True)
                for name, pipeline in contenders:
                    prof = str(Path(args.profile).resolve() / f"{name}.prof")
                    run_crawl(name, pipeline, origin, tmp, args, server, n_pages, profile=prof)
                    print(f"\n--- cProfile of {name} (crawl phase, top 25 by cumulative time): {prof}")
                    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        finally:
            server.stop()

    best = {name: max(rs, key=lambda r: r["pages_per_s"]) for name, rs in results.items()}
    bare = best["bare"]
    summary = {"pages": n_pages, "detail_pages": args.pages, "pages_from": args.pages_from,
               "avg_page_kb": round(avg_kb, 1), "server": server.name, "latency_ms": args.latency,
               "concurrency": args.concurrency, "rounds": args.rounds, "cpus": os.cpu_count(),
               "contenders": {}}
    print(f"\nbest of {args.rounds} rounds, {n_pages} pages each (crawl phase: spider opened → idle):")
    for name, rs in results.items():
        b = best[name]
        entry = {"pages_per_s": round(b["pages_per_s"], 1),
                 "pages_per_s_rounds": [round(r["pages_per_s"], 1) for r in rs],
                 "crawl_s": round(b["crawl_s"], 3), "wall_s": round(b["wall_s"], 2),
                 "wall_pages_per_s": round(b["wall_pages_per_s"], 1),
                 "cpu_ms_per_page": {k: round(1000 * v / n_pages, 3) for k, v in b["cpu_s"].items()},
                 "cpu_share": {k: round(v / b["crawl_s"], 3) for k, v in b["cpu_s"].items()}}
        if name != "bare":
            entry["ratio"] = round(b["pages_per_s"] / bare["pages_per_s"], 3)
            entry["ratio_rounds"] = [round(r["pages_per_s"] / q["pages_per_s"], 3)
                                     for r, q in zip(rs, results["bare"], strict=True)]
            entry["ratio_wall"] = round(b["wall_pages_per_s"] / bare["wall_pages_per_s"], 3)
        summary["contenders"][name] = entry
        print(f"  {name:<12} {b['pages_per_s']:7.1f} pages/s  (wall incl. start-up and finish: "
              f"{b['wall_pages_per_s']:.1f} pages/s)")
        print(f"  {'':<12} CPU: {_fmt_cpu(b, n_pages)}")
    for name in results:
        if name == "bare":
            continue
        e = summary["contenders"][name]
        print(f"ratio {name}/bare: {e['ratio']} (target >= 0.8; per round "
              f"{', '.join(map(str, e['ratio_rounds']))}; wall-clock {e['ratio_wall']})")
    if "esf" in summary["contenders"]:
        summary["ratio"] = summary["contenders"]["esf"]["ratio"]
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
