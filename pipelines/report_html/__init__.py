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
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from projektbank.pipelines.report_html import charts

REPORT_FILE = "report.html"
PERIODS = ("2007-2013", "2014-2020", "2021-2027")
MAX_ROWS = 50          # rows shown per table
EXAMPLES = 3           # example project ids per validation message kind


@dataclass
class Folder:
    """What an output folder holds, read leniently."""

    path: Path
    table: object = None                    # pyarrow Table of projects.parquet, or None
    producer: str | None = None
    crawl: dict | None = None               # crawl_report.json
    rejects: list[dict] = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)   # crawl date → snapshot file
    changes: object = None                  # pyarrow Table of changes.parquet, or None
    problems: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.snapshots or (self.path / "changes.parquet").exists():
            return "crawl history"
        return "crawl" if self.crawl is not None else "extract"


def read_folder(out_dir: str | os.PathLike) -> Folder:
    import pyarrow.parquet as pq

    path = Path(out_dir)
    f = Folder(path)
    parquet = path / "projects.parquet"
    if parquet.is_file():
        try:
            f.table = pq.read_table(parquet)
            meta = f.table.schema.metadata or {}
            f.producer = (meta.get(b"producer") or b"").decode() or None
        except Exception as exc:  # a report never fails on a bad file: it says so
            f.problems.append(f"projects.parquet unreadable: {exc}")
    else:
        f.problems.append("no projects.parquet in this folder")
    report = path / "crawl_report.json"
    if report.is_file():
        try:
            f.crawl = json.loads(report.read_text(encoding="utf-8"))
            if not isinstance(f.crawl, dict):
                f.crawl = None
                f.problems.append("crawl_report.json is not a JSON object")
        except (OSError, ValueError) as exc:
            f.problems.append(f"crawl_report.json unreadable: {exc}")
    rejects = path / "rejects.jsonl"
    if rejects.is_file():
        try:
            with rejects.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        try:
                            f.rejects.append(json.loads(line))
                        except ValueError:
                            f.rejects.append({"source": "?", "reason": "unreadable line"})
        except OSError as exc:
            f.problems.append(f"rejects.jsonl unreadable: {exc}")
    try:
        from projektbank.pipelines.history import list_snapshots, read_changes

        f.snapshots = list_snapshots(path)
        f.changes = read_changes(path)
    except Exception as exc:
        f.problems.append(f"crawl history unreadable: {exc}")
    return f


# --- aggregation --------------------------------------------------------------------------------
def _col(table, name: str) -> list:
    if table is None or name not in table.column_names:
        return [None] * (table.num_rows if table is not None else 0)
    arr = table[name]
    import pyarrow as pa

    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(pa.string())
    return arr.to_pylist()


def _period_order(periods) -> list[str]:
    present = {p for p in periods if p}
    return [p for p in PERIODS if p in present] + sorted(present - set(PERIODS)) + (
        ["(none)"] if any(p is None for p in periods) else [])


def reason_kind(reason: str) -> str:
    """A reject reason without its specifics: `no project block (2 known labels)` → `no
    project block`; `invalid record: …` → `invalid record`; `not HTML (PDF)` stays."""
    reason = re.sub(r"\s*\(\d+ known labels?\)", "", str(reason or "?"))
    return reason.split(":", 1)[0].strip() or "?"


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|‘[^’]*’")
# project ids (`22-021-S03`, `2019/00492`) and long numbers; short numbers (`SE0`, `UTF-8`,
# a year) are part of what a message says
_SPECIFIC = re.compile(r"\b\d{2}-\d{3}-S\d{2,3}\b|\b20\d\d/\d{5}\b|(?<![\w-])\d{5,}(?![\w-])")


def message_kind(message: str) -> tuple[str, str]:
    """`column: text` → (column, the text with quoted values and numbers replaced)."""
    column, sep, text = str(message).partition(":")
    if not sep:
        column, text = "(record)", message
    text = _SPECIFIC.sub("…", _QUOTED.sub("'…'", text.strip()))
    return column.strip(), text


