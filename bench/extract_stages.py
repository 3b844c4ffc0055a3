"""Per-stage ms/page of parse_page on generated pages (GC off, best of 9): where the time goes.

    python bench/extract_stages.py [stage ...]

Each stage runs alone over 300 pages with warm caches, so the stages add up to less than
parse_page (inside it, libxml2's parse evicts the caches between them); parse_html here builds
all 300 trees before freeing them, so it reads higher than bench/parse_page_ms.py's.
"""

from __future__ import annotations

import hashlib
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagegen import make_page  # noqa: E402
from projektbank.extract import description as desc  # noqa: E402
from projektbank.extract import page as P  # noqa: E402
from projektbank.extract.block import find_block, split_label_lines  # noqa: E402
from projektbank.extract.decode import decode  # noqa: E402
from projektbank.extract.enrich import enrich  # noqa: E402
from projektbank.extract.render import parse_html, render_html  # noqa: E402


def main() -> None:
    pages = [make_page(i) for i in range(300)]
    roots = [parse_html(b) for _, b in pages]
    rendered = [render_html(r) for r in roots]
    lines = [split_label_lines(r) for r in rendered]
    blocks = [find_block(v) for v in lines]
    recs = [P.parse_page(u, b, "2026-01-01T00:00:00Z").record for u, b in pages]

    def read_fields():
        for b in blocks:
            ex = P.Extraction(P.empty_record(), None, [])
            P._read_fields(b, ex.record, ex)

    stages = {
        "decode": lambda: [decode(b, None) for _, b in pages],
        "parse_html": lambda: [parse_html(b) for _, b in pages],
        "render_html": lambda: [render_html(r) for r in roots],
        "split_label_lines": lambda: [split_label_lines(r) for r in rendered],
        "find_block": lambda: [find_block(v) for v in lines],
        "html_title": lambda: [desc.html_title(r, v, b) for r, v, b in zip(roots, lines, blocks, strict=True)],
        "description": lambda: [desc.description(v, b) for v, b in zip(lines, blocks, strict=True)],
        "empty+read_fields": read_fields,
        "enrich": lambda: [enrich(dict(r)) for r in recs],
        "sha256": lambda: [hashlib.sha256(b).hexdigest() for _, b in pages],
        "parse_page": lambda: [P.parse_page(u, b, "2026-01-01T00:00:00Z") for u, b in pages],
    }
    only = sys.argv[1:]
    for name, fn in stages.items():
        if only and name not in only:
            continue
        best = min(timeit.repeat(fn, number=1, repeat=9))
        print(f"{name:20s} {best / len(pages) * 1000:.4f} ms")


if __name__ == "__main__":
    main()
