"""Builders of hostile inputs for `projektbank extract` (tests/test_hostile_inputs.py).

Each builder writes its case into a folder and returns what it made; `run_extract` runs the
command in a subprocess with an address-space limit and a time limit, and measures the child's
peak RSS and wall time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "samples" / "pages" / "esfplus_dl_23-002-S02.html"
MB = 1 << 20


def good_page(dnr: str = "23-114-S01") -> bytes:
    """A valid project page (2021–2027 layout) with the given diarienummer."""
    body = GOOD.read_bytes()
    import re

    old = re.search(rb"\d\d-\d\d\d-S\d\d", body).group(0)
    return body.replace(old, dnr.encode())


def warc_record(url: str, body: bytes, *, http: bool = True, extra: dict | None = None,
                length: int | None = None, digests: bool = True) -> bytes:
    """One uncompressed WARC/1.1 response record (optionally lying about its length)."""
    block = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" if http
             else b"") + body
    import base64

    fields = [("WARC-Type", "response" if http else "resource"),
              ("WARC-Record-ID", f"<urn:uuid:{hashlib.md5(url.encode()).hexdigest()}>"),
              ("WARC-Date", "2026-11-02T09:00:00Z"), ("WARC-Target-URI", url),
              ("Content-Type", "application/http; msgtype=response" if http else "text/html")]
    if digests:
        fields.append(("WARC-Block-Digest",
                       "sha1:" + base64.b32encode(hashlib.sha1(block).digest()).decode()))
    fields += list((extra or {}).items())
    fields.append(("Content-Length", str(len(block) if length is None else length)))
    head = "WARC/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n"
    return head.encode() + block + b"\r\n\r\n"


def esf_url(dnr: str) -> str:
    return f"https://www.esf.se/resultat/projektbanken/projekt/?dnr={dnr}"


@dataclass
class Run:
    returncode: int
    stderr: str
    rows: list[dict]
    rejects: list[dict]
    peak_rss_mb: float
    seconds: float


def run_extract(inputs: list, out: Path, *, extra: list[str] | None = None,
                mem_mb: int = 2500, timeout: float = 120.0, fsize: int | None = None) -> Run:
    """`projektbank extract INPUTS --out OUT -q` in a child with RLIMIT_AS (and RLIMIT_FSIZE:
    a full disk) and a time limit; the child's own peak RSS from wait4."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb * MB, mem_mb * MB))
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    code = ("import sys; from projektbank.crawler.cli import main; sys.argv[0] = 'projektbank'; "
            "raise SystemExit(main())")
    cmd = [sys.executable, "-c", code, "extract", *[os.fsencode(p) for p in inputs],
           "--out", str(out), "-q", *(extra or [])]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    import tempfile
    import threading

    with tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                                preexec_fn=limit, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - t0
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if seconds >= timeout:
        raise TimeoutError(f"extract ran over {timeout} s: {inputs}")
    rows, rejects = [], []
    if (out / "projects.parquet").exists():
        import pyarrow.parquet as pq

        rows = pq.read_table(out / "projects.parquet").to_pylist()
    if (out / "rejects.jsonl").exists():
        rejects = [json.loads(line) for line in
                   (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    return Run(proc.returncode, stderr, rows, rejects, usage.ru_maxrss / 1024, seconds)


def gzip_bytes(data_iter, path: Path, level: int = 1) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level) as gz:
        for chunk in data_iter:
            gz.write(chunk)


def zeros(total: int, chunk: int = 4 * MB):
    left = total
    block = bytes(chunk)
    while left > 0:
        yield block[: min(chunk, left)]
        left -= chunk


def now() -> str:
    return datetime.now(UTC).isoformat()
