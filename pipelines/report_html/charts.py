"""Charts for report.html: matplotlib figures rendered as inline SVG (text kept as text).

Every function takes plain Python data and returns the SVG markup of one chart, ready to be
placed inside HTML: no XML declaration, no DOCTYPE, ids prefixed so several charts on one page
never share an id. Nothing here reads files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from itertools import count

PERIOD_COLOURS = {"2007-2013": "#8c6bb1", "2014-2020": "#2b8cbe", "2021-2027": "#41ab5d"}
OTHER_COLOUR = "#969696"
KIND_COLOURS = {"appeared": "#41ab5d", "changed": "#fe9929", "disappeared": "#d7301f",
                "fetch_failed": "#807dba"}
BUDGET_COLOUR, GRANT_COLOUR = "#6baed6", "#08519c"

_RC = {
    "svg.fonttype": "none",          # text stays text: small, crisp, searchable
    "svg.hashsalt": "projektbank",   # the same data gives the same file
    "font.size": 9,
    "font.family": ["DejaVu Sans", "sans-serif"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
}
_serial = count(1)


def period_colour(period: str | None) -> str:
    return PERIOD_COLOURS.get(period or "", OTHER_COLOUR)


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(fig) -> str:
    """The figure as SVG markup for inline use."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)   # RDF boilerplate
    prefix = f"c{next(_serial)}-"
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', text)
    return text


