"""The README's Python examples run as written, against datasets built here: `output/samples`
(projektbank extract of samples/) and `output/esf` (two offline crawls of the bundled site on
two crawl dates, so the history has snapshots and a change log). Each code block runs on its
own, as a reader would paste it, with the working folder holding `output/`."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

DRAW_REPORTS = True  # conftest: runs here draw report.html

README = ROOT / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def run_cli(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "projektbank", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    from projektbank.crawler.mirror import Mirror, repo_site_dir

    base = tmp_path_factory.mktemp("readme")
    run_cli("extract", str(ROOT / "samples"), "--out", str(base / "output" / "samples"), "-q")
    site = base / "site"
    shutil.copytree(repo_site_dir(), site)
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
    pages = sorted((site / "resultat/projektbanken/projekt/dnr").glob("*.html"))
    page = next(p for p in pages if "Projektägare" in p.read_text(encoding="utf-8"))
    with Mirror(site, cache=False, conditional=False) as m:
        for day in ("2025-02-24", "2025-03-03"):
            run_cli("crawl", "--start-url", m.origin + "/resultat/projektbanken/",
                    "--out", str(base / "output" / "esf"), "--crawl-date", day, *fast)
            text = page.read_text(encoding="utf-8")   # the next crawl sees a new owner
            page.write_text(re.sub(r"(Projektägare:?\s*</[^>]+>\s*<[^>]+>)", r"\1NY ÄGARE ", text,
                                   count=1), encoding="utf-8")
    return base


def test_readme_has_the_examples():
    text = "\n".join(BLOCKS)
    for needle in ("import projektbank", "import polars", "import duckdb", "import pandas",
                   "read_projects(", "snapshot="):
        assert needle in text, needle
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("n", range(len(BLOCKS)), ids=lambda n: f"block{n + 1}")
def test_readme_block_runs(n, workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS[n], f"README.md python block {n + 1}", "exec"), {"__name__": "readme"})


def test_read_projects_types(workdir):
    import pandas as pd

    import projektbank

    df = projektbank.read_projects(workdir / "output" / "samples")
    assert str(df["total_budget_sek"].dtype) == "Int64" and str(df["participants"].dtype) == "Int64"
    assert df["total_budget_sek"].isna().any() and df["total_budget_sek"].notna().any()
    assert pd.api.types.is_datetime64_any_dtype(df["start_date"])
    # (a truncated sample page has no start date: it is a row with messages)
    assert (df.start_date.dropna().dt.year >= 2008).all() and df.start_date.notna().mean() > 0.9
    assert int((df.start_date >= "2022-01-01").sum()) > 0
    assert str(df["fetched_at"].dt.tz) == "UTC"
    assert isinstance(df["project_id"].dtype, pd.StringDtype)
    assert isinstance(df["programme_period"].dtype, pd.StringDtype)
    assert str(df["child_poverty_theme"].dtype) == "boolean"
    assert isinstance(df["fields_raw"].dropna().iloc[0], dict)
    assert isinstance(df["municipalities"].iloc[0], list)
    latest, changes = projektbank.read_projects(workdir / "output" / "esf", changes=True)
    assert set(changes["change"]) >= {"changed"}
    assert pd.api.types.is_datetime64_any_dtype(changes["crawl_date"])
    assert pd.api.types.is_datetime64_any_dtype(latest["first_seen"])
    first = projektbank.read_projects(workdir / "output" / "esf", snapshot="2025-02-24")
    assert len(first) == len(latest)
    every = projektbank.read_projects(workdir / "output" / "esf", snapshot="all")
    assert sorted(every.crawl_date.dt.strftime("%Y-%m-%d").unique()) == ["2025-02-24", "2025-03-03"]
    with pytest.raises(FileNotFoundError, match="crawl dates: 2025-02-24, 2025-03-03"):
        projektbank.read_projects(workdir / "output" / "esf", snapshot="2024-01-01")


def test_version():
    import projektbank

    proc = subprocess.run([sys.executable, "-m", "projektbank", "--version"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith(f"projektbank {projektbank.__version__}")

