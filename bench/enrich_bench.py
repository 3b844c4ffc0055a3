"""Micro-benchmark of extract.enrich.enrich: µs per call on the seed record and on a 3 KB text.

    python bench/enrich_bench.py [--number 2000] [--repeat 7]

The 3 KB text is made of the labelled sample descriptions (real Swedish prose dense in
municipality and organisation names, so a worse case than an average description). Reported:
the best of --repeat timeit runs of --number calls each, and the one-off build of the automaton.
The budget (issue 5): enrichment ≤ 25% of extraction (parse_page ~1–2 ms/page), so well under
300 µs per call for a 3 KB description; bench/extract_bench.py measures the share end to end.
"""

from __future__ import annotations

import argparse
import json
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = Path("/work/shared/seed/000_16bc66c297f53783.txt")


def seed_record() -> dict:
    if SEED.exists():
        desc = SEED.read_text(encoding="utf-8").split("Projektnummer:\n22-021-S03\n", 1)[1].strip()
    else:
        desc = "Projektet i Storuman, Sorsele och Lycksele med Umeå universitet och Vinnova."
    return {
        "programme_period": "2021-2027", "owner_name": "KOMMUNALFÖRBUNDET PARTNERSKAP INLAND-AKADEMI N",
        "owner_org_number": "222000-1289", "region": "Övre Norrland", "nuts2_code": "SE33",
        "programme_area": "D", "specific_objective": "D1", "intervention_field_code": "175",
        "beneficiary_city": "STORUMAN", "description": desc,
        "fields_raw": {"Projektägare organisationsnummer": "2220001289", "NUTS-2 kod": "SE33"},
    }


def text_of(size: int) -> str:
    rows = [json.loads(line) for line in
            (ROOT / "samples/descriptions/labelled.jsonl").read_text(encoding="utf-8").splitlines()]
    paras, n = [], 0
    for r in rows:
        paras.append(r["text"])
        n += len(r["text"]) + 2
        if n >= size:
            break
    return "\n\n".join(paras)[:size]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--number", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    t = time.perf_counter()
    from projektbank.extract import enrich as E
    from projektbank.extract import gazetteer
    from projektbank.extract import mentions as M
    gazetteer.tables()
    print(f"import + automaton build: {(time.perf_counter() - t) * 1e3:.1f} ms (once per process)")

    seed = seed_record()
    big = dict(seed, description=text_of(3072))
    cases = [
        (f"enrich(seed record), description {len(seed['description'])} chars",
         lambda: E.enrich(dict(seed))),
        (f"enrich(record with a {len(big['description'])}-char description)",
         lambda: E.enrich(dict(big))),
        ("scan(3 KB text) alone", lambda: M.scan(big["description"])),
        ("enrich(record without description)", lambda: E.enrich(dict(seed, description=None))),
    ]
    for name, fn in cases:
        fn()
        best = min(timeit.repeat(fn, number=args.number, repeat=args.repeat)) / args.number
        print(f"{name}: {best * 1e6:.1f} µs per call")
    munis, orgs = M.scan(big["description"])
    print(f"(3 KB text: {len(munis)} municipalities, {len(orgs)} organisations found)")


if __name__ == "__main__":
    main()