def _styled(fn):
    """Draw inside the report's rc settings (fonts, spines), whatever the caller's are."""
    def wrapper(*args, **kwargs):
        import matplotlib

        with matplotlib.rc_context(_RC):
            return fn(*args, **kwargs)
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _title(fig, ax, title: str) -> None:
    """A bold title at the figure's left edge (long tick labels never cut it)."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")


def _integers(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _no_data(ax, text: str = "no data") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#737373")
    ax.set_xticks([])
    ax.set_yticks([])


def fmt_int(n: float | int) -> str:
    return f"{int(round(n)):,}".replace(",", "\u202f")


def fmt_msek(n: float | int) -> str:
    value = n / 1e6
    return f"{value:,.1f}".replace(",", "\u202f") + " MSEK"


@_styled
def bars(labels: Sequence[str], values: Sequence[float], *, title: str, colours=None,
         xlabel: str = "", width: float = 5.0, money: bool = False) -> str:
    """Vertical bars with their value written above each bar."""
    fig = _figure(width, 2.8)
    ax = fig.add_subplot()
    _title(fig, ax, title)
    if not labels:
        _no_data(ax)
        return _svg(fig)
    x = range(len(labels))
    drawn = ax.bar(x, values, color=colours or OTHER_COLOUR, width=0.65)
    ax.bar_label(drawn, labels=[fmt_msek(v) if money else fmt_int(v) for v in values],
                 padding=2, fontsize=8)
    ax.set_xticks(list(x), labels)
    ax.set_xlabel(xlabel)
    ax.margins(y=0.15)
    if not money:
        _integers(ax.yaxis)
    return _svg(fig)


@_styled
def stacked_barh(categories: Sequence[str], series: dict[str, Sequence[float]], *, title: str,
                 colours: dict[str, str], xlabel: str = "projects", money: bool = False,
                 width: float = 6.5) -> str:
    """Horizontal bars, one per category, stacked by series (e.g. programme period)."""
    fig = _figure(width, 0.9 + 0.22 * max(len(categories), 3))
    ax = fig.add_subplot()
    _title(fig, ax, title)
    if not categories:
        _no_data(ax)
        return _svg(fig)
    y = list(range(len(categories)))
    left = [0.0] * len(categories)
    for name, values in series.items():
        scaled = [v / 1e6 for v in values] if money else list(values)
        ax.barh(y, scaled, left=left, color=colours.get(name, OTHER_COLOUR), label=name,
                height=0.7)
        left = [a + b for a, b in zip(left, scaled, strict=True)]
    for yi, total in zip(y, left, strict=True):
        ax.text(total, yi, "  " + (f"{total:,.1f}".replace(",", "\u202f") if money
                                   else fmt_int(total)), va="center", fontsize=8)
    ax.set_yticks(y, categories)
    ax.set_ylim(max(len(categories), 3) - 0.5, -0.5)   # a lone bar stays a bar, not a block
    ax.set_xlabel("MSEK" if money else xlabel)
    ax.margins(x=0.12)
    if not money:
        _integers(ax.xaxis)
    if len(series) > 1:
        fig.legend(loc="outside lower center", fontsize=8, ncols=len(series))
    return _svg(fig)


@_styled
def stacked_bars(categories: Sequence[str], series: dict[str, Sequence[float]], *, title: str,
                 colours: dict[str, str], ylabel: str = "projects", width: float = 6.5) -> str:
    """Vertical bars stacked by series (start years by period, changes by kind)."""
    fig = _figure(width, 2.8)
    ax = fig.add_subplot()
    _title(fig, ax, title)
    if not categories:
        _no_data(ax)
        return _svg(fig)
    x = list(range(len(categories)))
    bottom = [0.0] * len(categories)
    for name, values in series.items():
        ax.bar(x, values, bottom=bottom, color=colours.get(name, OTHER_COLOUR), label=name,
               width=0.7)
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    if not any(bottom):
        ax.text(0.5, 0.5, "none recorded", ha="center", va="center", transform=ax.transAxes,
                color="#737373")
        ax.set_ylim(0, 1)
    rotate = len(categories) > 8
    ax.set_xticks(x, categories, rotation=45 if rotate else 0, ha="right" if rotate else "center")
    ax.set_ylabel(ylabel)
    _integers(ax.yaxis)
    if any(bottom):
        ax.set_ylim(0, max(bottom) * 1.12)
    if len(series) > 1:
        fig.legend(fontsize=8, ncols=len(series), loc="outside lower center")
    return _svg(fig)


@_styled
def amount_histogram(series: dict[str, Sequence[int]], *, title: str) -> str:
    """Distribution of amounts on a log scale, one step outline per series."""
    import numpy as np

    fig = _figure(6.5, 2.8)
    ax = fig.add_subplot()
    _title(fig, ax, title)
    positive = {k: np.asarray([v for v in vals if v and v > 0], dtype=float)
                for k, vals in series.items()}
    allv = np.concatenate([v for v in positive.values() if len(v)] or [np.zeros(0)])
    if not len(allv):
        _no_data(ax, "no amounts published")
        return _svg(fig)
    lo, hi = np.log10(allv.min()), np.log10(allv.max())
    if hi - lo < 1:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.logspace(lo, hi, 30)
    for name, vals in positive.items():
        colour = BUDGET_COLOUR if "budget" in name else GRANT_COLOUR
        ax.hist(vals, bins=edges, histtype="stepfilled" if "budget" in name else "step",
                alpha=0.6 if "budget" in name else 1, color=colour, linewidth=1.5,
                label=f"{name} (n={fmt_int(len(vals))}, median {fmt_msek(np.median(vals))})"
                if len(vals) else f"{name} (none)")
    ax.set_xscale("log")
    ax.set_xlabel("SEK (log scale)")
    ax.set_ylabel("projects")
    fig.legend(fontsize=8, loc="outside lower center", ncols=1)
    _integers(ax.yaxis)
    return _svg(fig)


@_styled
def grouped_bars(categories: Sequence[str], series: dict[str, Sequence[float]], *, title: str,
                 colours: dict[str, str]) -> str:
    """Side-by-side bars per category (budget and grant per period), in MSEK."""
    fig = _figure(5.0, 2.8)
    ax = fig.add_subplot()
    _title(fig, ax, title)
    if not categories:
        _no_data(ax)
        return _svg(fig)
    n = max(len(series), 1)
    w = 0.8 / n
    for k, (name, values) in enumerate(series.items()):
        x = [i - 0.4 + w * (k + 0.5) for i in range(len(categories))]
        drawn = ax.bar(x, [v / 1e6 for v in values], width=w, label=name,
                       color=colours.get(name, OTHER_COLOUR))
        ax.bar_label(drawn, labels=[f"{v / 1e6:,.1f}".replace(",", "\u202f") if v else "–"
                                    for v in values], padding=2, fontsize=7)
    ax.set_xticks(list(range(len(categories))), categories)
    ax.set_ylabel("MSEK")
    fig.legend(fontsize=8, loc="outside lower center", ncols=len(series))
    ax.margins(y=0.12)
    return _svg(fig)


@_styled
def fill_heatmap(columns: Sequence[str], periods: Sequence[str],
                 rates: dict[tuple[str, str], float | None], *, title: str) -> str:
    """Column × period fill rates. A None rate: the period does not publish the column (drawn
    hatched grey, not as a failure)."""
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.patches import Patch, Rectangle

    fig = _figure(2.6 + 1.1 * max(len(periods), 1), 0.9 + 0.2 * max(len(columns), 1))
    ax = fig.add_subplot()
    _title(fig, ax, title)
    if not columns or not periods:
        _no_data(ax)
        return _svg(fig)
    cmap = LinearSegmentedColormap.from_list("fill", ["#fee8c8", "#f7fcb9", "#addd8e", "#238443"])
    for i, col in enumerate(columns):       # one vector rectangle per cell (no raster image)
        for j, per in enumerate(periods):
            r = rates.get((col, per))
            if r is None:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#f0f0f0",
                                       edgecolor="#bdbdbd", hatch="///", linewidth=0.5))
                ax.text(j, i, "not published", ha="center", va="center", fontsize=6.5,
                        color="#737373")
            else:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=cmap(r),
                                       edgecolor="#ffffff", linewidth=1))
                ax.text(j, i, f"{r:.0%}", ha="center", va="center", fontsize=7,
                        color="#000000" if r < 0.8 else "#ffffff")
    ax.set_xlim(-0.5, len(periods) - 0.5)
    ax.set_ylim(len(columns) - 0.5, -0.5)
    ax.set_xticks(range(len(periods)), periods)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(columns)), columns, fontsize=7.5)
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    if any(r is None for r in rates.values()):
        fig.legend(handles=[Patch(facecolor="#f0f0f0", edgecolor="#bdbdbd", hatch="///",
                                  label="not published in that period")],
                   loc="outside lower left", fontsize=7.5)
    return _svg(fig)


@_styled
def dated_line(dates: Sequence[str], series: dict[str, Sequence[float]], *, title: str,
               colours: dict[str, str]) -> str:
    """Records per crawl date: stacked area when there are several dates, bars for one."""
    fig = _figure(6.5, 2.6)
    ax = fig.add_subplot()
    _title(fig, ax, title)
    if not dates:
        _no_data(ax, "no snapshots")
        return _svg(fig)
    x = list(range(len(dates)))
    bottom = [0.0] * len(dates)
    for name, values in series.items():
        ax.bar(x, values, bottom=bottom, color=colours.get(name, OTHER_COLOUR), label=name,
               width=0.6)
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    ax.plot(x, bottom, color="#252525", marker="o", linewidth=1.2, markersize=3)
    for xi, total in zip(x, bottom, strict=True):
        ax.annotate(fmt_int(total), (xi, total), textcoords="offset points", xytext=(0, 4),
                    ha="center", fontsize=8)
    ax.set_xticks(x, dates, rotation=30 if len(dates) > 4 else 0,
                  ha="right" if len(dates) > 4 else "center")
    ax.set_ylabel("projects")
    ax.set_ylim(0, max(max(bottom), 1) * 1.18)
    _integers(ax.yaxis)
    fig.legend(fontsize=8, ncols=max(len(series), 1), loc="outside lower center")
    return _svg(fig)
