"""The one way a file is published: a temporary file in the target's own folder, fsync, then
os.replace. A reader sees the old file or the new one, never half of either, and a run killed
at any point leaves at most a `.NAME.*.tmp` beside the target, which the next run removes.

Used by the run (pipelines/run.py: dataset, snapshot, change log, extra files), the crawl's
JSON files (crawler/report.py) and report.html.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def public_file_mode() -> int:
    """The mode a plainly created file gets here (0666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def temp_beside(target: Path) -> Path:
    """An empty temporary file in the target's folder, readable as a plain file would be
    (mkstemp makes 0600; analysts and monitoring read these files)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, public_file_mode())
    finally:
        os.close(fd)
    return Path(name)


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def link_or_copy(src: Path, dst: Path) -> None:
    """`dst` holds `src`'s bytes: a hard link where the file system allows it (no second write
    of the same bytes), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def cleanup_stale(folder: Path, name: str, max_age: float = 3600.0) -> None:
    """Temporary files of `name` that a killed run left behind (older than an hour: a run
    writing now is not disturbed)."""
    if not folder.is_dir():
        return
    now = time.time()
    for p in folder.glob(f".{name}.*.tmp"):
        try:
            if now - p.stat().st_mtime > max_age:
                p.unlink()
        except OSError:
            pass


class Staging:
    """Files written to temporary names first, then put in place in the order they were
    staged (one os.replace each); discard() removes whatever was not put in place."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []   # (temporary, target)

    def stage(self, target: Path, write: Callable[[Path], None]) -> Path:
        """`write(tmp)` fills the temporary file; it is fsynced here."""
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_beside(target)
        self._staged.append((tmp, target))
        write(tmp)
        fsync_path(tmp)
        return tmp

    def stage_file(self, src: Path, target: Path) -> None:
        """A finished file (fsynced here) that is already in the target's folder."""
        fsync_path(src)
        self._staged.append((src, target))

    def commit(self) -> None:
        while self._staged:
            tmp, target = self._staged[0]
            os.replace(tmp, target)
            self._staged.pop(0)

    def discard(self) -> None:
        for tmp, _ in self._staged:
            try:
                tmp.unlink()
            except OSError:
                pass
        self._staged.clear()


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    path = Path(path)
    staging = Staging()
    try:
        staging.stage(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        staging.commit()
    finally:
        staging.discard()
    return path


def write_json_atomic(path: str | os.PathLike, data: dict) -> None:
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def remove_dead_temp_folders(folder: Path, prefix: str) -> list[Path]:
    """Temporary folders `PREFIX<pid>-…` left by runs that were killed (their process is gone)."""
    removed = []
    for path in folder.glob(prefix + "*"):
        pid = path.name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
