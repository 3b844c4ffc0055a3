"""`projektbank extract` end to end: real files in, Parquet/CSV/rejects/schema out, read back
with pyarrow, pandas and DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SEED
from projektbank.extract.schema import COLUMN_NAMES
from projektbank.pipelines.arrow_schema import arrow_schema


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "projektbank", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed_out")
    run_cli("extract", str(SEED.parent), "--out", str(out), "--quiet")
    return out


def test_seed_gives_one_typed_row(seed_out):
    table = pq.read_table(seed_out / "projects.parquet")
    assert table.num_rows == 1
    assert table.schema.equals(arrow_schema(), check_metadata=False)
    row = table.to_pylist()[0]
    assert row["start_date"] == date(2023, 1, 2)
    assert row["eu_cofinancing_rate_pct"] == 40.0
    assert row["owner_org_number"] == "222000-1289"
    assert row["beneficiary_postal_code"] == "923 81"
    assert row["child_poverty_theme"] is False
    assert row["participants"] == 0
    assert row["nuts2_code"] == "SE33"
    assert row["intervention_field_code"] == "175"
    assert len(row["description"].split("\n\n")) == 4
    assert "cookies" not in row["description"].lower()
    assert len(dict(row["fields_raw"])) == 21
    field_meta = table.schema.field("start_date").metadata
    assert b"description" in field_meta


def test_pandas_reads_dates_and_integers(seed_out):
    import pandas as pd

    df = pd.read_parquet(seed_out / "projects.parquet")
    assert list(df.columns) == list(COLUMN_NAMES)
    assert df.loc[0, "start_date"] == date(2023, 1, 2)
    assert pd.api.types.is_integer_dtype(df["participants"])
    assert pd.api.types.is_float_dtype(df["eu_cofinancing_rate_pct"])
    assert str(df["fetched_at"].dt.tz) == "UTC"


def test_duckdb_reads_types(seed_out):
    import duckdb

    con = duckdb.connect()
    row = con.execute(
        "SELECT typeof(start_date), typeof(participants), typeof(total_budget_sek), "
        "typeof(child_poverty_theme), typeof(fetched_at), start_date, fields_raw['Namn'] "
        f"FROM read_parquet('{seed_out / 'projects.parquet'}')").fetchone()
    assert row[:5] == ("DATE", "BIGINT", "BIGINT", "BOOLEAN", "TIMESTAMP WITH TIME ZONE")
    assert row[5] == date(2023, 1, 2)
    assert row[6] in ("Koordinerad kompetensförstärkning i glesbygd",
                      ["Koordinerad kompetensförstärkning i glesbygd"])


def test_csv_has_same_columns_and_rows(seed_out):
    import csv

    with open(seed_out / "projects.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    assert list(rows[0]) == list(COLUMN_NAMES)
    assert rows[0]["start_date"] == "2023-01-02"
    assert json.loads(rows[0]["fields_raw"])["Projektägare organisationsnummer"] == "2220001289"
    schema = json.loads((seed_out / "schema.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in schema["columns"]] == list(COLUMN_NAMES)


def _write_page(path: Path, html: str, url: str, fetched_at: str) -> None:
    path.write_text(html, encoding="utf-8")
    path.with_name(path.stem + ".meta.json").write_text(
        json.dumps({"url": url, "fetched_at": fetched_at}), encoding="utf-8")


def _html(owner: str, name: str = "Testprojekt") -> str:
    return (f"<html><body><main><h1>23-555-S01 - {name}</h1><dl>"
            f"<dt>Diarienummer:</dt><dd>23-555-S01</dd><dt>Namn:</dt><dd>{name}</dd>"
            f"<dt>Projektägare:</dt><dd>{owner}</dd><dt>Startdatum:</dt><dd>2024-01-01</dd>"
            "<dt>Slutdatum:</dt><dd>2025-01-01</dd></dl><p>Beskrivning.</p></main></body></html>")


def test_formula_neutralised_in_csv_verbatim_in_parquet(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    url = "https://www.esf.se/resultat/projektbanken/projekt/?dnr=23-555-S01"
    _write_page(src / "a.html", _html('=HYPERLINK("http://x","y")'), url, "2026-01-01T00:00:00Z")
    out = tmp_path / "out"
    run_cli("extract", str(src), "--out", str(out), "-q")
    row = pq.read_table(out / "projects.parquet").to_pylist()[0]
    assert row["owner_name"] == '=HYPERLINK("http://x","y")'
    text = (out / "projects.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    run_cli("extract", str(src), "--out", str(out / "xl"), "--excel-csv", "-q")
    raw = (out / "xl" / "projects.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b'"project_id";' in raw.split(b"\n")[0] or \
        raw.split(b"\n")[0].count(b";") == len(COLUMN_NAMES) - 1


def test_duplicates_keep_the_newest_fetch(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    url = "https://www.esf.se/resultat/projektbanken/projekt/?dnr=23-555-S01"
    _write_page(src / "new.html", _html("NYA ÄGAREN"), url, "2026-02-01T00:00:00Z")
    _write_page(src / "old.html", _html("GAMLA ÄGAREN"), url, "2025-02-01T00:00:00Z")
    out = tmp_path / "out"
    proc = run_cli("extract", str(src), "--out", str(out))
    rows = pq.read_table(out / "projects.parquet").to_pylist()
    assert [r["owner_name"] for r in rows] == ["NYA ÄGAREN"]
    assert rows[0]["fetched_at"] == datetime(2026, 2, 1, tzinfo=UTC)
    assert "duplicates replaced: 1" in proc.stderr


def test_bad_inputs_are_listed_not_fatal(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.html").write_bytes(b"")
    (src / "junk.html").write_bytes(os.urandom(5000))
    (src / "news.html").write_text("<html><body><h1>Nyheter</h1><p>Region: Skåne</p>"
                                   "<p>Text.</p></body></html>", encoding="utf-8")
    (src / "gone.html").symlink_to(tmp_path / "nowhere.html")
    (src / "seed.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    run_cli("extract", str(src), "--out", str(out))
    assert pq.read_table(out / "projects.parquet").num_rows == 1
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    reasons = {Path(r["source"]).name: r["reason"] for r in rejects}
    assert set(reasons) == {"empty.html", "junk.html", "news.html", "gone.html"}
    assert "empty" in reasons["empty.html"]
    assert "no project block" in reasons["news.html"]
    assert "unreadable" in reasons["gone.html"]


def test_warc_input(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "pages.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/plain; charset=utf-8")],
                                   protocol="HTTP/1.1")
        import io
        rec = writer.create_warc_record(
            "https://www.esf.se/resultat/projektbanken/projekt/?dnr=22-021-S03", "response",
            payload=io.BytesIO(SEED.read_bytes()), http_headers=headers,
            warc_headers_dict={"WARC-Date": "2026-11-02T09:00:00.123456Z"})
        writer.write_record(rec)
    out = tmp_path / "out"
    run_cli("extract", str(path), "--out", str(out), "-q")
    row = pq.read_table(out / "projects.parquet").to_pylist()[0]
    assert row["project_id"] == "22-021-S03"
    assert row["fetched_at"] == datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=UTC)
    assert row["source_url"].endswith("dnr=22-021-S03")


def test_failed_run_keeps_previous_files(tmp_path):
    from projektbank.pipelines.dataset import DatasetWriter

    out = tmp_path / "out"
    run_cli("extract", str(SEED.parent), "--out", str(out), "-q")
    before = (out / "projects.parquet").read_bytes()
    w = DatasetWriter(out)
    w.reject("x", "test")
    w.finish()
    w.abort()
    assert (out / "projects.parquet").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".projektbank-tmp")]


def test_bad_arguments_exit_non_zero(tmp_path):
    proc = run_cli("extract", str(tmp_path / "missing"), check=False)
    assert proc.returncode == 2 and "no such file" in proc.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run_cli("extract", str(SEED.parent), "--out", str(blocker / "sub"), check=False)
    assert proc.returncode == 1 and "cannot write" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_help_imports_nothing_heavy():
    code = ("import sys; from projektbank.crawler.cli import build_parser; build_parser(); "
            "heavy = [m for m in ('scrapy', 'pyarrow', 'pandas', 'twisted', 'lxml') "
            "if m in sys.modules]; print(heavy)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.stdout.strip() == "[]", proc.stderr
    assert "extract" in run_cli("--help").stdout


def test_data_dictionary_is_current():
    from projektbank.pipelines.data_dictionary import DOC, render

    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m pipelines.data_dictionary"


def test_writer_sorts_and_deduplicates_across_spool_groups(tmp_path):
    """Many spool row groups and several output slices: rows come out sorted, newest wins."""
    import random

    from projektbank.extract import parse_page
    from projektbank.pipelines.dataset import DatasetWriter

    base = SEED.read_bytes().decode()
    w = DatasetWriter(tmp_path, spool_batch=7, row_group_size=5, min_slice=4)
    ids = [f"22-{i:03d}-S01" for i in range(60)]
    rng = random.Random(3)
    expected = {}
    for n in range(150):
        pid = rng.choice(ids)
        when = datetime(2026, 1, 1 + n % 28, n % 24, tzinfo=UTC)
        body = base.replace("22-021-S03", pid).replace("STORUMAN", f"ORT{n}")
        rec = parse_page(f"https://x/?dnr={pid}", body.encode(), when).record
        w.add(rec)
        if pid not in expected or when >= expected[pid][0]:
            expected[pid] = (when, f"ORT{n}")
    summary = w.finish()
    w.publish()
    rows = pq.read_table(tmp_path / "projects.parquet").to_pylist()
    assert [r["project_id"] for r in rows] == sorted(expected)
    assert {r["project_id"]: r["beneficiary_city"] for r in rows} == {
        k: v[1] for k, v in expected.items()}
    assert summary.records == len(expected) and summary.duplicates == 150 - len(expected)
    assert summary.fill_rate["project_id"] == 1.0 and summary.fill_rate["total_budget_sek"] == 0.0


def test_no_records_still_gives_readable_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.html").write_bytes(b"")
    out = tmp_path / "out"
    run_cli("extract", str(src), "--out", str(out), "-q")
    table = pq.read_table(out / "projects.parquet")
    assert table.num_rows == 0 and table.schema.equals(arrow_schema(), check_metadata=False)
    header = (out / "projects.csv").read_text(encoding="utf-8").splitlines()
    assert len(header) == 1 and header[0].startswith('"project_id"')


def test_cut_warc_gives_complete_records_and_lists_the_cut(tmp_path):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "raw.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for dnr in ("22-021-S03", "22-021-S04"):
            body = SEED.read_bytes().replace(b"22-021-S03", dnr.encode())
            rec = writer.create_warc_record(
                f"https://www.esf.se/resultat/projektbanken/projekt/?dnr={dnr}", "response",
                payload=io.BytesIO(body),
                http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/plain")],
                                              protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Date": "2026-11-02T09:00:00Z"})
            writer.write_record(rec)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 300])  # the second record is cut mid-write
    out = tmp_path / "out"
    run_cli("extract", str(path), "--out", str(out), "-q")
    rows = pq.read_table(out / "projects.parquet").to_pylist()
    assert [r["project_id"] for r in rows] == ["22-021-S03"]
    rejects = (out / "rejects.jsonl").read_text()
    assert "truncated WARC" in rejects


def test_same_rows_same_file_whatever_the_arrival_order(tmp_path):
    """Crawls fetch in any order; the dataset (dictionaries included) must not depend on it."""
    from projektbank.extract import parse_page
    from projektbank.pipelines.dataset import DatasetWriter

    base = SEED.read_bytes().decode()
    records = []
    for n, (region, area) in enumerate([("Övre Norrland", "D"), ("Stockholm", "A"),
                                        ("Sydsverige", "B"), ("Stockholm", "D")]):
        body = base.replace("22-021-S03", f"22-{n:03d}-S01").replace("Övre Norrland", region)
        body = body.replace("Programområde:\nD", f"Programområde:\n{area}")
        records.append(parse_page(f"https://x/?dnr={n}", body.encode(),
                                  datetime(2026, 1, 1, tzinfo=UTC)).record)
    tables = []
    for k, order in enumerate((records, records[::-1])):
        w = DatasetWriter(tmp_path / str(k))
        for rec in order:
            w.add(rec)
        w.finish()
        w.publish()
        tables.append(pq.read_table(tmp_path / str(k) / "projects.parquet"))
    assert tables[0].equals(tables[1])
    assert tables[0]["region"].to_pylist() == ["Övre Norrland", "Stockholm", "Sydsverige", "Stockholm"]


def test_temp_folders_of_killed_runs_are_removed(tmp_path):
    import signal

    from projektbank.pipelines.dataset import TMP_PREFIX, DatasetWriter

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{TMP_PREFIX}{dead.pid}-abc"
    stale.mkdir()
    (stale / "spool.parquet").write_bytes(b"x")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = tmp_path / f"{TMP_PREFIX}{sleeper.pid}-def"
        live.mkdir()
        w = DatasetWriter(tmp_path)
        assert not stale.exists() and live.exists()
        w.abort()
    finally:
        sleeper.send_signal(signal.SIGKILL)
        sleeper.wait()


def test_extract_include_personal_data_flag(tmp_path):
    src = ROOT / "samples" / "pages" / "esf1420_dl_2019-00492.html"
    out = tmp_path / "out"
    run_cli("extract", str(src), "--out", str(out / "a"), "-q")
    run_cli("extract", str(src), "--out", str(out / "b"), "-q", "--include-personal-data")
    a = dict(pq.read_table(out / "a" / "projects.parquet").to_pylist()[0]["fields_raw"])
    b = dict(pq.read_table(out / "b" / "projects.parquet").to_pylist()[0]["fields_raw"])
    assert "Kontaktperson" not in a and "E-post" not in a
    assert "Kontaktperson" in b and "E-post" in b
