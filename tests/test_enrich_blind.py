"""Blind test of the description enrichment (issue 5, section 3).

samples/descriptions/blind.jsonl holds hand-written descriptions with hand-made expectations,
written without looking at extract/enrich.py. Each item is run through `extract.enrich.enrich`
on a full record (as extract/page.py does) and micro precision/recall of `municipalities` and
`organisations` is computed over all items. Run with `-s` to see the per-item diff.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import pytest
from projektbank.extract.enrich import enrich
from projektbank.extract.page import empty_record

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "samples" / "descriptions" / "blind.jsonl"
CODELISTS = ROOT / "extract" / "codelists"

MIN_PRECISION = 0.97
MIN_RECALL = 0.95
FIELDS = ("municipalities", "organisations")


def load_items() -> list[dict]:
    with BLIND.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build_record(item: dict) -> dict:
    rec = empty_record()
    rec["description"] = item["text"]
    rec["owner_name"] = item.get("owner_name")
    rec["beneficiary_city"] = item.get("beneficiary_city")
    rec["programme_period"] = item.get("programme_period", "2021-2027")
    return rec


@cache
def run_all() -> tuple[tuple[dict, dict], ...]:
    out = []
    for item in load_items():
        rec = build_record(item)
        enrich(rec)
        out.append((item, rec))
    return tuple(out)


def score(field: str) -> tuple[float, float, int, int, int, list[str]]:
    """Micro precision and recall of one list column; also tp, fp, fn and a diff report."""
    tp = fp = fn = 0
    report: list[str] = []
    for n, (item, rec) in enumerate(run_all(), 1):
        expected = list(item[field])
        got = list(rec.get(field) or [])
        exp_set, got_set = set(expected), set(got)
        tp += len(exp_set & got_set)
        fp += len(got_set - exp_set)
        fn += len(exp_set - got_set)
        if exp_set != got_set:
            report.append(
                f"  #{n} {field}: expected {expected}\n"
                f"      got      {got}\n"
                f"      missing  {sorted(exp_set - got_set)}  extra {sorted(got_set - exp_set)}\n"
                f"      text: {item['text'][:160]!r}...\n"
                f"      owner={item.get('owner_name')!r} city={item.get('beneficiary_city')!r}"
                + (f"\n      note: {item['note']}" if item.get("note") else "")
            )
        elif expected != got:
            report.append(f"  #{n} {field}: same names, other order: expected {expected}, "
                          f"got {got}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn, report


def test_blind_set_is_well_formed():
    items = load_items()
    assert len(items) >= 50
    with (CODELISTS / "se_kommuner.csv").open(encoding="utf-8") as fh:
        kommuner = {row["kommun"] for row in csv.DictReader(fh)}
    texts = set()
    for item in items:
        assert item["text"] not in texts, "duplicate description"
        texts.add(item["text"])
        assert set(item["municipalities"]) <= kommuner, item["municipalities"]
        assert len(set(item["municipalities"])) == len(item["municipalities"])
        assert len(set(item["organisations"])) == len(item["organisations"])


@pytest.mark.parametrize("field", FIELDS)
def test_blind_precision_recall(field):
    precision, recall, tp, fp, fn, report = score(field)
    print(f"\n[blind] {field}: precision {precision:.3f}  recall {recall:.3f}  "
          f"(tp={tp} fp={fp} fn={fn}, {len(run_all())} descriptions)")
    for line in report:
        print(line)
    assert precision >= MIN_PRECISION, f"{field} precision {precision:.3f} < {MIN_PRECISION}"
    assert recall >= MIN_RECALL, f"{field} recall {recall:.3f} < {MIN_RECALL}"
