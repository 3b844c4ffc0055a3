"""datapackage.json beside projects.csv: generated from the one schema, and the samples' CSV
validates against it with the `frictionless` library (types, missing values, primary key);
--excel-csv writes decimal commas where it writes `;`, and its package says so."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT
from projektbank.extract.schema import COLUMN_NAMES, COLUMNS


def run_cli(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "projektbank", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def samples_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dp") / "samples"
    run_cli("extract", str(ROOT / "samples"), "--out", str(out), "-q")
    return out


def validate(package: Path):
    from frictionless import validate as fl_validate

    report = fl_validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    return report


def test_package_follows_the_one_schema(samples_out):
    pkg = json.loads((samples_out / "datapackage.json").read_text(encoding="utf-8"))
    (res,) = pkg["resources"]
    fields = res["schema"]["fields"]
    assert [f["name"] for f in fields] == list(COLUMN_NAMES)
    assert all(f["description"] == c.description for f, c in zip(fields, COLUMNS, strict=True))
    types = {f["name"]: f["type"] for f in fields}
    assert types["total_budget_sek"] == "integer" and types["start_date"] == "date"
    assert types["fetched_at"] == "datetime" and types["eu_cofinancing_rate_pct"] == "number"
    assert types["fields_raw"] == "object" and types["municipalities"] == "array"
    assert types["child_poverty_theme"] == "boolean"
    assert res["schema"]["missingValues"] == [""] and res["schema"]["primaryKey"] == ["project_id"]
    assert res["dialect"]["delimiter"] == "," and pkg["sources"][0]["path"].startswith("https://www.esf.se/")


def test_samples_csv_validates_with_frictionless(samples_out):
    validate(samples_out / "datapackage.json")
    from frictionless import Resource

    pkg = json.loads((samples_out / "datapackage.json").read_text(encoding="utf-8"))
    resource = Resource(pkg["resources"][0], basepath=str(samples_out))
    rows = resource.read_rows()
    table = pq.read_table(samples_out / "projects.parquet")
    assert len(rows) == table.num_rows
    by_id = {r["project_id"]: r for r in rows}
    for rec in table.to_pylist():   # typed back exactly as in Parquet
        row = by_id[rec["project_id"]]
        assert row["total_budget_sek"] == rec["total_budget_sek"]
        assert row["start_date"] == rec["start_date"]
        assert row["child_poverty_theme"] == rec["child_poverty_theme"]
        assert row["municipalities"] == rec["municipalities"]
        assert row["fetched_at"] == rec["fetched_at"]
        assert row["eu_cofinancing_rate_pct"] == rec["eu_cofinancing_rate_pct"]


def test_a_broken_cell_fails_validation(samples_out, tmp_path):
    import shutil

    from frictionless import validate as fl_validate

    copy = tmp_path / "broken"
    shutil.copytree(samples_out, copy)
    with open(copy / "projects.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index("total_budget_sek")] = "12,5 miljoner"
    with open(copy / "projects.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    report = fl_validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert any(e[1] == "total_budget_sek" for e in report.flatten(["rowNumber", "fieldName"]))


def test_excel_csv_has_decimal_commas_and_validates(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.html").write_text(
        "<html><body><main><h1>23-555-S01 - Test</h1><dl>"
        "<dt>Diarienummer:</dt><dd>23-555-S01</dd><dt>Namn:</dt><dd>Test</dd>"
        "<dt>Projektägare:</dt><dd>ÄGARE</dd><dt>Startdatum:</dt><dd>2024-01-01</dd>"
        "<dt>Slutdatum:</dt><dd>2025-01-01</dd><dt>Unionens medfinansieringsgrad:</dt>"
        "<dd>62,5%</dd></dl><p>Beskrivning.</p></main></body></html>", encoding="utf-8")
    out = tmp_path / "xl"
    run_cli("extract", str(src), "--out", str(out), "--excel-csv", "-q")
    raw = (out / "projects.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(text.splitlines(), delimiter=";"))
    assert rows[0]["eu_cofinancing_rate_pct"] == "62,5"
    assert rows[0]["start_date"] == "2024-01-01"
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    res = pkg["resources"][0]
    assert res["dialect"]["delimiter"] == ";"
    rate = next(f for f in res["schema"]["fields"] if f["name"] == "eu_cofinancing_rate_pct")
    assert rate["decimalChar"] == ","
    validate(out / "datapackage.json")
    from frictionless import Resource

    row = Resource(res, basepath=str(out)).read_rows()[0]
    assert float(row["eu_cofinancing_rate_pct"]) == 62.5
    # the plain CSV keeps the point
    run_cli("extract", str(src), "--out", str(tmp_path / "plain"), "-q")
    plain = list(csv.DictReader((tmp_path / "plain" / "projects.csv").read_text(
        encoding="utf-8").splitlines()))
    assert plain[0]["eu_cofinancing_rate_pct"] == "62.5"
