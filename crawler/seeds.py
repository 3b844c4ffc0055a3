"""Seed lists: the detail URLs named by `--ids FILE` and `--kohesio-csv FILE`.

`--ids`: one project per line, a diarienummer, a Kohesio operation id or a project page URL;
`#` starts a comment. `--kohesio-csv`: Kohesio's export of ESF+ operations (CSV, any
delimiter, may be gzipped): every cell holding a Kohesio id of an ESF+ project counts.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from projektbank.crawler.urls import detail_url_for, is_detail_url
from projektbank.extract.identifiers import kohesio_dnr, kohesio_dnrs_in, looks_like_dnr


def ids_file_urls(path: str | Path, base: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(detail URLs, [(skipped line, why)]) of an --ids file."""
    urls: list[str] = []
    skipped: list[tuple[str, str]] = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.lower().startswith(("http://", "https://")):
            if is_detail_url(line):
                urls.append(line)
            else:
                skipped.append((line, "not a project page URL"))
        elif kohesio_dnr(line):
            urls.append(detail_url_for(kohesio_dnr(line), base))
        elif looks_like_dnr(line):
            urls.append(detail_url_for(line, base))
        else:
            skipped.append((line, "not a diarienummer"))
    return urls, skipped


def kohesio_csv_urls(path: str | Path, base: str) -> list[str]:
    """Detail URLs of the ESF+ operations in a Kohesio CSV export, each once, in file order."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig", errors="replace")
    found: list[str] = []
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
        for row in csv.reader(io.StringIO(text), dialect):
            found += [dnr for dnr in map(kohesio_dnr, row) if dnr]
    except csv.Error:   # no delimiter found: ids anywhere in the text
        found = kohesio_dnrs_in(text)
    return [detail_url_for(dnr, base) for dnr in dict.fromkeys(found)]
