"""report.html: one self-contained page that shows an output folder at a glance.

`write_report(out_dir)` reads whatever the folder holds (projects.parquet, rejects.jsonl,
crawl_report.json, snapshots/, changes.parquet; each optional) and writes `out_dir/report.html`
atomically. The page has no script and loads nothing: every chart is inline SVG drawn by
matplotlib, every style is in the page. A missing or unreadable file is said in the page, never
raised. `projektbank extract` and the crawl call it after publishing; `projektbank report DIR`
redraws it for any folder.

Sections: the run (status, records, rejects by reason, failures, retries, conditional-request
savings, unknown labels, lines not understood); records by programme period, region, programme
area and start year; budgets and grants (distribution, totals per period and region); fill
rates per column and programme period (columns a period does not publish shown as such);
validation messages by column and kind with example project ids; and, for a crawl history,
records per crawl date and changes per run by kind with the most changed columns.

The page is built in three rooms: data.py gathers (reads the folder, aggregates), sections.py
draws each section's HTML, charts.py draws the SVG charts; this module lays out the page and
writes it.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from projektbank.pipelines.report_html.data import Folder, read_folder
from projektbank.pipelines.report_html.sections import (
    esc,
    fill_section,
    history_section,
    messages_section,
    money_section,
    records_section,
    run_section,
)

REPORT_FILE = "report.html"
SECTIONS = (run_section, records_section, money_section, fill_section, messages_section,
            history_section)


CSS = """
:root{--fg:#1d1d1f;--muted:#6e6e73;--line:#e5e5ea;--bg:#ffffff;--soft:#f5f5f7}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--fg);background:var(--bg);margin:0}
header{padding:20px 32px;background:var(--soft);border-bottom:1px solid var(--line)}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:var(--muted)}
nav{padding:8px 32px;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--bg)}
nav a{margin-right:16px;color:#0b57d0;text-decoration:none}
main{padding:0 32px 48px;max-width:1500px}
section{margin-top:28px}
h2{font-size:18px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px;align-items:start}
figure.chart{margin:0;padding:8px;border:1px solid var(--line);border-radius:6px;background:#fff}
figure.chart svg{display:block;max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:12px;margin-top:4px}
table{border-collapse:collapse;margin:6px 0;font-size:13px;max-width:100%}
th,td{border-bottom:1px solid var(--line);padding:3px 10px 3px 0;text-align:left;vertical-align:top}
td{word-break:break-word}
th{color:var(--muted);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}
.none,.note{color:var(--muted)}
.badge{font-size:12px;padding:2px 8px;border-radius:10px;vertical-align:middle}
.badge.ok{background:#e3f5e1;color:#1e6b27}.badge.bad{background:#fde2e1;color:#a4161a}
ul.problems{color:#a4161a}
"""


def _safe(section, f: Folder, figs: list[str]) -> str:
    """A section, or a note saying why it could not be drawn (odd content in a file): one bad
    value never costs the whole report."""
    drawn = len(figs)
    try:
        return section(f, figs)
    except Exception as exc:
        del figs[drawn:]
        name = section.__name__.strip("_").replace("_section", "")
        return (f'<section><h2>{esc(name)}</h2><ul class="problems"><li>could not draw this '
                f"section: {esc(type(exc).__name__)}: {esc(exc)}</li></ul></section>")


def render(out_dir: str | os.PathLike) -> str:
    """The report of an output folder as HTML text."""
    f = read_folder(out_dir)
    figs: list[str] = []
    body = [_safe(section, f, figs) for section in SECTIONS]
    nav = [("run", "The run"), ("records", "Records"), ("money", "Budgets and grants"),
           ("fill", "Fill rates"), ("messages", "Validation messages")]
    if f.snapshots or f.changes is not None:
        nav.append(("history", "Crawl history"))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = f"projektbank report: {f.path.resolve().name}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="projektbank-charts" content="{len(figs)}">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(f.kind)} · {esc(f.path)} · drawn {when}"
        f" · {esc(f.producer or 'extractor unknown')}</p></header>"
        "<nav>" + "".join(f'<a href="#{a}">{esc(b)}</a>' for a, b in nav) + "</nav>"
        "<main>" + "".join(body) + "</main></body></html>\n")


def write_report(out_dir: str | os.PathLike) -> Path:
    """Write `out_dir/report.html` (atomically, readable like the other outputs); its path."""
    from projektbank.pipelines.atomic import public_file_mode

    out = Path(out_dir)
    text = render(out)
    target = out / REPORT_FILE
    fd, tmp = tempfile.mkstemp(prefix=f".{REPORT_FILE}.", suffix=".tmp", dir=out)
    try:
        os.fchmod(fd, public_file_mode())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def report_wanted() -> bool:
    """report.html is drawn after every extract and crawl unless the environment says
    PROJEKTBANK_REPORT_HTML=0 (a batch of many small runs, the test suite: ~2 s a report)."""
    return os.environ.get("PROJEKTBANK_REPORT_HTML", "1").strip().lower() not in (
        "0", "false", "no", "off")


def try_write_report(out_dir: str | os.PathLike) -> Path | None:
    """write_report() for callers that must not fail over it (the crawl's publish path): a
    failure is logged as a warning and gives None."""
    import logging

    try:
        return write_report(out_dir)
    except Exception as exc:
        logging.getLogger(__name__).warning("report.html not written in %s: %s: %s",
                                            out_dir, type(exc).__name__, exc)
        return None
