"""Crawl history (pipelines/history.py): dated snapshots, first_seen/last_seen, the change log,
same-day reruns, interrupted publishing, and `projektbank changes`.

Records come from the real sample pages through extract.parse_page; "the site changes" by
editing the page bytes between runs."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT
from projektbank.extract import parse_page
from projektbank.pipelines.dataset import DatasetWriter
from projektbank.pipelines.history import (
    BASELINE_DIR,
    COMPARED_COLUMNS,
    HistoryError,
    changes_schema,
    list_snapshots,
)
from projektbank.pipelines.run import Run
from projektbank.pipelines.sources import read_file

PAGES = ROOT / "samples" / "pages"
A = "esfplus_dl_23-002-S02.html"        # 23-002-S02: its name changes
B = "esfplus_li_22-035-S02.html"        # 22-035-S02: end date and participants change
C = "esf1420_dl_2019-00492.html"        # 2019/00492: removed in run 2, back in run 4
D = "esf1420_li_2016-00127.html"        # 2016/00127: re-fetched, only the footer differs
E = "esfplus_wpdiv_24-018-S03.html"     # 24-018-S03: new in run 2

A_NAME = b"Spr&aring;nget &ndash; v&auml;gar till arbete f&#246;r unga vuxna"
A_EDIT = {A_NAME: b"Spr&aring;nget 2.0"}
B_EDIT = {b"<strong>Slutdatum:</strong> 2024-09-30": b"<strong>Slutdatum:</strong> 2025-03-31",
          b"<strong>Antal deltagare:</strong> 180": b"<strong>Antal deltagare:</strong> 200"}
D_CHROME = {b"<h2>F\xc3\xb6lj oss</h2>": b"<h2>F\xc3\xb6lj oss h\xc3\xa4r</h2>"}

DAY1, DAY2, DAY3, DAY4 = date(2025, 1, 6), date(2025, 1, 13), date(2025, 1, 20), date(2025, 1, 27)


def rec(name: str, edits: dict[bytes, bytes] | None = None, day: date | None = None) -> dict:
    page = read_file(PAGES / name)
    body = page.body
    for old, new in (edits or {}).items():
        assert old in body, (name, old)
        body = body.replace(old, new)
    fetched = page.fetched_at
    if day is not None:  # each crawl fetches the page anew
        fetched = fetched.replace(year=day.year, month=day.month, day=day.day)
    record = parse_page(page.url, body, fetched, page.headers).record
    assert record is not None
    return record


def publish(out: Path, day: date, records: list[dict], extra=None):
    run = Run(out, crawl_date=day)   # HistoryError here when the date goes back
    try:
        for r in records:
            assert run.writer.add(r)
        return run.publish(extra)
    except BaseException:
        run.abort()
        raise


def run1(day=DAY1):
    return [rec(A, day=day), rec(B, day=day), rec(C, day=day), rec(D, day=day)]


def run2(day=DAY2):
    return [rec(A, A_EDIT, day), rec(B, B_EDIT, day), rec(D, D_CHROME, day), rec(E, day=day)]


def change_rows(out: Path) -> list[tuple]:
    t = pq.read_table(out / "changes.parquet")
    return [(r["crawl_date"], r["project_id"], r["change"], r["column"], r["old_value"],
             r["new_value"]) for r in t.to_pylist()]


EXPECTED_DAY2 = [
    (DAY2, "2019/00492", "disappeared", None, None, None),
    (DAY2, "22-035-S02", "changed", "end_date", "2024-09-30", "2025-03-31"),
    (DAY2, "22-035-S02", "changed", "participants", "180", "200"),
    (DAY2, "23-002-S02", "changed", "project_name",
     "Språnget – vägar till arbete för unga vuxna", "Språnget 2.0"),
    (DAY2, "24-018-S03", "appeared", None, None, None),
]


def latest(out: Path) -> dict[str, dict]:
    return {r["project_id"]: r for r in pq.read_table(out / "projects.parquet").to_pylist()}


@pytest.fixture
def history(tmp_path) -> Path:
    """Runs 1 and 2 published into tmp_path/esf."""
    out = tmp_path / "esf"
    publish(out, DAY1, run1())
    publish(out, DAY2, run2())
    return out


# --- the scenario of the issue -----------------------------------------------------------------
def test_first_run_writes_snapshot_view_and_empty_change_log(tmp_path):
    out = tmp_path / "esf"
    result = publish(out, DAY1, run1())
    assert result.baseline == "none" and result.appeared == 0 and result.records == 4
    assert list(list_snapshots(out)) == [DAY1]
    snap = out / "snapshots" / "crawl_date=2025-01-06" / "projects.parquet"
    assert snap.is_file()
    log = pq.read_table(out / "changes.parquet")
    assert log.num_rows == 0
    assert log.schema.equals(changes_schema(), check_metadata=False)
    rows = latest(out)
    assert set(rows) == {"23-002-S02", "22-035-S02", "2019/00492", "2016/00127"}
    assert all(r["first_seen"] == DAY1 and r["last_seen"] == DAY1 for r in rows.values())
    # the snapshot is exactly the latest view this crawl published
    assert pq.read_table(snap).equals(pq.read_table(out / "projects.parquet"))
    assert pq.read_schema(snap).metadata[b"crawl_date"] == b"2025-01-06"
    assert "crawl_date" not in pq.read_schema(snap).names
    assert not any(p.name.startswith(".projektbank-tmp") for p in out.iterdir())
    for name in ("projects.csv", "rejects.jsonl", "schema.json"):
        assert (out / name).is_file()


def test_second_run_logs_exactly_the_changes(history):
    assert change_rows(history) == EXPECTED_DAY2
    rows = latest(history)
    assert set(rows) == {"23-002-S02", "22-035-S02", "2016/00127", "24-018-S03"}  # C is gone
    assert rows["23-002-S02"]["project_name"] == "Språnget 2.0"
    assert {pid: (r["first_seen"], r["last_seen"]) for pid, r in rows.items()} == {
        "23-002-S02": (DAY1, DAY2), "22-035-S02": (DAY1, DAY2),
        "2016/00127": (DAY1, DAY2), "24-018-S03": (DAY2, DAY2)}
    # D was re-fetched with other bytes and another fetched_at: provenance, not a change
    snap1 = {r["project_id"]: r for r in pq.read_table(
        history / "snapshots/crawl_date=2025-01-06/projects.parquet").to_pylist()}
    assert snap1["2016/00127"]["content_sha256"] != rows["2016/00127"]["content_sha256"]
    assert snap1["2016/00127"]["fetched_at"] != rows["2016/00127"]["fetched_at"]
    # the disappeared project's last state stays in the snapshot of its last_seen date
    assert snap1["2019/00492"]["last_seen"] == DAY1


def test_result_counts_and_callable_extra_file(tmp_path):
    out = tmp_path / "esf"
    publish(out, DAY1, run1())
    result = publish(out, DAY2, run2(), extra={
        "crawl_report.json": lambda res: json.dumps({"history": res.as_dict()})})
    assert (result.appeared, result.disappeared, result.changed_fields,
            result.changed_projects) == (1, 1, 3, 2)
    assert result.baseline == "previous crawl" and result.baseline_date == DAY1
    report = json.loads((out / "crawl_report.json").read_text(encoding="utf-8"))
    assert report["history"]["changed_columns"] == {
        "end_date": 1, "participants": 1, "project_name": 1}
    assert report["history"]["snapshots"] == 2


def test_unchanged_third_run_adds_no_rows_and_moves_last_seen(history):
    before = change_rows(history)
    result = publish(history, DAY3, run2(DAY3))
    assert (result.appeared, result.disappeared, result.changed_fields) == (0, 0, 0)
    assert change_rows(history) == before
    rows = latest(history)
    assert {r["last_seen"] for r in rows.values()} == {DAY3}
    assert rows["24-018-S03"]["first_seen"] == DAY2
    assert rows["23-002-S02"]["first_seen"] == DAY1


def test_same_day_rerun_replaces_snapshot_and_day_rows(history):
    publish(history, DAY3, run2(DAY3))
    d_edit = {**D_CHROME, b"<strong>Namn:</strong>": b"<strong>Namn:</strong> Nya"}
    rerun = [rec(A, A_EDIT, DAY3), rec(B, B_EDIT, DAY3), rec(D, d_edit, DAY3), rec(E, day=DAY3)]
    result = publish(history, DAY3, rerun)
    assert result.same_day_rerun and result.baseline_date == DAY2
    day3 = [r for r in change_rows(history) if r[0] == DAY3]
    assert [(r[1], r[2], r[3]) for r in day3] == [("2016/00127", "changed", "project_name")]
    assert day3[0][5].startswith("Nya")
    # run again, still the same day, the page back as it was: day 3 has no changes left
    publish(history, DAY3, run2(DAY3))
    assert change_rows(history) == EXPECTED_DAY2
    assert list(list_snapshots(history)) == [DAY1, DAY2, DAY3]
    assert [p.name for p in (history / "snapshots" / "crawl_date=2025-01-20").iterdir()] == [
        "projects.parquet"]


def test_reappearing_project_keeps_first_seen(history):
    result = publish(history, DAY3, [*run2(DAY3), rec(C, day=DAY3)])
    assert result.appeared == 1
    assert [r for r in change_rows(history) if r[0] == DAY3] == [
        (DAY3, "2019/00492", "appeared", None, None, None)]
    assert latest(history)["2019/00492"]["first_seen"] == DAY1


def test_first_day_reruns_compare_with_the_first_run(tmp_path):
    out = tmp_path / "esf"
    publish(out, DAY1, [rec(A), rec(B)])
    result = publish(out, DAY1, [rec(A, A_EDIT), rec(B), rec(E)])
    assert result.baseline == "first run of the day"
    assert [r[1:4] for r in change_rows(out)] == [
        ("23-002-S02", "changed", "project_name"), ("24-018-S03", "appeared", None)]
    publish(out, DAY1, [rec(A, A_EDIT), rec(B)])  # E appeared and went again the same day
    assert [r[1:4] for r in change_rows(out)] == [("23-002-S02", "changed", "project_name")]
    assert (out / BASELINE_DIR).is_dir()
    publish(out, DAY2, [rec(A, A_EDIT), rec(B)])
    assert [r[0] for r in change_rows(out)] == [DAY1]
    assert not (out / BASELINE_DIR).exists()  # the first day's baseline is no longer needed


def test_older_crawl_date_is_refused_and_nothing_changes(history):
    before = {n: (history / n).read_bytes() for n in ("projects.parquet", "changes.parquet")}
    with pytest.raises(HistoryError, match="older than the newest snapshot"):
        publish(history, DAY1 - timedelta(days=1), run1())
    assert {n: (history / n).read_bytes() for n in before} == before
    assert list(list_snapshots(history)) == [DAY1, DAY2]
    assert not any(p.name.startswith(".projektbank-tmp") for p in history.iterdir())


def test_failed_run_aborts_and_publishes_nothing(history):
    before = sorted(p.relative_to(history) for p in history.rglob("*"))
    writer = DatasetWriter(history)
    writer.add(rec(A, day=DAY3))
    writer.finish()
    writer.abort()  # what the crawl does when a run assertion fails
    assert sorted(p.relative_to(history) for p in history.rglob("*")) == before


def test_compared_columns_exclude_provenance_history_audit_enrichment():
    for name in ("source_url", "fetched_at", "content_sha256", "extractor_version",
                 "first_seen", "last_seen", "fields_raw", "extra_fields",
                 "validation_messages", "municipalities", "project_id"):
        assert name not in COMPARED_COLUMNS
    for name in ("project_name", "end_date", "total_budget_sek", "description",
                 "eu_cofinancing_rate_pct", "child_poverty_theme"):
        assert name in COMPARED_COLUMNS


# --- readers -----------------------------------------------------------------------------------
def test_duckdb_reads_every_snapshot_with_crawl_date(history):
    import duckdb

    publish(history, DAY3, run2(DAY3))
    glob = f"{history}/snapshots/*/*.parquet"
    rel = duckdb.sql(f"SELECT crawl_date, count(*) AS n FROM read_parquet('{glob}', "
                     f"hive_partitioning=true) GROUP BY ALL ORDER BY 1")
    assert rel.fetchall() == [(DAY1, 4), (DAY2, 4), (DAY3, 4)]
    assert str(rel.types[0]) == "DATE"
    gone = duckdb.sql(f"""
        SELECT project_id, max(crawl_date) FROM read_parquet('{glob}', hive_partitioning=true)
        GROUP BY ALL HAVING max(crawl_date) < DATE '2025-01-20'""").fetchall()
    assert gone == [("2019/00492", DAY1)]


def test_pandas_reads_history_and_change_log(history):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds

    log = pd.read_parquet(history / "changes.parquet")
    assert list(log.columns) == ["crawl_date", "project_id", "change", "column", "old_value",
                                 "new_value"]
    assert log["change"].value_counts().to_dict() == {"changed": 3, "disappeared": 1,
                                                      "appeared": 1}
    snaps = pd.read_parquet(history / "snapshots")
    assert sorted(snaps["crawl_date"].astype(str).unique()) == ["2025-01-06", "2025-01-13"]
    typed = pd.read_parquet(history / "snapshots", partitioning=ds.partitioning(
        pa.schema([("crawl_date", pa.date32())]), flavor="hive"))
    assert set(typed["crawl_date"]) == {DAY1, DAY2}
    assert len(typed) == 8


def test_latest_csv_has_history_dates(history):
    with open(history / "projects.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["project_id"]: r["first_seen"] for r in rows}["24-018-S03"] == "2025-01-13"
    assert {r["last_seen"] for r in rows} == {"2025-01-13"}


# --- interrupted publishing --------------------------------------------------------------------
N_REPLACES = 7  # snapshot, change log, 4 dataset files, crawl_report.json


@pytest.mark.parametrize("fail_at", range(1, N_REPLACES + 1))
def test_interrupted_publish_leaves_old_or_new_view(tmp_path, monkeypatch, fail_at):
    out = tmp_path / "esf"
    publish(out, DAY1, run1(), {"crawl_report.json": "{\"run\": 1}\n"})
    old_view = pq.read_table(out / "projects.parquet")
    old_csv = (out / "projects.csv").read_text(encoding="utf-8")
    calls = []
    real_replace = os.replace

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == fail_at:
            raise OSError("simulated crash while publishing")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated crash"):
        publish(out, DAY2, run2(), {"crawl_report.json": "{\"run\": 2}\n"})
    monkeypatch.setattr(os, "replace", real_replace)
    assert len(calls) == fail_at
    mid_view = pq.read_table(out / "projects.parquet")
    mid_csv = (out / "projects.csv").read_text(encoding="utf-8")
    # finish the job: the same run again (a rerun on the same day)
    publish(out, DAY2, run2(), {"crawl_report.json": "{\"run\": 2}\n"})
    new_view = pq.read_table(out / "projects.parquet")
    assert mid_view.equals(old_view) or mid_view.equals(new_view)
    assert mid_view.equals(old_view) == (fail_at <= 3)
    new_csv = (out / "projects.csv").read_text(encoding="utf-8")
    assert mid_csv == (old_csv if fail_at <= 4 else new_csv)
    assert change_rows(out) == EXPECTED_DAY2
    assert list(list_snapshots(out)) == [DAY1, DAY2]
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp") or "projektbank-tmp" in str(p)]
    assert leftovers == []


KILL_SCRIPT = r"""
import os, signal, sys
from datetime import date
sys.path.insert(0, sys.argv[3])
import test_history as th
from projektbank.pipelines.run import Run
out, fail_at = sys.argv[1], int(sys.argv[2])
run = Run(out, crawl_date=th.DAY2)
for r in th.run2():
    run.writer.add(r)
