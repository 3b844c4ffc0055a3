"""Two scheduled crawls of a local copy of the site, with known changes between them:
snapshots, the change log and the latest view (issues 3 + 4 together, over real HTTP)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from projektbank.crawler.mirror import Mirror, repo_site_dir

REPO = Path(__file__).resolve().parents[1]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        "--min-fill", "start_date=0", "--min-fill", "end_date=0"]
DETAIL = Path("resultat/projektbanken/projekt/dnr")


def crawl(origin: str, out: Path, day: str) -> None:
    r = subprocess.run([sys.executable, "-m", "projektbank", "crawl", "--start-url",
                        origin + "/resultat/projektbanken/", "--out", str(out),
                        "--crawl-date", day, *FAST],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]


def test_second_crawl_logs_exactly_the_changes(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(repo_site_dir(), site)
    out = tmp_path / "esf"
    with Mirror(site, cache=False) as mirror:
        crawl(mirror.origin, out, "2026-11-01")
        first = {r["project_id"]: r for r in pq.read_table(out / "projects.parquet").to_pylist()}
        page = site / DETAIL / "22-021-S03.html"
        html = page.read_text(encoding="utf-8")
        assert "STORUMAN" in html
        page.write_text(html.replace("STORUMAN", "LYCKSELE"), encoding="utf-8")
        crawl(mirror.origin, out, "2026-11-08")
        crawl(mirror.origin, out, "2026-11-15")  # nothing changed since the last run
    latest = {r["project_id"]: r for r in pq.read_table(out / "projects.parquet").to_pylist()}
    assert set(latest) == set(first)
    assert latest["22-021-S03"]["beneficiary_city"] == "LYCKSELE"
    assert str(latest["22-021-S03"]["first_seen"]) == "2026-11-01"
    assert str(latest["22-021-S03"]["last_seen"]) == "2026-11-15"
    changes = pq.read_table(out / "changes.parquet").to_pylist()
    assert [(c["project_id"], c["change"], c["column"], c["old_value"], c["new_value"],
             str(c["crawl_date"])) for c in changes] == [
        ("22-021-S03", "changed", "beneficiary_city", "STORUMAN", "LYCKSELE", "2026-11-08")]
    snapshots = sorted(p.parent.name for p in (out / "snapshots").glob("*/projects.parquet"))
    assert snapshots == ["crawl_date=2026-11-01", "crawl_date=2026-11-08", "crawl_date=2026-11-15"]


def test_a_failed_run_leaves_the_published_archive_in_raw(tmp_path):
    """raw/ always backs the latest view: a run that publishes nothing moves its own pages to
    raw-failed/<run_id>/ and puts the published run's archive back."""
    out = tmp_path / "esf"
    with Mirror(repo_site_dir()) as mirror:
        crawl(mirror.origin, out, "2026-11-01")
        before = pq.read_table(out / "projects.parquet")
        r = subprocess.run([sys.executable, "-m", "projektbank", "crawl", "--start-url",
                            mirror.origin + "/resultat/projektbanken/", "--out", str(out),
                            "--crawl-date", "2026-11-08", "--min-records", "1000", *FAST],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "run assertion failed" in r.stderr
    assert pq.read_table(out / "projects.parquet").equals(before)
    failed = list((out / "raw-failed").glob("*/*.warc.gz"))
    assert failed
    rebuilt = tmp_path / "rebuilt"
    r = subprocess.run([sys.executable, "-m", "projektbank", "extract", str(out / "raw"), "--out",
                        str(rebuilt), "-q"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert pq.read_table(rebuilt / "projects.parquet").equals(before)


def test_history_files_are_readable_by_others(tmp_path):
    import stat

    out = tmp_path / "esf"
    with Mirror(repo_site_dir()) as mirror:
        crawl(mirror.origin, out, "2026-11-01")
    for path in [out / "changes.parquet", out / "crawl_report.json", out / "projects.parquet",
                 *(out / "snapshots").glob("*/projects.parquet")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & stat.S_IROTH, f"{path.name}: {oct(mode)}"


def test_personal_data_in_a_crawl_only_when_asked(tmp_path):
    out = tmp_path / "esf"
    with Mirror(repo_site_dir()) as mirror:
        r = subprocess.run([sys.executable, "-m", "projektbank", "crawl", "--start-url",
                            mirror.origin + "/resultat/projektbanken/", "--out", str(out),
                            "--crawl-date", "2026-11-01", "-s",
                            "PROJEKTBANK_INCLUDE_PERSONAL_DATA=True", *FAST],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    crawled = pq.read_table(out / "projects.parquet")
    assert any("Kontaktperson" in dict(row) for row in crawled["fields_raw"].to_pylist())
    rebuilt = tmp_path / "rebuilt"
    r = subprocess.run([sys.executable, "-m", "projektbank", "extract", str(out / "raw"), "--out",
                        str(rebuilt), "-q", "--include-personal-data"],
                       cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert pq.read_table(rebuilt / "projects.parquet").equals(crawled)
