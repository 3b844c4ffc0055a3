"""Which project a page is: its id, programme period and name, from the block, the heading and
the URL (the source's id forms: extract/identifiers.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from projektbank.extract import identifiers as ids
from projektbank.extract.normalize import clean_text
from projektbank.extract.schema import (
    ESF_2007_ONLY_LABELS,
    ESF_2014_ONLY_LABELS,
    ESF_PLUS_ONLY_LABELS,
    P0713,
    P1420,
    P2127,
)


def identify(rec: dict, messages: list[str], ignored_labels: list[str], url: str,
             title: str | None, glued: bool) -> None:
    """Set `project_id`, `programme_period` and `project_name` where the block left them empty,
    and name every disagreement in `messages`. `glued`: the block glued labels to values (a
    2007–2013 rendering)."""
    m = ids.TITLE_WITH_DNR.match(title or "")
    title_dnr, title_name = (m.group("dnr"), m.group("name").strip()) if m else (None, None)
    if rec["project_id"] is None:
        # `?dnr=2019/00492` and `?dnr=2019%2F00492` are one project
        rec["project_id"] = title_dnr or ids.dnr_of(url)
    elif title_dnr and title_dnr != rec["project_id"]:
        messages.append(f"project_id: heading says {title_dnr}, block says {rec['project_id']}")
    raw_labels = set(rec["fields_raw"]) | set(ignored_labels)
    published = rec["programme_period"]  # `Programperiod:`, when the page has it
    by_dnr = ids.period_of_diarienummer(rec["project_id"])
    old = ids.old_site_path(urlsplit(url).path if "://" in url else url)
    by_labels = None
    if by_dnr is None or published:
        if glued or old or raw_labels & ESF_2007_ONLY_LABELS:
            by_labels = P0713
        elif raw_labels & ESF_PLUS_ONLY_LABELS:
            by_labels = P2127
        elif raw_labels & ESF_2014_ONLY_LABELS:
            by_labels = P1420
    # the diarienummer's form is the strongest evidence, then the page's own word
    period = by_dnr or published or by_labels
    inferred = by_dnr or by_labels
    if published and inferred and published != inferred:
        messages.append(f"programme_period: 'Programperiod' says {published}, the "
                        f"{'diarienummer' if by_dnr else 'label set'} says {inferred}")
    rec["programme_period"] = period
    if rec["project_name"] is None:
        name = title_name or (title if _heading_is_name(title) else None)
        rec["project_name"] = clean_text(name) if name else None
    if rec["project_id"] is None and period == P0713:
        if old:
            rec["project_id"] = ids.old_site_project_id(old)
        elif rec["project_name"]:
            rec["project_id"] = ids.heading_project_id(rec["project_name"])
            messages.append("project_id: no old-site URL; derived from the heading")
    for name in ("project_id", "programme_period", "project_name"):
        if rec[name] is None:
            messages.append(f"{name}: missing")


# Headings that name the page, not the project (an ESF+ layout's heading is just `Projekt`).
_GENERIC_HEADINGS = frozenset({
    "projekt", "projektet", "projektbanken", "projektfakta", "fakta om projektet", "om projektet",
    "projektinformation", "projektdetaljer", "projektbeskrivning", "sammanfattning", "resultat"})


def _heading_is_name(title: str | None) -> bool:
    """Without `Namn`, the heading names the project (2007–2013 and the 2016–2020 site), unless
    it is a generic one or just a diarienummer."""
    if not title or len(title) > 200:
        return False
    t = clean_text(title).strip()
    return (sum(ch.isalpha() for ch in t[:10]) >= 2 and "@" not in t and not t.endswith(":")
            and t.casefold() not in _GENERIC_HEADINGS and not ids.DNR_ANY.fullmatch(t))
