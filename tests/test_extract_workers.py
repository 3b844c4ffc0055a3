"""`projektbank extract --workers N`: the pages go through the page flow's worker processes
(pipelines/page_flow.py) and the files are byte-identical to a one-worker run, over a real
folder (rejects, duplicates, sidecars) and over a WARC file (duplicates, a 404, a PDF)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from pagegen import make_page  # noqa: E402
from projektbank.pipelines.run import Run  # noqa: E402
from test_outputs import run_cli  # noqa: E402

SAMPLES = ROOT / "samples"
COMPARED = ("projects.parquet", "projects.csv", "rejects.jsonl", "schema.json",
            "datapackage.json")


def extract(paths: list[Path], out: Path, workers: int) -> dict[str, bytes]:
    run_cli("extract", *map(str, paths), "--out", str(out), "--workers", str(workers), "-q")
    return {name: (out / name).read_bytes() for name in COMPARED}


def assert_same(one: dict[str, bytes], many: dict[str, bytes]) -> None:
    for name in COMPARED:
        assert one[name] == many[name], f"{name} differs between 1 and 2 workers"


def test_folder_is_byte_identical_with_workers(tmp_path):
    one = extract([SAMPLES], tmp_path / "one", 1)
    two = extract([SAMPLES], tmp_path / "two", 2)
    assert_same(one, two)
    table = pq.read_table(io.BytesIO(two["projects.parquet"]))
    rejects = two["rejects.jsonl"].decode().splitlines()
    assert table.num_rows > 20 and len(rejects) > 20   # rows and rejects both came through
    assert b"HTTP 404 template" in two["rejects.jsonl"]


def write_warc(path: Path) -> int:
    """Generated pages, each sample page twice (an older and a newer fetch), a 404 and a PDF."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    records = 0
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")

        def add(url: str, body: bytes, when: str, status: str = "200 OK",
                ctype: str = "text/html; charset=utf-8") -> None:
            nonlocal records
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                            http_headers=headers,
                                            warc_headers_dict={"WARC-Date": when})
            writer.write_record(rec)
            records += 1

        pages = sorted((SAMPLES / "pages").glob("*.html"))
        for n, page in enumerate(pages):
            url = f"https://www.esf.se/resultat/projektbanken/projekt/?dnr=sample-{n}"
            add(url, page.read_bytes(), "2026-11-02T09:00:00Z")
        for i in range(90):
            url, body = make_page(i, seed=3)
            add(url, body, "2026-11-03T09:00:00Z")
        for n, page in enumerate(pages):   # newer fetches of the same projects win
            url = f"https://www.esf.se/resultat/projektbanken/projekt/?dnr=sample-{n}"
            add(url, page.read_bytes(), "2026-11-04T09:00:00Z")
        add("https://www.esf.se/gone", b"<html><title>404</title></html>", "2026-11-04T09:00:00Z",
            status="404 Not Found")
        add("https://www.esf.se/a.pdf", b"%PDF-1.7\n" + bytes(range(256)), "2026-11-04T09:00:00Z",
            ctype="application/pdf")
    return records


def test_warc_is_byte_identical_with_workers(tmp_path):
    warc = tmp_path / "pages.warc.gz"
    assert write_warc(warc) > 100
    one = extract([warc], tmp_path / "one", 1)
    two = extract([warc], tmp_path / "two", 2)
    assert_same(one, two)
    assert b"HTTP status 404" in two["rejects.jsonl"] and b"PDF" in two["rejects.jsonl"]
    table = pq.read_table(io.BytesIO(two["projects.parquet"]))
    assert table.num_rows >= 90


def test_workers_really_run_the_pages(tmp_path, monkeypatch):
    """The two-worker run above is not the in-process loop under another name: the flow
    starts a pool and every page of the folder is handed to it."""
    import projektbank.pipelines.page_flow as page_flow
    from projektbank.pipelines.extract_run import extract_pages

    pools, units = [], []
    start_pool, process = page_flow._start_pool, page_flow.PageFlow._submit

    def recording_start(n):
        pools.append(start_pool(n))
        return pools[-1]

    def recording_submit(self, pages, copied, waiters):
        units.append(len(pages))
        return process(self, pages, copied, waiters)

    monkeypatch.setattr(page_flow, "_start_pool", recording_start)
    monkeypatch.setattr(page_flow.PageFlow, "_submit", recording_submit)
    run = Run(tmp_path / "out")
    extract_pages(run.writer, [SAMPLES], workers=2)
    summary = run.finish()
    run.publish()
    assert pools and pools[0] is not None
    assert sum(units) == summary.pages and len(units) > 1
    assert summary.records == pq.read_table(tmp_path / "out" / "projects.parquet").num_rows


@pytest.mark.parametrize("bad", ["0", "-2"])
def test_workers_must_be_positive(tmp_path, bad):
    proc = run_cli("extract", str(SAMPLES / "seed"), "--out", str(tmp_path / "o"),
                   "--workers", bad, check=False)
    assert proc.returncode == 2 and "--workers must be 1 or more" in proc.stderr


def test_rows_from_workers_take_the_crawl_history_as_records_do(tmp_path):
    """`extract DIR/raw` with workers: rows converted in a worker get first_seen/last_seen
    from the crawl's history exactly as add() gives them to a record."""
    from datetime import date

    import test_history as th
    from projektbank.pipelines.dataset import DatasetWriter, prepare_rows

    records = th.run1()
    history = {records[0]["project_id"]: (date(2024, 1, 1), date(2024, 2, 1)),
               records[2]["project_id"]: (date(2024, 3, 1), date(2024, 3, 8))}
    one, many = DatasetWriter(tmp_path / "one", history=history), \
        DatasetWriter(tmp_path / "many", history=history)
    for r in records:
        one.add(r)
    many.add_rows(prepare_rows(records))
    for w in (one, many):
        w.publish()
    for name in ("projects.parquet", "projects.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "many" / name).read_bytes()
    rows = {r["project_id"]: r for r in pq.read_table(tmp_path / "many" / "projects.parquet")
            .to_pylist()}
    assert (rows[records[0]["project_id"]]["first_seen"],
            rows[records[0]["project_id"]]["last_seen"]) == history[records[0]["project_id"]]
    assert rows[records[1]["project_id"]]["first_seen"] is None
