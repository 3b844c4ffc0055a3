"""pytest plugin: record every parse_page call's inputs (used by bench/parse_equivalence.py).

    PARSE_CAPTURE_OUT=/tmp/calls.pkl PYTHONPATH=bench pytest -p parse_capture_plugin tests/...

The test suites build many small edge-case pages inline; replaying their inputs gives the
equivalence check coverage the sample corpus alone does not.
"""

from __future__ import annotations

import os
import pickle

CAPTURED: list[tuple] = []


def pytest_configure(config) -> None:
    from projektbank import extract

    real = extract.page.parse_page

    def capturing(url, body, fetched_at=None, headers=None, **kwargs):
        call = (url, body, fetched_at, None if headers is None else dict(headers), kwargs)
        try:
            pickle.dumps(call)
        except Exception:  # noqa: BLE001 - an unpicklable argument: not replayable, skip it
            pass
        else:
            CAPTURED.append(call)
        return real(url, body, fetched_at, headers, **kwargs)

    extract.parse_page = capturing
    extract.page.parse_page = capturing


def pytest_unconfigure(config) -> None:
    out = os.environ.get("PARSE_CAPTURE_OUT")
    if out:
        with open(out, "wb") as fh:
            pickle.dump(CAPTURED, fh)
