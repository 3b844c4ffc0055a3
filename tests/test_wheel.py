"""One import name: the wheel installs one top-level package, `projektbank`, with extract,
pipelines and crawler inside it, and everything works from it alone.

The wheel is built from this checkout and installed into a fresh venv whose only other
packages are this venv's dependencies (seen through a .pth file, so nothing is downloaded and
this checkout's editable install is not visible there). Every command then runs from a folder
outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from test_readme_commands import fresh_copy

TOP_LEVEL = {"projektbank"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    build = tmp_path_factory.mktemp("src")
    fresh_copy(build)  # the tracked files only: the checkout's own build/ and egg-info stay out
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "-q", "-w", str(dist), str(build)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    (whl,) = dist.glob("projektbank-*.whl")
    return whl


@pytest.fixture(scope="module")
def fresh(wheel, tmp_path_factory) -> Path:
    """A venv holding the wheel; the dependencies come from this venv's site-packages."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # paths named in a .pth are added as they are: their own .pth files (this checkout's
    # editable finder among them) are not run, so `projektbank` can only come from the wheel
    Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps",
                        "--no-index", "-q", str(wheel)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return env_dir


def run(fresh: Path, *args: str, cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    env["PATH"] = f"{fresh / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_the_wheel_holds_one_top_level_package(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == TOP_LEVEL
    for needed in ("projektbank/extract/page.py", "projektbank/pipelines/dataset.py",
                   "projektbank/crawler/settings.py", "projektbank/crawler/spiders/esf.py",
                   "projektbank/pipelines/report_html/__init__.py"):
        assert needed in names
    assert any(n.startswith("projektbank/extract/codelists/") and n.endswith(".csv") for n in names)


def test_the_installed_wheel_imports_extracts_and_crawls(fresh, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    py = str(fresh / "bin" / "python")
    r = run(fresh, py, "-c",
            "import importlib.util as u, projektbank, projektbank.extract as e, "
            "projektbank.crawler.settings as s, projektbank.pipelines.dataset as d\n"
            "print(projektbank.__file__); print(e.__file__)\n"
            "print([m for m in ('extract', 'pipelines', 'crawler') if u.find_spec(m)])",
            cwd=work)
    assert r.returncode == 0, r.stderr[-3000:]
    pkg, sub, stray = r.stdout.splitlines()
    assert str(fresh) in pkg and str(fresh) in sub and str(ROOT) not in pkg + sub
    assert stray == "[]"  # no generic top-level names installed

    r = run(fresh, "projektbank", "--version", cwd=work)
    assert r.returncode == 0 and r.stdout.startswith("projektbank "), r.stderr

    out = work / "samples-out"
    r = run(fresh, "projektbank", "extract", str(ROOT / "samples" / "pages"), "--out", str(out),
            "-q", cwd=work, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (out / "projects.parquet").stat().st_size > 0

    # scrapy crawl esf through a scrapy.cfg naming the installed settings module
    shutil.copy(ROOT / "scrapy.cfg", work / "scrapy.cfg")
    r = run(fresh, py, "-m", "scrapy", "list", cwd=work)
    assert r.returncode == 0 and r.stdout.split() == ["esf"], r.stderr[-3000:]

    # a whole offline crawl from the installed wheel: its own mirror of the bundled site
    mirror = subprocess.Popen([str(fresh / "bin" / "projektbank"), "mirror",
                               str(ROOT / "samples" / "site"), "--port", "0"],
                              cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        line = mirror.stdout.readline()
        origin = next(w for w in line.split() if w.startswith("http://"))
        base = origin.split("/resultat")[0].rstrip("/")
        crawl_out = work / "crawl-out"
        r = run(fresh, "projektbank", "crawl", "--start-url", base + "/resultat/projektbanken/",
                "--out", str(crawl_out), "-s", "DOWNLOAD_DELAY=0",
                "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
                cwd=work, timeout=300)
        assert r.returncode == 0, r.stderr[-3000:]
        report = json.loads((crawl_out / "crawl_report.json").read_text(encoding="utf-8"))
        assert report["status"] == "published" and report["records"] > 0
    finally:
        mirror.terminate()
        mirror.wait(10)


def test_scrapy_list_from_the_checkout():
    r = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.split() == ["esf"], r.stderr[-3000:]
