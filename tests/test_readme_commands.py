"""The README's shell commands run as a newcomer would run them (issue 12).

Every ```sh block that can run offline is run with bash, in README order, in a fresh copy of the
repository (the files git tracks), with the venv's `projektbank` on PATH: extract of the
samples and of the seed, the mirror with an offline crawl, changes and report. Left out: the
set-up block (the venv exists), crawls of the live site (no `--start-url` on 127.0.0.1) and
`pytest` itself. The mirror's port 8000 becomes a free port.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

DRAW_REPORTS = True  # conftest: runs here draw report.html

REPO = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def offline_blocks() -> list[str]:
    blocks = []
    for block in BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8")):
        if "python3 -m venv" in block or block.strip() == "pytest":
            continue
        crawls = [line for line in block.splitlines() if "projektbank crawl" in line]
        if any("--start-url http://127.0.0.1" not in line for line in crawls):
            continue  # the live site
        blocks.append(block)
    return blocks


def fresh_copy(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_readme_names_offline_commands():
    text = "\n".join(offline_blocks())
    for command in ("projektbank extract samples/", "projektbank mirror", "projektbank crawl",
                    "projektbank changes", "projektbank report"):
        assert command in text, command


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the tracked files")
def test_every_offline_readme_command_succeeds(tmp_path):
    repo = tmp_path / "projektbank"
    fresh_copy(repo)
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    port = str(free_port())
    for block in offline_blocks():
        # a failing command must not leave the mirror running: end background jobs on exit
        script = ("set -e\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
                  + block.replace("8000", port))
        r = subprocess.run(["bash", "-c", script], cwd=repo, env=env, capture_output=True,
                           text=True, timeout=180)
        assert r.returncode == 0, f"{block}\n--- stderr:\n{r.stderr[-3000:]}"
    assert (repo / "output" / "samples" / "projects.parquet").is_file()
    assert (repo / "output" / "seed" / "projects.parquet").is_file()
    assert (repo / "output" / "offline" / "report.html").is_file()