run.finish()
real, calls = os.replace, []
def killing_replace(src, dst):
    calls.append(dst)
    if len(calls) == fail_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst)
os.replace = killing_replace
run.publish()
"""


@pytest.mark.parametrize("kill_at", [2, 4])
def test_killed_publish_leaves_latest_view_intact(tmp_path, kill_at):
    out = tmp_path / "esf"
    publish(out, DAY1, run1())
    old_view = pq.read_table(out / "projects.parquet")
    proc = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(out), str(kill_at),
                           str(ROOT / "tests")], cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    view = pq.read_table(out / "projects.parquet")  # readable, whole
    # the next run (same day) completes the history
    publish(out, DAY2, run2())
    new_view = pq.read_table(out / "projects.parquet")
    assert view.equals(old_view if kill_at <= 3 else new_view)
    assert change_rows(out) == EXPECTED_DAY2


# --- projektbank changes ------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "projektbank", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_changes_command_text_summary(history):
    proc = run_cli("changes", str(history))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "2 crawl(s) in the history, 2025-01-06 … 2025-01-13" in out
    assert "appeared: 1   disappeared: 1   changed: 3 value(s) in 2 project(s)" in out
    assert "    end_date      1" in out and "    project_name  1" in out
    assert "  ~ 23-002-S02  project_name: \"Språnget – vägar till arbete för unga vuxna\" → " \
           "\"Språnget 2.0\"" in out
    assert "  - 2019/00492  disappeared" in out
    assert "  + 24-018-S03  appeared" in out


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """`projektbank …` in this process (the subprocess test above covers the entry point)."""
    from projektbank.crawler.cli import main

    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse: --help, bad arguments
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_changes_command_csv_json_and_filters(history, capsys):
    code, out, err = cli(capsys, "changes", str(history), "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5
    assert rows[1] == {"crawl_date": "2025-01-13", "project_id": "22-035-S02",
                       "change": "changed", "column": "end_date", "old_value": "2024-09-30",
                       "new_value": "2025-03-31"}
    assert rows[0]["change"] == "disappeared" and rows[0]["column"] == ""
    _, out, _ = cli(capsys, "changes", str(history), "--format", "json", "--project", "22-035-S02")
    assert [d["column"] for d in json.loads(out)] == ["end_date", "participants"]
    _, out, _ = cli(capsys, "changes", str(history), "--format", "json", "--column", "end_date")
    assert [(d["project_id"], d["new_value"]) for d in json.loads(out)] == [
        ("22-035-S02", "2025-03-31")]
    _, out, _ = cli(capsys, "changes", str(history), "--format", "json", "--since", "2025-01-14")
    assert json.loads(out) == []
    code, out, _ = cli(capsys, "changes", str(history), "--since", "2025-01-13")
    assert code == 0 and "changes (since 2025-01-13): 1 crawl date(s) with changes" in out
    code, out, _ = cli(capsys, "changes", str(history), "--since", "2025-01-14")
    assert code == 0 and "changes (since 2025-01-14): none" in out


def test_changes_command_errors_and_first_crawl(tmp_path, capsys):
    code, _, err = cli(capsys, "changes", str(tmp_path / "nope"))
    assert code == 2
    assert err.strip() == f"projektbank changes: no such folder: {tmp_path / 'nope'}"
    code, _, err = cli(capsys, "changes", str(tmp_path))
    assert code == 1
    assert "no changes.parquet" in err and len(err.strip().splitlines()) == 1
    out_dir = tmp_path / "esf"
    publish(out_dir, DAY1, run1())
    code, out, _ = cli(capsys, "changes", str(out_dir))
    assert code == 0
    assert "no changes yet: changes are recorded from the second crawl on" in out
    (out_dir / "changes.parquet").write_bytes(b"not parquet")
    code, _, err = cli(capsys, "changes", str(out_dir))
    assert code == 1 and "cannot read" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli(capsys, "changes", str(out_dir), "--since", "yesterday")
    assert code == 2 and "not a date" in err
    code, out, _ = cli(capsys, "changes", "--help")
    assert code == 0 and "--since DATE" in out and "changes.parquet" in out


def test_a_day_whose_log_write_was_lost_is_logged_by_the_next_run(tmp_path, monkeypatch):
    """Killed between the snapshot's rename and the change log's: the next day's run compares
    the orphaned snapshot with its predecessor, so that day's changes are not lost."""
    out = tmp_path / "esf"
    publish(out, DAY1, run1())
    real_replace = os.replace

    def lose_the_log(src, dst):
        if Path(dst).name == "changes.parquet":
            raise KeyboardInterrupt  # the process dies here
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", lose_the_log)
    with pytest.raises(KeyboardInterrupt):
        publish(out, DAY2, run2())
    monkeypatch.setattr(os, "replace", real_replace)
    assert (out / "snapshots/crawl_date=2025-01-13/projects.parquet").exists()
    assert change_rows(out) == []
    day3 = DAY2 + (DAY2 - DAY1)
    publish(out, day3, run2(day3))
    assert change_rows(out) == EXPECTED_DAY2
    publish(out, day3, run2(day3))  # a same-day rerun recomputes nothing twice
    assert change_rows(out) == EXPECTED_DAY2
