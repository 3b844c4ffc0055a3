"""Outputs that guard themselves: `projektbank extract` never replaces a dataset with an empty
one (or fewer than --min-records) unless forced, writes into a crawl history's folder only
through the history, and lists every input file under a folder that gave no record with a
specific reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SEED

DRAW_REPORTS = True  # conftest: runs here draw report.html

PAGES = ROOT / "samples" / "pages"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "projektbank", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def snapshot_of(out: Path) -> dict[str, bytes]:
    """The folder's files (not the hidden ones, e.g. the output folder's lock)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())
            if p.is_file() and not p.name.startswith(".")}


@pytest.fixture
def published(tmp_path) -> Path:
    out = tmp_path / "out"
    proc = run_cli("extract", str(PAGES), "--out", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert pq.read_table(out / "projects.parquet").num_rows > 10
    return out


def test_empty_run_does_not_replace_a_dataset(published, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    before = snapshot_of(published)
    rows = pq.read_table(published / "projects.parquet").num_rows
    proc = run_cli("extract", str(empty), "--out", str(published))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert f"0 records would replace the {rows}" in lines[0] and "--force" in lines[0]
    assert snapshot_of(published) == before
    assert not [p for p in published.iterdir() if p.name.startswith(".projektbank-tmp")]
    forced = run_cli("extract", str(empty), "--out", str(published), "--force", "-q")
    assert forced.returncode == 0, forced.stderr
    assert pq.read_table(published / "projects.parquet").num_rows == 0


def test_min_records(published, tmp_path):
    before = snapshot_of(published)
    proc = run_cli("extract", str(SEED), "--out", str(published), "--min-records", "5")
    assert proc.returncode == 1 and "1 records, fewer than --min-records 5" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "--force" in proc.stderr
    assert snapshot_of(published) == before
    # a new folder: the assertion holds there too; a run that meets it publishes
    fresh = tmp_path / "fresh"
    assert run_cli("extract", str(SEED), "--out", str(fresh), "--min-records", "2").returncode == 1
    assert not (fresh / "projects.parquet").exists()
    ok = run_cli("extract", str(SEED), "--out", str(fresh), "--min-records", "1", "-q")
    assert ok.returncode == 0 and pq.read_table(fresh / "projects.parquet").num_rows == 1
    # fewer rows than before, but not none and no minimum: an ordinary replacement
    ok = run_cli("extract", str(SEED), "--out", str(published), "-q")
    assert ok.returncode == 0 and pq.read_table(published / "projects.parquet").num_rows == 1
    assert run_cli("extract", str(SEED), "--out", str(fresh), "--min-records", "-1").returncode == 2


def _history(out: Path, day: date) -> None:
    """A crawl history with one crawl date, published as the crawl publishes."""
    from projektbank.extract import parse_page
    from projektbank.pipelines.run import Run
    from projektbank.pipelines.sources import read_file

    run = Run(out, crawl_date=day)
    for f in sorted(PAGES.glob("*.html"))[:5]:
        page = read_file(f)
        run.writer.add(parse_page(page.url, page.body, page.fetched_at, page.headers).record)
    run.publish()


def test_crawl_history_folder_only_through_the_history(tmp_path):
    out = tmp_path / "esf"
    _history(out, date(2026, 1, 5))
    before = snapshot_of(out)
    proc = run_cli("extract", str(PAGES), "--out", str(out))
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1
    assert "holds a crawl history (snapshots/ and changes.parquet)" in proc.stderr
    assert "--crawl-date" in proc.stderr
    assert snapshot_of(out) == before
    # only a change log left (snapshots pruned by hand): still a history
    only_log = tmp_path / "only_log"
    only_log.mkdir()
    (only_log / "changes.parquet").write_bytes((out / "changes.parquet").read_bytes())
    proc = run_cli("extract", str(PAGES), "--out", str(only_log))
    assert proc.returncode == 1 and "(changes.parquet)" in proc.stderr
    # an older crawl date than the history's newest: refused, nothing changes
    proc = run_cli("extract", str(PAGES), "--out", str(out), "--crawl-date", "2026-01-01")
    assert proc.returncode == 1 and "older than the newest snapshot" in proc.stderr
    assert snapshot_of(out) == before
    # through the history: a new snapshot, the change log and the latest view move together
    proc = run_cli("extract", str(PAGES), "--out", str(out), "--crawl-date", "2026-01-12")
    assert proc.returncode == 0, proc.stderr
    assert "added to the crawl history as 2026-01-12" in proc.stderr
    assert (out / "snapshots" / "crawl_date=2026-01-12" / "projects.parquet").is_file()
    latest = pq.read_table(out / "projects.parquet")
    assert latest.num_rows == len(list(PAGES.glob("*.html")))
    assert set(latest["last_seen"].to_pylist()) == {date(2026, 1, 12)}
    changes = pq.read_table(out / "changes.parquet").to_pylist()
    appeared = {r["project_id"] for r in changes if r["change"] == "appeared"}
    assert len(appeared) == latest.num_rows - 5
    assert (out / "report.html").is_file()
    assert run_cli("extract", str(PAGES), "--out", str(out), "--crawl-date", "x").returncode == 2


def test_every_file_in_a_folder_is_read_or_listed(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "report.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    (src / "fake.html").write_bytes(b"%PDF-1.4\n" + os.urandom(500))   # a PDF saved as .html
    (src / "letter.docx").write_bytes(b"PK\x03\x04" + os.urandom(800))
    (src / "data.json").write_text('{"a": 1}', encoding="utf-8")
    (src / "empty.html").write_bytes(b"")
    (src / "blank.txt").write_bytes(b"  \n\n")
    (src / "noise.bin").write_bytes(b"\x00\x01\x02" + os.urandom(300))
    (src / "junk.html").write_bytes(b"\x00" * 10 + os.urandom(3000))
    (src / "robots.txt").write_text("User-agent: *\nDisallow: /intern/\n", encoding="utf-8")
    (src / "sub" / "404.html").write_text(
        "<html><head><title>Sidan kunde inte hittas - Svenska ESF-rådet</title></head><body>"
        "<h1>Sidan kunde inte hittas</h1><p>Region: Skåne</p></body></html>", encoding="utf-8")
    (src / "sub" / "news.html").write_text(
        "<html><body><main><h1>Nyheter</h1><p>Region: Skåne</p><p>Projektägare: X</p>"
        "<p>Lång text om annat.</p></main></body></html>", encoding="utf-8")
    (src / "seed.txt").write_bytes(SEED.read_bytes())
    (src / "seed.meta.json").write_text(json.dumps({"url": "https://www.esf.se/x?dnr=22-021-S03"}),
                                        encoding="utf-8")  # a sidecar: read with its page
    (src / ".hidden.html").write_text("x", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("extract", str(src), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert pq.read_table(out / "projects.parquet").to_pylist()[0]["source_url"].endswith("22-021-S03")
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    reasons = {str(Path(r["source"]).relative_to(src)): r["reason"] for r in rejects}
    assert reasons == {
        "report.pdf": "not HTML (PDF)",
        "fake.html": "not HTML (PDF)",
        "letter.docx": "not HTML (Word document)",
        "data.json": "not HTML (JSON)",
        "empty.html": "empty file",
        "blank.txt": "empty file",
        "noise.bin": "binary",
        "junk.html": "binary",
        "robots.txt": "robots.txt",
        "sub/404.html": "HTTP 404 template",
        "sub/news.html": "no project block (2 known labels)",
    }
    # every file but the hidden one and the sidecar: a record or a reject
    files = [p for p in src.rglob("*") if p.is_file() and not p.name.startswith(".")
             and p.name != "seed.meta.json"]
    assert len(files) == len(rejects) + 1


def test_explicit_files_get_specific_reasons_too(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + os.urandom(100))
    robots = tmp_path / "robots.txt"
    robots.write_text("User-agent: *\nDisallow:\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("extract", str(pdf), str(robots), "--out", str(out), "-q").returncode == 0
    reasons = [json.loads(line)["reason"] for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert reasons == ["not HTML (PDF)", "robots.txt"]