def fill_by_period(table) -> tuple[list[str], dict[str, int], dict[tuple[str, str], float]]:
    """Fill rate of every column within each programme period (and over all rows), measured on
    the published table. An empty list or map counts as no value."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from projektbank.extract.schema import COLUMNS

    periods = _period_order(_col(table, "programme_period"))
    pcol = pa.chunked_array([pa.array(_col(table, "programme_period"), pa.string())])
    counts, rates = {}, {}
    groups = [(p, pc.equal(pcol, p) if p != "(none)" else pc.is_null(pcol)) for p in periods]
    groups.append(("all", None))
    for name, mask in groups:
        sub = table if mask is None else table.filter(mask)
        counts[name] = sub.num_rows
        for col in COLUMNS:
            if col.name not in sub.column_names or not sub.num_rows:
                rates[(col.name, name)] = 0.0
                continue
            arr = sub[col.name]
            if pa.types.is_list(arr.type) or pa.types.is_map(arr.type):
                filled = sum(1 for v in arr.to_pylist() if v)
            else:
                filled = sub.num_rows - arr.null_count
            rates[(col.name, name)] = filled / sub.num_rows
    return periods, counts, rates


def published_in(column, period: str) -> bool:
    """Whether the source publishes `column` in `period` (schema `periods`; unknown: yes)."""
    periods = getattr(column, "periods", None)
    return period not in PERIODS or periods is None or period in periods


# --- HTML helpers ---------------------------------------------------------------------------------
def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers: list[str], rows: list[list], *, total: int | None = None,
           numeric: set[int] = frozenset()) -> str:
    if not rows:
        return '<p class="none">none</p>'
    out = ["<table><thead><tr>", *(f"<th>{esc(h)}</th>" for h in headers), "</tr></thead><tbody>"]
    for row in rows[:MAX_ROWS]:
        out.append("<tr>" + "".join(
            f'<td class="num">{esc(c)}</td>' if i in numeric else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)) + "</tr>")
    out.append("</tbody></table>")
    n = total if total is not None else len(rows)
    if n > MAX_ROWS:
        out.append(f'<p class="note">{MAX_ROWS} of {charts.fmt_int(n)} shown.</p>')
    return "".join(out)


def _figure(svg: str, name: str, caption: str = "") -> str:
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart" data-chart="{esc(name)}">{svg}{cap}</figure>'


def _kv(items: list[tuple[str, object]]) -> str:
    return '<dl class="kv">' + "".join(
        f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items if v is not None) + "</dl>"


# --- sections ------------------------------------------------------------------------------------
def _run_section(f: Folder, figs: list[str]) -> str:
    c = f.crawl or {}
    records = f.table.num_rows if f.table is not None else c.get("records")
    status = c.get("status") or ("published" if f.table is not None else "no dataset")
    run_records = c.get("records")
    items = [("folder", str(f.path)), ("kind", f.kind), ("status", status),
             ("reason", c.get("reason")), ("records", records),
             ("records of the last run", run_records if f.table is not None and run_records
              is not None and run_records != records else None),
             ("rejects", len(f.rejects) if f.rejects or c.get("rejects") is None else c.get("rejects")),
             ("extractor", f.producer)]
    if f.crawl is not None:
        hist = c.get("history") or {}
        items += [("crawl date", hist.get("crawl_date")), ("start", c.get("start")),
                  ("end", c.get("end")), ("duration", f"{c.get('duration_s')} s"
                                          if c.get("duration_s") is not None else None),
                  ("list pages", c.get("list_pages")), ("detail pages", c.get("detail_pages")),
                  ("duplicates", c.get("duplicates")), ("requests", c.get("requests")),
                  ("failures", len(c.get("failures") or [])),
                  ("robots.txt disallowed", len(c.get("disallowed") or [])),
                  ("retries", (c.get("retries") or {}).get("count"))]
    badge = "ok" if status == "published" else "bad"
    out = [f'<section id="run"><h2>The run <span class="badge {badge}">{esc(status)}</span></h2>',
           _kv(items)]
    if f.problems:
        out.append("<ul class='problems'>" + "".join(f"<li>{esc(p)}</li>" for p in f.problems)
                   + "</ul>")
    # rejects by reason
    reasons = Counter(reason_kind(r.get("reason")) for r in f.rejects)
    if not reasons and c.get("reject_reasons"):
        reasons = Counter({reason_kind(k): v for k, v in c["reject_reasons"].items()})
    out.append("<h3>Rejects by reason</h3>")
    if reasons:
        top = reasons.most_common(15)
        figs.append("rejects")
        out.append(_figure(charts.stacked_barh(
            [k for k, _ in top], {"rejects": [v for _, v in top]}, title="Rejected inputs by reason",
            colours={"rejects": "#d7301f"}, xlabel="inputs"), "rejects"))
        examples = defaultdict(list)
        for r in f.rejects:
            examples[reason_kind(r.get("reason"))].append(r)
        out.append(_table(["reason", "inputs", "examples"], [
            [k, v, "; ".join(f"{_short_source(e.get('source'))} ({e.get('reason')})"
                             for e in examples[k][:2])] for k, v in reasons.most_common()],
            numeric={1}))
    else:
        out.append('<p class="none">no rejects</p>')
    if f.crawl is not None:
        fails = c.get("failures") or []
        out.append(f"<h3>Failures ({len(fails)})</h3>")
        out.append(_table(["url", "kind", "reason", "attempts"],
                          [[x.get("url"), x.get("kind"), x.get("reason"), x.get("attempts")]
                           for x in fails], numeric={3}))
        retries = c.get("retries") or {}
        out.append(f"<h3>Retries ({retries.get('count', 0)}, gave up {retries.get('gave_up', 0)})</h3>")
        out.append(_table(["reason", "count"], sorted(
            ([k, v] for k, v in (retries.get("reasons") or {}).items()), key=lambda r: -r[1]),
            numeric={1}))
        cond = c.get("conditional") or {}
        out.append("<h3>Conditional requests (fetching less)</h3>")
        if cond:
            keys = [k for k in cond if k != "enabled"]
            out.append(("<p>on</p>" if cond.get("enabled") else
                        '<p class="note">off for this run</p>') + _table(
                [k.replace("_", " ") for k in keys],
                [[charts.fmt_int(cond[k]) if isinstance(cond[k], int) else cond[k]
                  for k in keys]], numeric=set(range(len(keys)))))
        else:
            out.append('<p class="none">not reported</p>')
    unknown = Counter((c.get("unknown_labels") or {}) if f.crawl is not None else {})
    if not unknown and f.table is not None and "extra_fields" in f.table.column_names:
        for v in f.table["extra_fields"].to_pylist():
            unknown.update(k for k, _ in (v or []))
    out.append(f"<h3>Unknown labels ({len(unknown)})</h3>")
    out.append(_table(["label", "pages"], [[k, v] for k, v in unknown.most_common()],
                      numeric={1}))
    out.append(_lines_not_understood(c))
    out.append("</section>")
    return "".join(out)


def _short_source(source) -> str:
    """A URL as it is; a file path by its last two parts."""
    text = str(source or "?")
    if "://" in text:
        return text
    return "/".join(Path(text).parts[-2:])


def _lines_not_understood(c: dict) -> str:
    lines = c.get("lines_not_understood")
    head = "<h3>Lines not understood</h3>"
    if lines is None:
        return head + '<p class="none">not reported for this folder</p>'
    rows = []
    if isinstance(lines, dict):
        for k, v in lines.items():
            rows.append([k, v if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False)])
    elif isinstance(lines, list):
        for item in lines:
            if isinstance(item, dict):
                text = item.get("line") or item.get("text") or json.dumps(item, ensure_ascii=False)
                rest = {k: v for k, v in item.items() if k not in ("line", "text")}
                rows.append([text, ", ".join(f"{k}: {v}" for k, v in rest.items())])
            else:
                rows.append([item, ""])
    else:
        rows.append([lines, ""])
    return head + _table(["line", "where / count"], rows)


def _records_section(f: Folder, figs: list[str]) -> str:
    t = f.table
    out = ['<section id="records"><h2>Records</h2>']
    if t is None:
        return out[0] + '<p class="none">no dataset in this folder</p></section>'
    periods = _col(t, "programme_period")
    order = _period_order(periods)
    pc_ = Counter(periods)
    figs.append("by_period")
    out.append('<div class="grid">')
    out.append(_figure(charts.bars(order, [pc_[p if p != "(none)" else None] for p in order],
                                   title="Projects by programme period",
                                   colours=[charts.period_colour(p) for p in order]), "by_period"))

    keyed = [p if p is not None else "(none)" for p in periods]

    def by_period_of(values: list, top: int | None = None, names=None):
        values = [v if v is not None else "(none)" for v in values]
        pairs = Counter(zip(values, keyed, strict=True))
        if names is None:
            cats = Counter(v for v in values if v != "(none)")
            names = [k for k, _ in (cats.most_common(top) if top else sorted(cats.items()))]
            if "(none)" in values:
                names.append("(none)")
        return names, {p: [pairs[(n, p)] for n in names] for p in order}

    colours = {p: charts.period_colour(p) for p in order}
    names, series = by_period_of(_col(t, "region"), top=25)
    figs.append("by_region")
    out.append(_figure(charts.stacked_barh(names, series, title="Projects by region (top 25)",
                                           colours=colours), "by_region"))
    areas = [f"{a} · {p or '?'}" if a is not None else None
             for a, p in zip(_col(t, "programme_area"), periods, strict=True)]
    labels = {a: (lab if lab is None or len(lab) <= 32 else lab[:31] + "…")
              for a, lab in zip(areas, _col(t, "programme_area_label"), strict=True)}
    names = sorted({a for a in areas if a is not None}, key=lambda n: (n.split(" · ")[-1], n))
    names += ["(none)"] if None in areas else []
    names, series = by_period_of(areas, names=names)
    figs.append("by_area")
    out.append(_figure(charts.stacked_barh(
        [f"{n} {labels.get(n) or ''}".strip() for n in names], series,
        title="Projects by programme area (code · period)", colours=colours), "by_area"))
    years = [d.year if d is not None else None for d in _col(t, "start_date")]
    ys = sorted({y for y in years if y is not None})
    if ys:
        ys = list(range(ys[0], ys[-1] + 1))
    _, series = by_period_of(years, names=ys)
    figs.append("by_start_year")
    out.append(_figure(charts.stacked_bars(
        [str(y) for y in ys], series, title="Projects by start year (without a start date: "
        f"{sum(1 for y in years if y is None)})", colours=colours), "by_start_year"))
    out.append("</div></section>")
    return "".join(out)


def _money_section(f: Folder, figs: list[str]) -> str:
    t = f.table
    if t is None:
        return ""
    periods = _col(t, "programme_period")
    order = _period_order(periods)
    budget, grant = _col(t, "total_budget_sek"), _col(t, "esf_grant_sek")
    regions = _col(t, "region")
    out = ['<section id="money"><h2>Budgets and grants</h2><div class="grid">']
    figs.append("amounts")
    out.append(_figure(charts.amount_histogram(
        {"total budget": budget, "ESF grant": grant},
        title="Distribution of total budget and ESF grant"), "amounts",
        "Projects with an amount published; 2021–2027 pages publish no total budget."))
    colours = {"total budget": charts.BUDGET_COLOUR, "ESF grant": charts.GRANT_COLOUR}

    def total(values, key, keys):
        return sum((v or 0) for v, k in zip(values, keys, strict=True) if k == key)

    keyed = [p if p is not None else "(none)" for p in periods]
    figs.append("totals_by_period")
    out.append(_figure(charts.grouped_bars(
        order, {"total budget": [total(budget, p, keyed) for p in order],
                "ESF grant": [total(grant, p, keyed) for p in order]},
        title="Totals per programme period (MSEK)", colours=colours), "totals_by_period"))
    rkeys = [r if r is not None else "(none)" for r in regions]
    by_grant = sorted(set(rkeys), key=lambda r: -total(grant, r, rkeys))[:25]
    figs.append("totals_by_region")
    out.append(_figure(charts.stacked_barh(
        by_grant, {"ESF grant": [total(grant, r, rkeys) for r in by_grant]},
        title="ESF grant per region (MSEK, top 25)", colours=colours, money=True),
        "totals_by_region"))
    out.append("</div>")
    rows = []
    for p in order:
        n = sum(1 for k in keyed if k == p)
        nb = sum(1 for v, k in zip(budget, keyed, strict=True) if k == p and v is not None)
        ng = sum(1 for v, k in zip(grant, keyed, strict=True) if k == p and v is not None)
        rows.append([p, n, nb, charts.fmt_msek(total(budget, p, keyed)) if nb else "–", ng,
                     charts.fmt_msek(total(grant, p, keyed)) if ng else "–"])
    out.append(_table(["period", "projects", "with budget", "total budget", "with grant",
                       "ESF grant"], rows, numeric={1, 2, 3, 4, 5}))
    out.append("<h3>Per region</h3>")
    rrows = []
    for r in sorted(set(rkeys), key=lambda r: (-total(grant, r, rkeys), r)):
        nb = sum(1 for v, k in zip(budget, rkeys, strict=True) if k == r and v is not None)
        ng = sum(1 for v, k in zip(grant, rkeys, strict=True) if k == r and v is not None)
        rrows.append([r, sum(1 for k in rkeys if k == r),
                      charts.fmt_msek(total(budget, r, rkeys)) if nb else "–",
                      charts.fmt_msek(total(grant, r, rkeys)) if ng else "–"])
    out.append(_table(["region", "projects", "total budget", "ESF grant"], rrows,
                      numeric={1, 2, 3}))
    out.append("</section>")
    return "".join(out)


def _fill_section(f: Folder, figs: list[str]) -> str:
    if f.table is None:
        return ""
    from projektbank.extract.schema import COLUMNS

    periods, counts, rates = fill_by_period(f.table)
    shown = {}
    for col in COLUMNS:
        for p in [*periods, "all"]:
            shown[(col.name, f"{p} (n={counts[p]})")] = (
                rates[(col.name, p)] if published_in(col, p) else None)
    heads = [f"{p} (n={counts[p]})" for p in [*periods, "all"]]
    figs.append("fill_rates")
    known = any(getattr(c, "periods", None) is not None for c in COLUMNS)
    note = ("Hatched cells: the source does not publish that column in that period."
            if known else "Which period publishes which column is not yet in the schema: every "
            "cell is measured.")
    return ('<section id="fill"><h2>Fill rates per programme period</h2>'
            f'<p class="note">{esc(note)} Measured on the published table (history columns '
            'included).</p>'
            + _figure(charts.fill_heatmap([c.name for c in COLUMNS], heads, shown,
                                          title="Share of projects with a value"), "fill_rates")
            + "</section>")


def _messages_section(f: Folder, figs: list[str]) -> str:
    t = f.table
    if t is None:
        return ""
    ids = _col(t, "project_id")
    kinds: dict[tuple[str, str], list[str]] = defaultdict(list)
    per_col: Counter = Counter()
    for pid, msgs in zip(ids, _col(t, "validation_messages"), strict=True):
        for m in msgs or ():
            col, kind = message_kind(m)
            kinds[(col, kind)].append(pid)
            per_col[col] += 1
    out = ['<section id="messages"><h2>Validation messages</h2>']
    if not kinds:
        return out[0] + '<p class="none">no validation messages</p></section>'
    top = per_col.most_common(20)
    figs.append("messages")
    out.append(_figure(charts.stacked_barh(
        [k for k, _ in top], {"messages": [v for _, v in top]},
        title="Validation messages by column", colours={"messages": "#fe9929"},
        xlabel="messages"), "messages"))
    rows = sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    out.append(_table(["column", "kind", "messages", "projects (examples)"], [
        [col, kind, len(p), ", ".join(list(dict.fromkeys(p))[:EXAMPLES])]
        for (col, kind), p in rows], numeric={2}))
    out.append("</section>")
    return "".join(out)


def _history_section(f: Folder, figs: list[str]) -> str:
    if not f.snapshots and f.changes is None:
        return ""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = ['<section id="history"><h2>Crawl history</h2><div class="grid">']
    dates = [d.isoformat() for d in f.snapshots]
    per: dict[str, list[int]] = {}
    for k, path in enumerate(f.snapshots.values()):
        try:
            col = pq.read_table(path, columns=["programme_period"])["programme_period"]
            if pa.types.is_dictionary(col.type):
                col = col.cast(pa.string())
            counts = Counter(col.to_pylist())
        except Exception as exc:
            f.problems.append(f"snapshot {path} unreadable: {exc}")
            counts = Counter()
        for p, n in counts.items():
            per.setdefault(p or "(none)", [0] * len(dates))[k] = n
    order = [p for p in _period_order(list(per)) if p in per]
    figs.append("records_over_time")
    out.append(_figure(charts.dated_line(dates, {p: per[p] for p in order},
                                         title="Projects per crawl date",
                                         colours={p: charts.period_colour(p) for p in order}),
                       "records_over_time"))
    rows = f.changes.to_pylist() if f.changes is not None else []
    try:
        from projektbank.pipelines.history import CHANGE_KINDS
    except ImportError:
        CHANGE_KINDS = ("appeared", "disappeared", "changed")
    kinds = [*CHANGE_KINDS, *sorted({r["change"] for r in rows} - set(CHANGE_KINDS))]
    cdates = sorted({*dates, *(r["crawl_date"].isoformat() for r in rows)})
    by = Counter((r["crawl_date"].isoformat(), r["change"]) for r in rows)
    figs.append("changes_per_run")
    out.append(_figure(charts.stacked_bars(
        cdates, {k: [by[(d, k)] for d in cdates] for k in kinds},
        title="Changes per crawl (changed: one per changed column)", colours=charts.KIND_COLOURS,
        ylabel="changes"), "changes_per_run"))
    cols = Counter(r["column"] for r in rows if r["change"] == "changed")
    top = cols.most_common(15)
    figs.append("top_changed_columns")
    out.append(_figure(charts.stacked_barh(
        [k for k, _ in top], {"changed": [v for _, v in top]}, title="Most changed columns",
        colours={"changed": charts.KIND_COLOURS["changed"]}, xlabel="changes"),
        "top_changed_columns"))
    out.append("</div>")
    table_rows = [[d, *(by[(d, k)] for k in kinds),
                   len({r["project_id"] for r in rows if r["crawl_date"].isoformat() == d
                        and r["change"] == "changed"})] for d in reversed(cdates)]
    out.append(_table(["crawl date", *(k.replace("_", " ") if k != "changed" else
                                       "changed columns" for k in kinds), "changed projects"],
                      table_rows, numeric=set(range(1, len(kinds) + 2))))
    out.append("</section>")
    return "".join(out)


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
    body = [_safe(section, f, figs) for section in (
        _run_section, _records_section, _money_section, _fill_section, _messages_section,
        _history_section)]
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
