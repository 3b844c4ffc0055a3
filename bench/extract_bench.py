"""Extraction benchmark: parse_page against the lxml ceiling, and memory of a large extract.

    python bench/extract_bench.py [--pages 2000] [--rss-pages 10000] [--rounds 3]
                                  [--workers-pages 10000] [--workers-rounds 2]

Reports, measured in one run (ratios matter; shared machines are noisy):
- pages/s of extract.parse_page (decode + render + block + normalize + enrich),
- pages/s of a bare lxml parse plus one XPath over the same pages (the ceiling),
- their ratio (target ≥ 0.5),
- pages/s without enrichment, and enrichment's share of the time (budget ≤ 25%),
- peak RSS of `projektbank extract` over --rss-pages pages written to disk (target < 300 MB),
- the speed-up of `extract --workers 2` over `--workers 1` on --workers-pages pages (target
  >= 1.7x on two cores) and the peak RSS of each (the largest single process: the extract or one
  of its workers), with the load average before and after (the machine may be shared).
Rounds alternate between the contenders; the best round of each counts.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lxml import etree, html  # noqa: E402
from pagegen import make_page  # noqa: E402
from projektbank.extract import parse_page  # noqa: E402

WHEN = datetime(2026, 11, 30, tzinfo=UTC)


def run_parse(pages) -> float:
    t = time.perf_counter()
    for url, body in pages:
        ex = parse_page(url, body, WHEN)
        assert ex.record is not None, ex.reject_reason
    return len(pages) / (time.perf_counter() - t)


def run_ceiling(pages) -> float:
    """lxml.html, as a scraper would call it: parse and one XPath."""
    t = time.perf_counter()
    for _url, body in pages:
        root = html.document_fromstring(body)
        root.xpath("//main//text()")
    return len(pages) / (time.perf_counter() - t)


def run_bare_etree(pages) -> float:
    """The fastest bare parse: libxml2's HTML parser with plain elements, and one XPath."""
    parser = etree.HTMLParser(encoding="utf-8")
    t = time.perf_counter()
    for _url, body in pages:
        etree.fromstring(body, parser).xpath("//main//text()")
    return len(pages) / (time.perf_counter() - t)


def run_without_enrichment(pages) -> float:
    """The same loop with enrich() replaced by a no-op (its columns stay unset)."""
    import projektbank.extract.enrich as enrich_module

    real = enrich_module.enrich
    enrich_module.enrich = lambda record, published=None: []
    try:
        return run_parse(pages)
    finally:
        enrich_module.enrich = real


def write_pages(folder: Path, n: int) -> Path:
    src = folder / "pages"
    src.mkdir()
    for i in range(n):
        _url, body = make_page(i, seed=7)
        (src / f"p{i:05d}.html").write_bytes(body)
    return src


# runs a command and prints the peak RSS (KB) of its largest process, workers included
_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def timed_extract(src: Path, out: Path, workers: int) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `projektbank extract --workers N`; report.html is not
    drawn (the same serial seconds for any N, and not extraction)."""
    import os

    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK, sys.executable, "-m", "projektbank",
                           "extract", str(src), "--out", str(out), "-q",
                           "--workers", str(workers)], check=True, capture_output=True, text=True,
                          env={**os.environ, "PROJEKTBANK_REPORT_HTML": "0"})
    return time.perf_counter() - t, int(proc.stdout.split()[-1]) / 1024


def workers_run(n: int, rounds: int) -> None:
    import os

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="projektbank-bench-") as tmp:
        src = write_pages(Path(tmp), n)
        best = {1: float("inf"), 2: float("inf")}
        peak = {1: 0.0, 2: 0.0}
        for r in range(rounds):
            for workers in (1, 2) if r % 2 == 0 else (2, 1):   # alternate who goes first
                seconds, rss = timed_extract(src, Path(tmp) / f"out{workers}", workers)
                best[workers] = min(best[workers], seconds)
                peak[workers] = max(peak[workers], rss)
                print(f"round {r + 1}: --workers {workers}: {seconds:.1f} s "
                      f"({n / seconds:.0f} pages/s), peak RSS {rss:.0f} MB")
        same = all((Path(tmp) / "out1" / f).read_bytes() == (Path(tmp) / "out2" / f).read_bytes()
                   for f in ("projects.parquet", "projects.csv", "rejects.jsonl"))
    print(f"extract --workers 2 over --workers 1 on {n} pages: speed-up "
          f"{best[1] / best[2]:.2f}x (target >= 1.7x on 2 cores); peak RSS {peak[1]:.0f} MB / "
          f"{peak[2]:.0f} MB (target < 300 MB); files identical: {same}; load average "
          f"{load:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs")


def rss_run(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="projektbank-bench-") as tmp:
        src = write_pages(Path(tmp), n)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "projektbank", "extract", str(src),
                        "--out", str(Path(tmp) / "out"), "-q"], check=True)
        elapsed = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        assert peak >= before
        return peak / 1024, n / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rss-pages", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers-pages", type=int, default=10000)
    ap.add_argument("--workers-rounds", type=int, default=2)
    ap.add_argument("--only-workers", action="store_true",
                    help="only the --workers speed-up (skip parse_page and RSS measurements)")
    args = ap.parse_args()
    if args.only_workers:
        workers_run(args.workers_pages, args.workers_rounds)
        return
    pages = [make_page(i) for i in range(args.pages)]
    size = sum(len(b) for _, b in pages) / len(pages) / 1024
    print(f"{len(pages)} generated pages, {size:.0f} KB on average")
    best = {"parse_page": 0.0, "lxml ceiling": 0.0, "bare etree": 0.0,
            "parse_page without enrichment": 0.0}
    for r in range(args.rounds):
        best["lxml ceiling"] = max(best["lxml ceiling"], run_ceiling(pages))
        best["bare etree"] = max(best["bare etree"], run_bare_etree(pages))
        best["parse_page"] = max(best["parse_page"], run_parse(pages))
        best["parse_page without enrichment"] = max(best["parse_page without enrichment"],
                                                    run_without_enrichment(pages))
        print(f"round {r + 1}: " + ", ".join(f"{k} {v:.0f}/s" for k, v in best.items()))
    ratio = best["parse_page"] / best["lxml ceiling"]
    enrich_share = 1 - best["parse_page"] / best["parse_page without enrichment"]
    print(f"parse_page: {best['parse_page']:.0f} pages/s; lxml parse + XPath: "
          f"{best['lxml ceiling']:.0f} pages/s; ratio {ratio:.2f} (target >= 0.5)")
    print(f"against the barest parse (etree.HTMLParser + XPath, {best['bare etree']:.0f} "
          f"pages/s): ratio {best['parse_page'] / best['bare etree']:.2f}")
    print(f"enrichment costs {enrich_share:.0%} of extraction throughput (budget <= 25%)")
    if args.rss_pages:
        peak, rate = rss_run(args.rss_pages)
        print(f"projektbank extract of {args.rss_pages} pages: peak RSS {peak:.0f} MB "
              f"(target < 300 MB), {rate:.0f} pages/s end to end")
    if args.workers_pages:
        workers_run(args.workers_pages, args.workers_rounds)


if __name__ == "__main__":
    main()
