"""The sample fixtures (`samples/**/<name>.expected.json`) against what the extractor gives now.

    python bench/parse_fixtures.py            # list the fixtures that differ (exit 1 if any)
    python bench/parse_fixtures.py --update   # rewrite them from the extractor, deliberately

A fixture pins every column of its page's record (as web-poet's fixtures do), or names the
columns it leaves out under `"not_pinned": {"<column>": "<why>"}`; tests/test_samples.py and
tests/test_unseen.py check each column and that none is missing. Besides the columns a fixture
holds `validation_columns` (the columns parse_page's own messages name, not the enrichment's
cross-checks) and, for a page that must give no record, `"reject": true` and its
`reject_reason`.

`--update` keeps a value as written wherever the tests already accept it (a hand-written
`60` for `60.0`, a map in another key order), so its diff shows exactly what the extractor now
says differently, and nothing when it says the same. Read that diff before committing it: the
hand-written values are the expectations of a perfect extractor, not of this one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import SAMPLES, extract_sample, jsonable  # noqa: E402  (how the tests read pages)
from projektbank.extract.schema import COLUMN_NAMES  # noqa: E402
from test_samples import FIXTURE_KEYS  # noqa: E402  (the keys of a fixture that are no column)

PAGE_SUFFIXES = (".html", ".htm", ".txt")
VALIDATION, NOT_PINNED, REJECT, REJECT_REASON = FIXTURE_KEYS


def fixtures() -> list[tuple[Path, Path]]:
    """(expected file, its page) for every sample with expectations (the site copy has none)."""
    out = []
    for exp in sorted(SAMPLES.rglob("*.expected.json")):
        if "site" in exp.relative_to(SAMPLES).parts:
            continue
        stem = exp.name[: -len(".expected.json")]
        pages = [p for p in exp.parent.glob(stem + ".*") if p.suffix in PAGE_SUFFIXES]
        if len(pages) != 1:
            raise SystemExit(f"{exp}: expected one page beside it, found {len(pages)}")
        out.append((exp, pages[0]))
    return out


def _same(a, b) -> bool:
    """Equal as the field tests compare (a float within pytest.approx's default tolerance)."""
    if isinstance(a, float) or isinstance(b, float):
        return (isinstance(a, int | float) and isinstance(b, int | float)
                and abs(a - b) <= max(1e-12, 1e-6 * abs(b)))
    return a == b


def regenerated(old: dict, page: Path) -> dict:
    """The fixture as the extractor fills it now; values the tests accept are kept as written."""
    ex = extract_sample(page)
    if ex.record is None:
        return {REJECT: True, REJECT_REASON: ex.reject_reason}
    skip = old.get(NOT_PINNED, {})
    new: dict = {}
    for column in COLUMN_NAMES:
        if column in skip:
            continue
        value = jsonable(ex.record[column])
        new[column] = old[column] if column in old and _same(old[column], value) else value
    own = [m for m in ex.record["validation_messages"] if m not in ex.enrichment_messages]
    columns = sorted({m.split(":", 1)[0] for m in own})
    new[VALIDATION] = old[VALIDATION] if set(old.get(VALIDATION, ())) == set(columns) else columns
    if skip:
        new[NOT_PINNED] = skip
    return new


def dump(fixture: dict) -> str:
    return json.dumps(fixture, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="rewrite the fixtures that differ")
    args = ap.parse_args()
    changed = []
    for exp, page in fixtures():
        text = exp.read_text(encoding="utf-8")
        new = dump(regenerated(json.loads(text), page))
        if new != text:
            changed.append(exp)
            if args.update:
                exp.write_text(new, encoding="utf-8")
    verb = "rewrote" if args.update else "differ"
    for exp in changed:
        print(f"{verb}: {exp.relative_to(ROOT)}")
    print(f"{len(fixtures())} fixtures, {len(changed)} {verb}")
    sys.exit(1 if changed and not args.update else 0)


if __name__ == "__main__":
    main()
