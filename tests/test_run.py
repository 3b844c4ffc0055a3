"""pipelines/run.py: a run knows its history before it writes, so the dataset is written once
(already carrying first_seen/last_seen), the snapshot is that same file, and a refused crawl
date leaves nothing behind; pipelines/atomic.py: the one atomic writer."""

from __future__ import annotations

import json
import os
import stat

import pyarrow.parquet as pq
import pytest
import test_history as th
from projektbank.pipelines.atomic import Staging, public_file_mode, write_json_atomic
from projektbank.pipelines.dataset import TMP_PREFIX, DatasetWriter
from projektbank.pipelines.history import HistoryError, list_snapshots
from projektbank.pipelines.run import Run


@pytest.fixture
def writes(monkeypatch):
    """Every time a writer writes its dataset files (projects.parquet and projects.csv)."""
    calls = []
    real = DatasetWriter._write_dataset

    def counting(self, history, fill):
        calls.append(history)
        return real(self, history, fill)

    monkeypatch.setattr(DatasetWriter, "_write_dataset", counting)
    return calls


def run_day(out, day, records, writes):
    before = len(writes)
    run = Run(out, crawl_date=day)
    for r in records:
        assert run.writer.add(r)
    run.finish()
    result = run.publish()
    assert len(writes) == before + 1, "the dataset was written more than once"
    return result


def test_a_run_writes_its_dataset_once_and_the_snapshot_is_that_file(tmp_path, writes):
    out = tmp_path / "esf"
    run_day(out, th.DAY1, th.run1(), writes)
    result = run_day(out, th.DAY2, th.run2(), writes)
    view = (out / "projects.parquet").read_bytes()
    assert list_snapshots(out)[th.DAY2].read_bytes() == view
    table = pq.read_table(out / "projects.parquet")
    assert table.schema.metadata[b"crawl_date"] == th.DAY2.isoformat().encode()
    seen = {r["project_id"]: (r["first_seen"], r["last_seen"]) for r in table.to_pylist()}
    assert seen["23-002-S02"] == (th.DAY1, th.DAY2)      # in both runs
    assert seen["24-018-S03"] == (th.DAY2, th.DAY2)      # new in run 2
    assert "2019/00492" not in seen                       # gone in run 2
    assert (result.appeared, result.disappeared) == (1, 1)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or TMP_PREFIX in p.name]


def test_a_crawl_date_going_back_is_refused_before_anything_is_written(tmp_path, writes):
    out = tmp_path / "esf"
    run_day(out, th.DAY2, th.run1(th.DAY2), writes)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(HistoryError, match="older than the newest snapshot"):
        Run(out, crawl_date=th.DAY1)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    run = Run(out)
    with pytest.raises(HistoryError):
        run.in_history(th.DAY1)
    run.abort("refused")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_staging_puts_files_in_place_in_order_or_not_at_all(tmp_path, monkeypatch):
    a, b = tmp_path / "a.txt", tmp_path / "sub" / "b.txt"
    a.write_text("old")
    staging = Staging()
    staging.stage(a, lambda tmp: tmp.write_text("new a"))
    staging.stage(b, lambda tmp: tmp.write_text("new b"))
    staging.discard()          # nothing committed: the old file stays, no temporary file left
    assert a.read_text() == "old" and not b.exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.txt"]
    order = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda s, d: (order.append(os.path.basename(d)), real(s, d)))
    staging.stage(a, lambda tmp: tmp.write_text("new a"))
    staging.stage(b, lambda tmp: tmp.write_text("new b"))
    staging.commit()
    assert order == ["a.txt", "b.txt"] and a.read_text() == "new a" and b.read_text() == "new b"


def test_write_json_atomic_is_readable_like_a_plain_file(tmp_path):
    path = tmp_path / "deep" / "report.json"
    write_json_atomic(path, {"ok": "å"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"ok": "å"}
    assert stat.S_IMODE(path.stat().st_mode) == public_file_mode()
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]
