"""The crawl's output folder: is it ours to write, and is another crawl writing it now?

* `check_output_dir(out)`: create it if needed and make sure it is writable (OSError with a reason).
* `foreign_entries(out)`: names in it that projektbank did not write. A crawl rotates and
  replaces files there, so it refuses a folder holding anything else (`--out ~` or a project
  folder by mistake), and `/` and the home folder outright.
* `lock_output_dir(out)`: an exclusive lock for the whole run (`DIR/.projektbank.lock`, flock:
  released by the kernel when the process dies, even by SIGKILL). Idempotent per process, so
  the CLI and the spider may both ask for it.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import time
from pathlib import Path

LOCK_NAME = ".projektbank.lock"
# top-level names projektbank writes into an output folder
OURS = {
    "projects.parquet", "projects.csv", "rejects.jsonl", "schema.json", "crawl_report.json",
    "changes.parquet", "report.html", "datapackage.json", "crawl.log", "snapshots", "raw",
    "raw-previous", "raw-failed", ".history", LOCK_NAME,
}
# temporary names: `.projektbank-…` folders and `.<file>.<random>[.tmp]` of atomic writes
_TEMP = re.compile(r"^\.(projektbank|projects\.|changes\.|crawl_report\.|schema\.|rejects\.|"
                   r"report\.|datapackage\.|crawl\.log)")

_LOCKS: dict[str, int] = {}


class OutputFolderError(Exception):
    """The output folder cannot be used (one line, for the operator)."""


def check_output_dir(out: str | os.PathLike) -> Path:
    """Create *out* if needed and make sure it is writable; raises OSError with a reason."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise OSError(f"output folder is a file: {path}")
    path.mkdir(parents=True, exist_ok=True)
    probe = path / f".projektbank-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"")
    finally:
        probe.unlink(missing_ok=True)
    return path


def _is_job_folder(path: Path) -> bool:
    return path.is_dir() and (path / "projektbank-job.json").is_file()


def foreign_entries(out: str | os.PathLike) -> list[str]:
    """Names in *out* (top level) that are not projektbank's, sorted."""
    path = Path(out)
    if not path.is_dir():
        return []
    found = []
    for entry in path.iterdir():
        name = entry.name
        if name in OURS or _TEMP.match(name) or _is_job_folder(entry):
            continue
        found.append(name)
    return sorted(found)


def refuse_reason(out: str | os.PathLike) -> str | None:
    """Why *out* must not be a crawl's output folder, or None."""
    path = Path(out).expanduser().resolve()
    if path == Path(path.anchor):
        return f"{out} is the file system's root"
    if path == Path.home().resolve():
        return f"{out} is the home folder"
    foreign = foreign_entries(path)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        return (f"{out} holds files projektbank did not write ({shown}); a crawl replaces and "
                f"rotates files there: choose a new or empty folder")
    return None


def lock_output_dir(out: str | os.PathLike) -> None:
    """Hold DIR/.projektbank.lock for this process; OutputFolderError when another holds it."""
    path = Path(out).resolve()
    key = str(path)
    if key in _LOCKS:
        return
    fd = os.open(path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
        except (OSError, ValueError):
            holder = {}
        os.close(fd)
        who = f" (pid {holder.get('pid')}, since {holder.get('since')})" if holder.get("pid") else ""
        raise OutputFolderError(f"another crawl is writing to {out}{who}; wait for it to end or "
                                f"choose another --out") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"pid": os.getpid(), "since": time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime())}).encode(), 0)
    _LOCKS[key] = fd  # held until the process exits
