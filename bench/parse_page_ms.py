"""parse_page ms/page on generated pages, next to lxml's parse alone (best of several rounds).

    python bench/parse_page_ms.py [--pages 500] [--rounds 7] [--samples] [--profile]

--samples: the sample corpus (samples/**/*.html|.txt, with their sidecars) instead.
Which extract is measured is printed: run it with PYTHONPATH=<copy of an older extract/> to
compare against another version in alternating runs.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagegen import make_page  # noqa: E402
from projektbank.extract import parse_page  # noqa: E402
from projektbank.extract.render import parse_html  # noqa: E402

from projektbank import extract  # noqa: E402

WHEN = datetime(2026, 11, 30, tzinfo=UTC)


def per_page(fn, pages) -> float:
    t = time.perf_counter()
    for url, body in pages:
        fn(url, body)
    return (time.perf_counter() - t) / len(pages) * 1000


def sample_pages() -> list[tuple[str, tuple]]:
    from projektbank.pipelines.sources import read_file

    root = Path(__file__).resolve().parents[1] / "samples"
    pages = [read_file(p) for p in sorted(root.rglob("*"))
             if p.suffix in (".html", ".htm", ".txt") and p.is_file()]
    return [(p.url, (p.body, p.fetched_at, p.headers)) for p in pages]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--samples", action="store_true")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    pages = sample_pages() if args.samples else [(url, (body, WHEN, None))
                                                 for url, body in map(make_page, range(args.pages))]
    contenders = {"parse_page": lambda url, page: parse_page(url, *page),
                  "parse_html": lambda url, page: parse_html(page[0])}
    best = dict.fromkeys(contenders, float("inf"))
    per_page(contenders["parse_page"], pages[:50])  # warm the lazy tables
    for _ in range(args.rounds):
        for name, fn in contenders.items():
            best[name] = min(best[name], per_page(fn, pages))
    print(f"extract from {Path(extract.__file__).parent}")
    print(", ".join(f"{k} {v:.3f} ms/page" for k, v in best.items())
          + f"; parse_page minus parse_html {best['parse_page'] - best['parse_html']:.3f} ms")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        per_page(contenders["parse_page"], pages)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
