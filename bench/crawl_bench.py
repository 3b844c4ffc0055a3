"""Crawl benchmark: is extraction + writing what limits a crawl?

Generates N project pages (default 2,000; from the bundled sample pages, each with its own
diarienummer) plus list pages, serves them from the fast local mirror (crawler/mirror.py, in
its own process, responses cached in memory), then crawls them twice in one run:

  1. `projektbank crawl` (the `esf` spider: discovery, WARC archive, parse_page, Parquet/CSV);
  2. a bare Scrapy spider that only fetches the same URLs (list pages + project pages).

Both with the same settings (no delay, no AutoThrottle, robots.txt obeyed, same concurrency).
Prints pages/s of both and the ratio (target ≥ 0.8), and writes them as JSON with --json.

    .venv/bin/python bench/crawl_bench.py [--pages 2000] [--concurrency 16] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PER_PAGE = 20
LIST = "/resultat/projektbanken/"
DETAIL = "/resultat/projektbanken/projekt/"


def templates() -> list[tuple[str, str]]:
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


def build_site(root: Path, n: int) -> list[str]:
    tpls = templates()
    paths = []
    for i in range(n):
        old_dnr, html = tpls[i % len(tpls)]
        dnr = f"{2015 + i % 6}/{10000 + i:05d}" if "/" in old_dnr else f"{22 + i % 3}-{i % 1000:03d}-S{10 + i // 1000:02d}"
        page = html.replace(old_dnr, dnr)
        f = root / DETAIL.lstrip("/") / "dnr" / (quote(dnr, safe="") + ".html")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(page, encoding="utf-8")
        paths.append(f"{DETAIL}?dnr={dnr}")
    pages = (n + PER_PAGE - 1) // PER_PAGE
    list_paths = []
    for k in range(1, pages + 1):
        href = LIST if k == 1 else f"{LIST}?sida={k}"
        list_paths.append(href)
        items = "\n".join(f'<li><a href="{p}">{p}</a></li>' for p in paths[(k - 1) * PER_PAGE:k * PER_PAGE])
        nav = f'<a rel="next" href="{LIST}?sida={k + 1}">Nästa</a>' if k < pages else ""
        html = (f"<!DOCTYPE html><html lang=sv><head><meta charset=utf-8><title>Projektbanken {k}"
                f"</title></head><body><ul>{items}</ul><nav>{nav}</nav></body></html>")
        name = "index.html" if k == 1 else f"index@sida={k}.html"
        (root / LIST.lstrip("/") / name).write_text(html, encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /wp-admin/\n", encoding="utf-8")
    return list_paths + paths


def serve(root: str, port_queue) -> None:
    from crawler.mirror import Mirror

    m = Mirror(root, 0)
    m.start()
    port_queue.put(m.port)
    while True:
        time.sleep(3600)


BARE_SPIDER = textwrap.dedent('''
    import json, sys, time
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = json.load(open(sys.argv[1]))
    settings = json.load(open(sys.argv[2]))

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):
            for u in urls:
                yield scrapy.Request(u, callback=self.parse)

        def parse(self, response):
            pass

    times = {}

    def opened(spider):
        times["open"] = time.time()

    def closed(spider, reason):
        times["close"] = time.time()

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Bare)
    crawler.signals.connect(opened, signal=scrapy.signals.spider_opened)
    crawler.signals.connect(closed, signal=scrapy.signals.spider_closed)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"seconds": times["close"] - times["open"],
                      "responses": stats.get("response_received_count", 0)}))
''')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    if args.pages < 2000:
        print("note: the issue asks for N >= 2000", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="projektbank-bench-") as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        paths = build_site(site, args.pages)
        q = multiprocessing.get_context("spawn").Queue()
        server = multiprocessing.get_context("spawn").Process(target=serve, args=(str(site), q),
                                                              daemon=True)
        server.start()
        port = q.get(timeout=30)
        origin = f"http://127.0.0.1:{port}"
        common = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": True,
                  "CONCURRENT_REQUESTS": args.concurrency,
                  "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
                  "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
                  "REMOTE_CONTROL_ENABLED": False, "COOKIES_ENABLED": False,
                  "LOGSTATS_INTERVAL": 0}
        try:
            # warm the server's cache so both crawls see the same server
            import urllib.request
            for p in paths:
                urllib.request.urlopen(origin + p).read()

            # 1. the esf spider
            out = tmp / "out"
            cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--start-url", origin + LIST,
                   "--out", str(out)]
            for k, v in common.items():
                cmd += ["-s", f"{k}={v}"]
            cmd += ["-s", "PROJEKTBANK_SITEMAPS_FROM_ROBOTS=False"]
            t0 = time.time()
            proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
            esf_wall = time.time() - t0
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 1
            report = json.loads((out / "crawl_report.json").read_text(encoding="utf-8"))
            esf_pages = report["detail_pages_this_run"] + report["list_pages"]
            esf_secs = report["duration_s"]

            # 2. the bare spider
            (tmp / "urls.json").write_text(json.dumps([origin + p for p in paths]))
            (tmp / "settings.json").write_text(json.dumps({**common, "USER_AGENT": "bench"}))
            (tmp / "bare.py").write_text(BARE_SPIDER)
            t0 = time.time()
            proc = subprocess.run([sys.executable, str(tmp / "bare.py"), str(tmp / "urls.json"),
                                   str(tmp / "settings.json")], cwd=tmp, capture_output=True, text=True)
            bare_wall = time.time() - t0
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 1
            bare = json.loads(proc.stdout.strip().splitlines()[-1])
        finally:
            server.kill()

    result = {
        "pages": len(paths), "detail_pages": args.pages, "concurrency": args.concurrency,
        "cpus": os.cpu_count(),
        "esf": {"pages": esf_pages, "records": report["records"], "crawl_seconds": esf_secs,
                "wall_seconds": round(esf_wall, 2), "pages_per_s": round(esf_pages / esf_secs, 1)},
        "bare": {"pages": bare["responses"], "crawl_seconds": round(bare["seconds"], 3),
                 "wall_seconds": round(bare_wall, 2),
                 "pages_per_s": round(bare["responses"] / bare["seconds"], 1)},
    }
    result["ratio"] = round(result["esf"]["pages_per_s"] / result["bare"]["pages_per_s"], 3)
    result["ratio_wall"] = round((esf_pages / esf_wall) / (bare["responses"] / bare_wall), 3)
    print(f"esf spider : {esf_pages} pages in {esf_secs:.2f} s = {result['esf']['pages_per_s']} pages/s "
          f"({report['records']} records; wall {esf_wall:.1f} s)")
    print(f"bare spider: {bare['responses']} pages in {bare['seconds']:.2f} s = "
          f"{result['bare']['pages_per_s']} pages/s (wall {bare_wall:.1f} s)")
    print(f"ratio esf/bare: {result['ratio']} (target >= 0.8; wall-clock ratio {result['ratio_wall']})")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
