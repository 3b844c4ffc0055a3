"""WARC benchmark: write a raw archive, then read it every way the project reads one.

    python bench/warc_bench.py [--pages 2000] [--rounds 3]

Reports pages per CPU second (process time, best round of each: a shared machine makes
wall time noise) of:
- write:  response_member + RawArchive.append (what the crawl does per page, level 1),
- read:   read_warc (what `projektbank extract DIR/raw` reads: every record framed and checked),
- index:  index_responses (the previous archive, for fetch-less revalidation),
- resume: iter_responses (a resumed job's own files),
- load:   read_member + parse_member of every indexed record (a revalidated page's copy).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagegen import make_page  # noqa: E402
from projektbank.pipelines.warc import (  # noqa: E402
    RawArchive,
    index_responses,
    iter_responses,
    parse_member,
    read_member,
    read_warc,
    response_member,
    warc_files,
)

WHEN = datetime(2026, 11, 30, tzinfo=UTC)
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"v1"')]


def write(raw: Path, pages) -> float:
    t = time.process_time()
    archive = RawArchive(raw, "run", level=1)
    for url, body in pages:
        archive.append(response_member(url, 200, HEADERS, body, WHEN, level=1)[2])
    archive.close()
    return len(pages) / (time.process_time() - t)


def count(items) -> int:
    return sum(1 for _ in items)


def read_all(files) -> int:
    return count(p for f in files for p in read_warc(f) if hasattr(p, "body"))


def load_all(files) -> int:
    return count(e for e in index_responses(files)
                 if parse_member(read_member(e.path, e.offset, e.length)))


READERS = {"read": read_all,
           "index": lambda files: count(index_responses(files)),
           "resume": lambda files: count(iter_responses(files)),
           "load": load_all}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    pages = [make_page(i, seed=7) for i in range(args.pages)]
    n = len(pages)
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="projektbank-warc-bench-") as tmp:
        for r in range(args.rounds):
            raw = Path(tmp) / f"raw{r}"
            best["write"] = max(best.get("write", 0.0), write(raw, pages))
            files = warc_files(raw)
            for name, reader in READERS.items():
                t = time.process_time()
                got = reader(files)
                assert got == n, (name, got, n)
                best[name] = max(best.get(name, 0.0), n / (time.process_time() - t))
    size = sum(len(b) for _, b in pages) / n / 1024
    print(f"{n} pages of {size:.0f} KB, best of {args.rounds} rounds (pages per CPU second):")
    for name, rate in best.items():
        print(f"  {name:<7} {rate:8.0f}")


if __name__ == "__main__":
    main()
