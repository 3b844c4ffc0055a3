"""The command line as a newcomer meets it: a mistyped option names the one that was meant."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "projektbank", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args,meant", [
    (["extract", "--outt", "x", "samples/seed"], "--out"),
    (["extract", "samples/seed", "--excel-cvs"], "--excel-csv"),
    (["crawl", "--start-url", "http://127.0.0.1:9/", "--min-recods", "3"], "--min-records"),
    (["crawl", "--start-url", "http://127.0.0.1:9/", "--limt=3"], "--limit"),
    (["changes", "x", "--colunm", "fund"], "--column"),
    (["mirror", "--prot", "8000"], "--port"),
    (["report", "x", "--outt", "y"], None),
])
def test_a_mistyped_option_names_the_one_meant(args, meant):
    r = cli(*args)
    assert r.returncode == 2
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"projektbank {args[0]}: error: unrecognized option ")
    if meant:
        assert last.endswith(f"did you mean {meant}?"), last
    else:
        assert f"see 'projektbank {args[0]} --help'" in last or "did you mean" in last, last


def test_surplus_arguments_are_named():
    r = cli("changes", "a", "b")
    assert r.returncode == 2 and "unrecognized arguments: b" in r.stderr
