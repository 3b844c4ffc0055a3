"""Shared fixtures: the sample corpus and helpers to run extraction on it."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pytest

# report.html costs ~2 s a run; the suite runs ~150 crawls and extracts, so it is drawn only
# where a test asks for it (the `draw_reports` fixture: report, README and guard tests)
os.environ.setdefault("PROJEKTBANK_REPORT_HTML", "0")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED = ROOT / "samples" / "seed" / "22-021-S03.txt"


def sample_cases() -> list[tuple[str, Path, dict]]:
    """(name, page file, expected record) for every sample with an .expected.json."""
    cases = []
    for exp in sorted(SAMPLES.rglob("*.expected.json")):
        if {"site", "unseen"} & set(exp.relative_to(SAMPLES).parts):
            continue  # the site copy has no expectations; unseen pages: tests/test_unseen.py
        stem = exp.name[: -len(".expected.json")]
        pages = [p for p in exp.parent.glob(stem + ".*") if p.suffix in (".html", ".htm", ".txt")]
        assert len(pages) == 1, f"expected one page for {exp}"
        cases.append((stem, pages[0], json.loads(exp.read_text(encoding="utf-8"))))
    return cases


@cache
def extract_sample(path: Path):
    from projektbank.extract import parse_page
    from projektbank.pipelines.sources import read_file

    page = read_file(path)
    return parse_page(page.url, page.body, page.fetched_at, page.headers)


def jsonable(value):
    """A record value as it appears in the expected JSON files."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def check_field(path: Path, column: str, expected) -> None:
    """The sample's extracted value of `column` equals its hand-written expectation."""
    import pytest

    ex = extract_sample(path)
    assert ex.record is not None, ex.reject_reason
    got = jsonable(ex.record[column])
    if isinstance(expected, float) and isinstance(got, float):
        assert got == pytest.approx(expected)
    else:
        assert got == expected


def check_validation_columns(path: Path, expected: list[str]) -> None:
    """The columns with a validation message (parse_page's own, not enrichment cross-checks)."""
    ex = extract_sample(path)
    assert ex.record is not None, ex.reject_reason
    own = [m for m in ex.record["validation_messages"] if m not in ex.enrichment_messages]
    assert {m.split(":", 1)[0] for m in own} == set(expected), own


@pytest.fixture(autouse=True, scope="module")
def draw_reports(request):
    """Modules that test report.html (or run the README) let runs draw it: set
    `DRAW_REPORTS = True` at module level."""
    if getattr(request.module, "DRAW_REPORTS", False):
        os.environ["PROJEKTBANK_REPORT_HTML"] = "1"
        yield
        os.environ["PROJEKTBANK_REPORT_HTML"] = "0"
    else:
        yield
