"""The data dictionary (docs/fields.md), generated from the one schema.

    python -m projektbank.pipelines.data_dictionary          # rewrite docs/fields.md
    python -m projektbank.pipelines.data_dictionary --check  # exit 1 when docs/fields.md is stale

A test runs the check, so the committed dictionary never drifts from extract/schema.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from projektbank.extract.schema import (
    ALL_PERIODS,
    COLUMNS,
    PERIOD_LABEL,
    PERSONAL_LABELS,
    arrow_type_name,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "fields.md"

GROUPS = {
    "field": "read from the label/value block",
    "derived": "derived from the page (heading, URL, label set, free text)",
    "enrichment": "from the code lists and the description",
    "provenance": "where and when the page was fetched",
    "history": "from the crawl history (snapshots); null in a one-off extract",
    "audit": "what was published and what looked wrong",
}


def render() -> str:
    out = [
        "# Data dictionary: `projects.parquet` / `projects.csv`",
        "",
        "Generated from `extract/schema.py` by `python -m projektbank.pipelines.data_dictionary`; do not edit "
        "by hand. The same information is written beside every dataset as `schema.json`, and "
        "each Parquet field carries its description in its field metadata.",
        "",
        "One row per project (the newest fetch of each `project_id`), sorted by `project_id`. "
        "CSV: the same columns in the same order; list and map columns as JSON text; dates "
        "`YYYY-MM-DD`; timestamps ISO 8601 with `Z`; a text cell starting with `=`, `+`, `-`, "
        "`@`, tab or CR is prefixed with `'` so spreadsheets do not run it (Parquet keeps it "
        "verbatim).",
        "",
        "Where normalization changes a value, the published text stays in `fields_raw`. "
        f"`{PERIOD_LABEL}` is split into `start_date` and `end_date`. Personal data "
        f"({', '.join(f'`{x}`' for x in PERSONAL_LABELS)}) is recognised and not written.",
        "",
    ]
    out += ["## Columns", "", "In output order. Kinds: " + "; ".join(
        f"*{k}*: {v}" for k, v in GROUPS.items()) + ".", "",
        "| column | type | kind | Swedish source label(s) | description |",
        "|---|---|---|---|---|"]
    for c in COLUMNS:
        labels = ", ".join(f"`{x}`" for x in c.labels) or "–"
        desc = c.description.replace("|", "\\|")
        if c.codelist:
            desc += f" Code list: {', '.join(f'`{x.strip()}`' for x in c.codelist.split(','))}."
        out.append(f"| `{c.name}` | {arrow_type_name(c)} | {c.group} | {labels} | {desc} |")
    out.append("")
    out += periods_markdown()
    try:
        from projektbank.extract.codelists import codelists_markdown
    except ImportError:
        codelists_markdown = None
    if codelists_markdown is not None:
        out += [codelists_markdown().rstrip(), ""]
    return "\n".join(out)


def periods_markdown() -> list[str]:
    """Column × programme period: where the source publishes (or the extractor derives) it."""
    out = ["## Columns by programme period", "",
           "Which programme periods' pages publish each column (`Column.periods` in "
           "`extract/schema.py`); columns derived for every page (provenance, audit) list all "
           "three. A fill rate per period (`pipelines/fill_rate.py`) is only meaningful where "
           "the period publishes the column.", "",
           "| column | " + " | ".join(ALL_PERIODS) + " |",
           "|---|" + "---|" * len(ALL_PERIODS)]
    for c in COLUMNS:
        out.append(f"| `{c.name}` | " + " | ".join("✓" if p in c.periods else "–"
                                                     for p in ALL_PERIODS) + " |")
    out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is stale: run python -m projektbank.pipelines.data_dictionary", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
