"""The sections of report.html, drawn from a data.Folder: the run, records, budgets and
grants, fill rates, validation messages and the crawl history. Each takes the folder and the
list of figures drawn so far (the page counts them) and returns its HTML.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from pathlib import Path

from projektbank.pipelines.report_html import charts
from projektbank.pipelines.report_html.data import (
    Folder,
    column_values,
    fill_by_period,
    message_kind,
    period_order,
    published_in,
    reason_kind,
)

MAX_ROWS = 50          # rows shown per table
EXAMPLES = 3           # example project ids per validation message kind


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
def run_section(f: Folder, figs: list[str]) -> str:
    c = f.crawl or {}
    status = c.get("status") or ("published" if f.table is not None else "no dataset")
    badge = "ok" if status == "published" else "bad"
    out = [f'<section id="run"><h2>The run <span class="badge {badge}">{esc(status)}</span></h2>',
           _kv(_run_facts(f, c, status))]
    if f.problems:
        out.append("<ul class='problems'>" + "".join(f"<li>{esc(p)}</li>" for p in f.problems)
                   + "</ul>")
    out.append(_rejects_by_reason(f, c, figs))
    if f.crawl is not None:
        out.append(_crawl_requests(c))
    out.append(_unknown_labels(f, c))
    out.append(_lines_not_understood(c))
    out.append("</section>")
    return "".join(out)


def _run_facts(f: Folder, c: dict, status: str) -> list[tuple[str, object]]:
    records = f.table.num_rows if f.table is not None else c.get("records")
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
    return items


def _rejects_by_reason(f: Folder, c: dict, figs: list[str]) -> str:
    reasons = Counter(reason_kind(r.get("reason")) for r in f.rejects)
    if not reasons and c.get("reject_reasons"):
        reasons = Counter({reason_kind(k): v for k, v in c["reject_reasons"].items()})
    out = ["<h3>Rejects by reason</h3>"]
    if not reasons:
        return out[0] + '<p class="none">no rejects</p>'
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
    return "".join(out)


def _crawl_requests(c: dict) -> str:
    """A crawl's failures, retries and conditional requests."""
    fails = c.get("failures") or []
    out = [f"<h3>Failures ({len(fails)})</h3>",
           _table(["url", "kind", "reason", "attempts"],
                  [[x.get("url"), x.get("kind"), x.get("reason"), x.get("attempts")]
                   for x in fails], numeric={3})]
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
    return "".join(out)


def _unknown_labels(f: Folder, c: dict) -> str:
    unknown = Counter((c.get("unknown_labels") or {}) if f.crawl is not None else {})
    if not unknown and f.table is not None and "extra_fields" in f.table.column_names:
        for v in f.table["extra_fields"].to_pylist():
            unknown.update(k for k, _ in (v or []))
    return (f"<h3>Unknown labels ({len(unknown)})</h3>"
            + _table(["label", "pages"], [[k, v] for k, v in unknown.most_common()], numeric={1}))


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


def records_section(f: Folder, figs: list[str]) -> str:
    t = f.table
    out = ['<section id="records"><h2>Records</h2>']
    if t is None:
        return out[0] + '<p class="none">no dataset in this folder</p></section>'
    periods = column_values(t, "programme_period")
    order = period_order(periods)
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
    names, series = by_period_of(column_values(t, "region"), top=25)
    figs.append("by_region")
    out.append(_figure(charts.stacked_barh(names, series, title="Projects by region (top 25)",
                                           colours=colours), "by_region"))
    areas = [f"{a} · {p or '?'}" if a is not None else None
             for a, p in zip(column_values(t, "programme_area"), periods, strict=True)]
    labels = {a: (lab if lab is None or len(lab) <= 32 else lab[:31] + "…")
              for a, lab in zip(areas, column_values(t, "programme_area_label"), strict=True)}
    names = sorted({a for a in areas if a is not None}, key=lambda n: (n.split(" · ")[-1], n))
    names += ["(none)"] if None in areas else []
    names, series = by_period_of(areas, names=names)
    figs.append("by_area")
    out.append(_figure(charts.stacked_barh(
        [f"{n} {labels.get(n) or ''}".strip() for n in names], series,
        title="Projects by programme area (code · period)", colours=colours), "by_area"))
    years = [d.year if d is not None else None for d in column_values(t, "start_date")]
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


def money_section(f: Folder, figs: list[str]) -> str:
    t = f.table
    if t is None:
        return ""
    periods = column_values(t, "programme_period")
    order = period_order(periods)
    budget, grant = column_values(t, "total_budget_sek"), column_values(t, "esf_grant_sek")
    regions = column_values(t, "region")
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


def fill_section(f: Folder, figs: list[str]) -> str:
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


def messages_section(f: Folder, figs: list[str]) -> str:
    t = f.table
    if t is None:
        return ""
    ids = column_values(t, "project_id")
    kinds: dict[tuple[str, str], list[str]] = defaultdict(list)
    per_col: Counter = Counter()
    for pid, msgs in zip(ids, column_values(t, "validation_messages"), strict=True):
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


def history_section(f: Folder, figs: list[str]) -> str:
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
    order = [p for p in period_order(list(per)) if p in per]
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
