"""Extraction benchmark: parse_page against the lxml ceiling, and memory of a large extract.

    python bench/extract_bench.py [--pages 2000] [--rss-pages 10000] [--rounds 3]

Reports, measured in one run (ratios matter; shared machines are noisy):
- pages/s of extract.parse_page (decode + render + block + normalize + enrich),
- pages/s of a bare lxml parse plus one XPath over the same pages (the ceiling),
- their ratio (target ≥ 0.5),
- pages/s without enrichment, and enrichment's share of the time (budget ≤ 25%),
- peak RSS of `projektbank extract` over --rss-pages pages written to disk (target < 300 MB).
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


def rss_run(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="projektbank-bench-") as tmp:
        src = Path(tmp) / "pages"
        src.mkdir()
        for i in range(n):
            url, body = make_page(i, seed=7)
            (src / f"p{i:05d}.html").write_bytes(body)
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
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
