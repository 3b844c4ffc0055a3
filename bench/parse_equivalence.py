"""Equivalence check for parse_page: record every result once, then compare after each change.

    python bench/parse_equivalence.py            # record the baseline (inputs and results)
    python bench/parse_equivalence.py --check    # replay the stored inputs, print differences

Inputs:
- every page under samples/ (.html, .htm, .txt; url, fetched_at and headers from the sidecars,
  loaded as the tests load them), with personal_data off and on;
- 500 generated pages (bench/pagegen.py `make_page(i)`);
- deterministic mutations of the sample pages and of 60 generated pages (classes stripped,
  tags dropped or renamed, truncated, served as text/plain or re-encoded as cp1252), which
  reach the rarer paths: no block, the second rendering with chrome kept, glued labels;
- every parse_page call made by the extraction tests (captured with parse_capture_plugin).

The inputs are stored with the results, so `--check` replays exactly the same calls even if
the sample loader or the generator changes meanwhile. A result is compared as the repr() of
every field of the Extraction, so types, key order and float digits all count.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pagegen import make_page  # noqa: E402
from projektbank.extract import parse_page  # noqa: E402

DEFAULT_STORE = Path(tempfile.gettempdir()) / "projektbank_parse_equivalence.pkl"
WHEN = datetime(2026, 11, 30, tzinfo=UTC)  # stands in for a missing fetched_at (else: now)
PAGE_SUFFIXES = (".html", ".htm", ".txt")
CAPTURED_TESTS = ["tests/test_extract.py", "tests/test_samples.py", "tests/test_unseen.py",
                  "tests/test_history.py", "tests/test_outputs.py"]

# (name, url, body, fetched_at, headers, kwargs)
Call = tuple[str, str, bytes, object, dict | None, dict]


def sample_calls() -> list[Call]:
    from projektbank.pipelines.sources import read_file  # the loader tests/conftest.py uses

    calls: list[Call] = []
    for path in sorted((ROOT / "samples").rglob("*")):
        if not path.is_file() or path.suffix.lower() not in PAGE_SUFFIXES:
            continue
        page = read_file(path)
        name = str(path.relative_to(ROOT))
        for personal in (False, True):
            calls.append((f"{name} personal={personal}", page.url, page.body, page.fetched_at,
                          page.headers, {"personal_data": personal}))
    return calls


def generated_calls(n: int = 500) -> list[Call]:
    return [(f"make_page({i})", url, body, WHEN, None, {})
            for i, (url, body) in ((i, make_page(i)) for i in range(n))]


_TAG = re.compile(rb"<[^>]+>")
_CLASS = re.compile(rb"""\s(?:class|id|role)\s*=\s*(["']).*?\1""", re.S)


def mutations(name: str, url: str, body: bytes, when, headers) -> list[Call]:
    """Deterministic damaged and re-served copies of one page."""
    rng = random.Random(name)
    out: list[Call] = []

    def add(kind: str, data: bytes, hdrs=headers) -> None:
        out.append((f"{name} ~{kind}", url, data, when, hdrs, {}))

    add("noclass", _CLASS.sub(b"", body))
    tags = list(_TAG.finditer(body))
    if tags:
        drop = {m.start() for m in tags if rng.random() < 0.15}
        add("droptags", _TAG.sub(lambda m: b"" if m.start() in drop else m.group(), body))
        swap = {b"div": b"span", b"span": b"div", b"dt": b"b", b"dd": b"p", b"td": b"div",
                b"th": b"strong", b"p": b"span", b"br": b"hr", b"li": b"p"}
        add("swaptags", re.sub(rb"(</?)([a-zA-Z]+)",
                               lambda m: m.group(1) + swap.get(m.group(2).lower(), m.group(2))
                               if rng.random() < 0.3 else m.group(), body))
    for k in range(2):
        cut = rng.randrange(1, max(2, len(body)))
        add(f"cut{k}", body[:cut])
    chunks = bytearray(body)
    for _ in range(5):
        if len(chunks) > 10:
            a = rng.randrange(len(chunks))
            del chunks[a: a + rng.randrange(1, 200)]
    add("holes", bytes(chunks))
    add("textplain", body, {"Content-Type": "text/plain; charset=utf-8"})
    try:
        text = body.decode("utf-8")
        add("cp1252", text.encode("cp1252", "replace"), {"Content-Type": "text/html; charset=windows-1252"})
    except UnicodeDecodeError:
        pass
    add("nbsp", body.replace(b" ", b"\xc2\xa0", 40).replace(b":", b" :", 20))
    return out


def mutated_calls(base: list[Call]) -> list[Call]:
    out: list[Call] = []
    for name, url, body, when, headers, kwargs in base:
        if kwargs.get("personal_data"):
            continue
        out += mutations(name, url, body, when, headers)
    return out


def test_calls() -> list[Call]:
    """The inputs of every parse_page call the extraction tests make."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "calls.pkl"
        env = dict(os.environ, PARSE_CAPTURE_OUT=str(out),
                   PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")]))
        # one process (-n 0): the plugin collects the calls of the process it runs in
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                        "-p", "parse_capture_plugin", *CAPTURED_TESTS],
                       cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
        captured = pickle.loads(out.read_bytes())
    seen: set = set()
    calls: list[Call] = []
    for url, body, when, headers, kwargs in captured:
        key = pickle.dumps((url, body, when, headers, kwargs))
        if key in seen:
            continue
        seen.add(key)
        calls.append((f"test call {len(calls)}", url, body, when or WHEN, headers, kwargs))
    return calls


def all_calls() -> list[Call]:
    samples = sample_calls()
    generated = generated_calls()
    return (samples + generated + mutated_calls(samples) + mutated_calls(generated[:60])
            + test_calls())


def result_of(call: Call) -> str:
    """Everything parse_page returns (or raises), as one string."""
    _name, url, body, when, headers, kwargs = call
    try:
        ex = parse_page(url, body, when, headers, **kwargs)
    except Exception as exc:  # noqa: BLE001 - an exception is a result too
        return f"raised {type(exc).__name__}: {exc}"
    return type(ex).__name__ + repr([(f.name, getattr(ex, f.name)) for f in fields(ex)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare against the stored results")
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--show", type=int, default=5, help="differences printed in full")
    args = ap.parse_args()
    if not args.check:
        calls = all_calls()
        t = time.perf_counter()
        results = [result_of(c) for c in calls]
        args.store.write_bytes(pickle.dumps({"calls": calls, "results": results}))
        print(f"recorded {len(calls)} results in {time.perf_counter() - t:.1f}s → {args.store}")
        return
    stored = pickle.loads(args.store.read_bytes())
    t = time.perf_counter()
    diffs = 0
    for call, expected in zip(stored["calls"], stored["results"], strict=True):
        got = result_of(call)
        if got != expected:
            diffs += 1
            if diffs <= args.show:
                print(f"DIFFERENT: {call[0]}")
                print(f"  expected: {expected[:2000]}")
                print(f"  got:      {got[:2000]}")
    print(f"compared {len(stored['calls'])} results in {time.perf_counter() - t:.1f}s: "
          f"{diffs} differences")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
