"""A second, independent offline copy of the project bank, for a blind crawl test.

It shares nothing with `samples/site/` or `crawler/mirror.py`: the pages are rendered on request
by a small `http.server` of its own, which logs every request (robots.txt included).

What it has that the bundled copy does not:

- a list whose pagination changes scheme half way: `?sida=1..4` (numbered links, `rel=next`,
  `Nästa`/`Föregående`), then WordPress-style `/resultat/projektbanken/page/5/` … `/page/7/`;
  `/page/5/` has a `<base href>` and relative detail links, `/page/6/` and `/page/7/` use
  `../../projekt/?dnr=…`; after the last real page an endless, calendar-like run of empty pages
  (`/page/8/` → `/page/9/` → …, each with `rel=next`, `Nästa` and numbered links);
- a filter sidebar with a few hundred combinations (`Startår`, `Region`, `Programområde=A,B`,
  `Antal deltagare`, `Projektbudget`, `ESF-stöd`, sort orders, `Startår`+`Region`, filters with
  `sida=`), a search form, a "Visa alla" link and a calendar (`/kalender/?manad=…`, endless);
  every filter URL answers 200 with a full list page, so following them fans out;
- detail links with `&lang=sv`, `&utm_…`, `?utm_source=x&dnr=…`, `#top`, `%2F`, an absolute
  same-host URL, `projekt?dnr=…` without the slash (301 to the slash), links to
  `https://www.example.org/…` and to `http://localhost:PORT/…` (another host name);
- robots.txt with a group for another bot (`Disallow: /`, must not apply), disallowing the
  archive (`/resultat/projektbanken/arkiv/`, linked with numbered links and detail-like URLs),
  `?dnr=25-9…` detail pages, and an old-site region; `Sitemap:` points at a sitemap *index*;
- detail pages: 404, 500 forever, 503 once, a 200 "not found" template, a renumbered project
  (301 to another `?dnr=`), gzip (`Content-Encoding`), `charset=windows-1252` in the header
  only, a slow page (2.5 s), ETag/Last-Modified with 304 answers;
- 2007–2013 pages on the old site's paths, a region container page, and copies of the sample
  pages (`samples/pages`, `samples/unseen`) under new diarienummer and names.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
DETAIL_PATH = "/resultat/projektbanken/projekt/"
LIST_PATH = "/resultat/projektbanken/"
OLD_BASE = "/sv/Resultat/Projektbanken/Behallare-for-projekt/"
SLOW_SECONDS = 2.5
TRAP_LIMIT = 400  # /page/N/ answers 404 beyond this (so a runaway crawl still ends)

REGIONS = [("Övre Norrland", "SE33"), ("Mellersta Norrland", "SE32"),
           ("Norra Mellansverige", "SE31"), ("Östra Mellansverige", "SE12"),
           ("Stockholm", "SE11"), ("Västsverige", "SE23"), ("Småland och öarna", "SE21"),
           ("Sydsverige", "SE22")]
TOWNS = [("Luleå", "97231"), ("Östersund", "83131"), ("Falun", "79171"), ("Uppsala", "75320"),
         ("Stockholm", "11120"), ("Göteborg", "41104"), ("Växjö", "35230"), ("Malmö", "21120")]
OWNERS = ["Luleå kommun", "Region Jämtland Härjedalen", "Falu kommun", "Uppsala kommun",
          "Stockholms stad", "Göteborgs Stad", "Växjö kommun", "Malmö stad"]
NAMES = ["Vägen vidare", "Kompetenslyft i vården", "Nya steg mot arbete", "Språk och jobb",
         "Unga in", "Digitalt lärande på arbetsplatsen", "Tillsammans mot arbete",
         "Grön omställning i industrin", "Stärkt vägledning", "Lärlingsvägen", "Hälsa och arbete",
         "Fokus framtid", "Validering nu", "Kraftsamling norr", "Jämställd arbetsplats",
         "Brobygget", "Mötesplats jobb", "Nästa nivå", "Inkludering i praktiken",
         "Framtidens omsorg", "Yrkessvenska", "Starka familjer", "Arbetsliv för alla",
         "Trygg start", "Kliv in", "Steg för steg", "Kompetens i glesbygd", "Omställning syd"]
TYPE_CODES = ["140", "150", "163", "175", "136", "138"]


def luhn_orgnr(base9: str) -> str:
    """A Swedish organisation number NNNNNN-NNNN with a valid check digit."""
    total = 0
    for i, ch in enumerate(base9):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return f"{base9[:6]}-{base9[6:]}{(10 - total % 10) % 10}"


def sek(n: int) -> str:
    return f"{n:,}".replace(",", " ")


@dataclass
class Project:
    key: str                     # dnr, or "Region/Slug" for 2007–2013
    period: str                  # "esfplus" | "esf1420" | "esf0713"
    name: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    markup: str = "dl"
    description: list[str] = field(default_factory=list)
    copy_of: Path | None = None  # a sample page, re-numbered
    copy_from: tuple[str, str] = ("", "")  # (old dnr, old name)
    copy_extra: tuple[tuple[str, str], ...] = ()  # more (old, new) byte replacements
    charset: str = "utf-8"
    gzip: bool = False
    slow: bool = False

    @property
    def project_id(self) -> str:
        if self.period == "esf0713":
            return "ESF0713:" + self.key.lower()
        return self.key

    @property
    def path(self) -> str:
        if self.period == "esf0713":
            return OLD_BASE + self.key + "/"
        return DETAIL_PATH + "?dnr=" + self.key


def esfplus(i: int, dnr: str, markup: str) -> Project:
    region, nuts = REGIONS[i % len(REGIONS)]
    town, postnr = TOWNS[i % len(TOWNS)]
    name = NAMES[i % len(NAMES)] + f" {town}"
    start = f"20{dnr[:2]}-{1 + i % 12:02d}-01"
    end = f"20{int(dnr[:2]) + 2}-{1 + i % 12:02d}-28"
    fields = [
        ("Diarienummer", dnr), ("Namn", name), ("Projektägare", OWNERS[i % len(OWNERS)].upper()),
        ("Projektägare organisationsnummer", luhn_orgnr(f"2120{i:05d}")),
        ("Startdatum", start), ("Slutdatum", end),
        ("Programområde", "ABCDE"[i % 5]), ("Specifikt mål", ["A1", "A2A", "B1", "C1", "D1"][i % 5]),
        ("Region", region), ("NUTS-2 kod", nuts), ("Antal deltagare", str(20 + 7 * i)),
        ("Unionens medfinansieringsgrad", ["40%", "60%", "90%"][i % 3]),
        ("Land som berörs", "Sverige"), ("Berörd fond", "ESF+"), ("Program CCI", "2021SE05SFPR"),
        ("Stödmottagare postnr", postnr), ("Stödmottagare ort", town),
        ("Interventionstyp", TYPE_CODES[i % len(TYPE_CODES)]),
        ("Insats av strategisk betydelse", "Nej" if i % 4 else "Ja"),
    ]
    if i % 3 == 0:  # label order differs between pages
        fields = fields[3:] + fields[:3]
    desc = [f"Projektet {name} ska ge fler deltagare i {town} en väg till arbete eller studier.",
            f"Insatserna genomförs tillsammans med arbetsförmedlingen och {OWNERS[(i + 1) % 8]}."]
    return Project(dnr, "esfplus", name, fields, markup, desc)


def esf1420(i: int, dnr: str, markup: str) -> Project:
    region, _nuts = REGIONS[(i + 3) % len(REGIONS)]
    town, postnr = TOWNS[(i + 3) % len(TOWNS)]
    name = NAMES[(i + 11) % len(NAMES)] + f" {dnr[:4]}"
    year = int(dnr[:4])
    budget = 1_000_000 + 137_000 * i
    fields = [
        ("Projektnummer", dnr), ("Projektägare", OWNERS[(i + 3) % 8]), ("Namn", name),
        ("Region", region), ("Planerat antal deltagare", str(10 + 3 * i)),
        ("Projektperiod", f"{year}-0{1 + i % 9}-01 - {year + 2}-12-31"),
        ("Total projektbudget", sek(budget)), ("Beviljat ESF-stöd", sek(budget // 2)),
        ("Kontaktperson", "[namn]"), ("E-post", "[e-post]@example.se"),
        ("Stödmottagare postnr", postnr), ("Stödmottagarens address", ""),
        ("Programområde", str(1 + i % 3)), ("Specifikt mål", ["1.1", "1.2", "2.1", "3.1"][i % 4]),
        ("Unionens medfinansieringsgrad", "50%"), ("Interventionstyp", ["109", "116", "118"][i % 3]),
    ]
    desc = [f"{name} riktar sig till personer som står långt från arbetsmarknaden i {town}.",
            "Projektet arbetar med kartläggning, praktik och individuell coachning."]
    return Project(dnr, "esf1420", name, fields, markup, desc)


def esf0713(i: int, region: str, slug: str) -> Project:
    name = slug.replace("-", " ")
    amount = 300_000 + 50_000 * i
    fields = [
        ("Programområde", f"Programområde {1 + i % 2} Kompetensförsörjning"),
        ("Projektfas", ["Förprojektering", "Genomförande"][i % 2]),
        ("Projektägare", OWNERS[i % 8]), ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@example.se"), ("Telefonnummer", "[nummer]"),
        ("Beviljat ESF-stöd", f"{sek(amount)} kr"), ("Total projektbudget", f"{sek(2 * amount)} kr"),
        ("Projektperiod", f"2009-0{1 + i}-01 till 2011-0{1 + i}-28"),
        ("Region", region.replace("-", " ")),
    ]
    desc = [f"{name} ska stärka kompetensen hos anställda i regionen.",
            "Projektet bygger på en förstudie från 2008."]
    return Project(f"{region}/{slug}", "esf0713", name, fields, "adj", desc)


# ---------------------------------------------------------------- page rendering

CHROME_TOP = """<div class="cookie-notice"><p>Den här hemsidan använder cookies för att säkerställa
bästa möjliga upplevelse på vår webb.</p><a href="/om-webbplatsen/cookies/">Lär dig mer</a></div>
<header class="site-header"><a class="logo" href="/">Svenska ESF-rådet</a>
<nav class="main-navigation"><ul class="menu"><li><a href="/utlysningar/">Utlysningar</a></li>
<li><a href="/resultat/">Resultat</a></li><li><a href="/resultat/projektbanken/">Projektbanken</a></li>
<li><a href="/om-oss/">Om oss</a></li><li><a href="/kontakt/">Kontakt</a></li></ul></nav></header>
"""
CHROME_FOOT = """<footer class="site-footer"><p>Svenska ESF-rådet · Box 47141 · 100 74 Stockholm</p>
<p>Telefon: 08-579 171 00 · E-post: <a href="mailto:esf@esf.se">esf@esf.se</a></p>
<p><a href="/om-webbplatsen/">Om webbplatsen</a> · <a href="/kalender/?manad=2025-04">Kalender</a></p>
</footer>"""


def e(s: str) -> str:
    return html.escape(s, quote=True)


def render_block(p: Project) -> str:
    f = p.fields
    if p.markup == "dl":
        rows = "".join(f"<dt>{e(k)}:</dt><dd>{e(v)}</dd>\n" for k, v in f)
        return f'<dl class="project-facts">\n{rows}</dl>'
    if p.markup == "table":
        rows = "".join(f"<tr><th>{e(k)}:</th><td>{e(v)}</td></tr>\n" for k, v in f)
        return f'<table class="projektfakta"><tbody>\n{rows}</tbody></table>'
    if p.markup == "pstrong":
        return "\n".join(f"<p><strong>{e(k)}:</strong> {e(v)}</p>" for k, v in f)
    if p.markup == "divspan":
        return "\n".join(f'<div class="field"><span class="field-label">{e(k)}:</span> '
                         f'<span class="field-value">{e(v)}</span></div>' for k, v in f)
    # 2007–2013: label and value adjacent, no colon
    rows = "".join(f'<div class="row"><span class="lbl">{e(k)}</span><span class="val">{e(v)}</span>'
                   f"</div>\n" for k, v in f)
    return f'<div class="projectfacts">\n{rows}</div>'


def render_project(p: Project, origin: str) -> bytes:
    if p.copy_of is not None:
        return render_copy(p)
    title = p.name if p.period == "esf0713" else f"{p.key} - {p.name}"
    meta = "" if p.charset != "utf-8" else '<meta charset="utf-8">'
    desc = "\n".join(f"<p>{e(d)}</p>" for d in p.description)
    if p.period == "esf0713":
        desc = '<p class="inEnglish"><a href="/en/">In English</a></p>\n<h2>Sammanfattning</h2>\n' + desc
    page = f"""<!DOCTYPE html>
<html lang="sv"><head>{meta}<title>{e(title)} - Svenska ESF-rådet</title>
<link rel="canonical" href="{origin}{e(p.path)}"></head>
<body>{CHROME_TOP}<nav class="breadcrumbs"><a href="/">Start</a> › <a href="/resultat/projektbanken/">Projektbanken</a></nav>
<main id="main"><article class="esf-projekt">
<h1>{e(title)}</h1>
{render_block(p)}
<div class="project-description">
{desc}
</div>
<div class="share-box"><a href="https://www.facebook.com/sharer.php?u=x">Dela</a></div>
</article></main>
{CHROME_FOOT}</body></html>
"""
    return page.encode(p.charset)


def render_copy(p: Project) -> bytes:
    body = p.copy_of.read_bytes()
    old, new = p.copy_from[0], p.key
    body = body.replace(old.encode(), new.encode())
    if "/" in old:
        body = body.replace(old.replace("/", "%2F").encode(), new.replace("/", "%2F").encode())
    for a, b in p.copy_extra:
        body = body.replace(a.encode(), b.encode())
    old_name = p.copy_from[1]
    for variant in {old_name, html.escape(old_name, quote=False)}:
        body = body.replace(variant.encode(), p.name.encode())
    return body


NOT_FOUND_TEMPLATE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">
<title>Projektet kunde inte hittas - Svenska ESF-rådet</title></head><body>{chrome}
<main><h1>Projektet kunde inte hittas</h1>
<p>Det finns inget projekt med diarienummer {dnr} i projektbanken. Kontrollera numret.</p>
<form action="/resultat/projektbanken/" method="get"><label for="q">Sök projekt:</label>
<input id="q" name="s" type="search"><button type="submit">Sök</button></form></main>
{foot}</body></html>"""

PAGE_404 = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Sidan finns inte</title>
</head><body><h1>404 – sidan finns inte</h1><p><a href="/">Till startsidan</a></p></body></html>"""


# ---------------------------------------------------------------- the site

@dataclass
class Link:
    href: str
    text: str


class Site:
    """Holds the projects, the list layout and the faults; `week` changes the content."""

    PER_PAGE = 8
    SIDA_PAGES = 4       # ?sida=1..4
    WP_PAGES = (5, 6, 7)  # /page/5/ .. /page/7/
    FORWARD = {1: "numbered", 2: "nasta", 3: "head", 4: "arel", 5: "numbered", 6: "nasta"}

    def __init__(self, small: bool = False):
        self.small = small
        self.week = 1
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.build()

    # ---- content
    def build(self) -> None:
        ps: list[Project] = []
        markups = ["dl", "table", "pstrong", "divspan"]
        esfp_ids = ["22-131-S01", "22-132-S02", "22-138-S05", "22-146-S03", "23-105-S01",
                    "23-119-S04", "23-122-S02", "23-127-S07", "24-108-S01", "24-115-S03",
                    "24-142-S06", "24-151-S02", "25-103-S01", "25-112-S04", "22-160-S10",
                    "23-161-S01", "24-166-S02", "25-168-S03"]
        e1420_ids = ["2015/01021", "2015/01077", "2016/01102", "2016/01163", "2017/01204",
                     "2017/01288", "2018/01118", "2018/01342", "2019/01401", "2019/01455",
                     "2020/01511", "2020/01590"]
        old = [("Stockholm", "Vardlyftet-Sodertorn"), ("Skane", "Nya-vagar-Malmo"),
               ("Norra-Mellansverige", "Bergslagens-kompetens"), ("Vastsverige", "Hamnjobb-Goteborg"),
               ("Ovre-Norrland", "Fjallkompetens")]
        if self.small:
            esfp_ids, e1420_ids, old = esfp_ids[:5], e1420_ids[:4], old[:1]
        for i, dnr in enumerate(esfp_ids):
            ps.append(esfplus(i, dnr, markups[i % 4]))
        for i, dnr in enumerate(e1420_ids):
            ps.append(esf1420(i, dnr, markups[(i + 1) % 4]))
        for i, (r, s) in enumerate(old):
            ps.append(esf0713(i, r, s))
        if not self.small:
            ps += self.copies()
        self.listed = ps  # linked from the list pages, in this order

        # special projects (not in the plain listing, or with special serving)
        self.specials: dict[str, Project] = {}
        if not self.small:
            slow = esfplus(40, "23-133-S03", "dl")
            slow.slow = True
            gz = esfplus(41, "22-177-S07", "table")
            gz.gzip = True
            cp = esf1420(42, "2017/01252", "pstrong")
            cp.name = "Återstart för äldre i Örebro"
            cp.fields[2] = ("Namn", cp.name)
            cp.charset = "windows-1252"
            flaky = esfplus(43, "22-153-S01", "divspan")
            renumbered = esf1420(44, "2016/01000", "dl")
            sitemap_only = esfplus(45, "24-188-S02", "pstrong")
            abs_only = esfplus(46, "23-144-S04", "table")
            old_noslash = esf0713(5, "Smaland", "Glasriket-lyfter")
            container_only = esf0713(6, "Stockholm", "Bara-i-behallaren")
            disallowed = esfplus(47, "25-901-S01", "dl")
            disallowed_sm = esfplus(48, "25-902-S01", "dl")
            gotland = esf0713(7, "Gotland", "Ovisby")
            localhost_only = esfplus(49, "23-951-S05", "dl")
            for p in (slow, gz, cp, flaky, renumbered, sitemap_only, abs_only, old_noslash,
                      container_only, disallowed, disallowed_sm, gotland, localhost_only):
                self.specials[p.key] = p
        if self.week >= 2:
            self.apply_week2()
        self.by_key = {p.key: p for p in self.listed}
        self.by_key.update(self.specials)

    def copies(self) -> list[Project]:
        """Sample pages under new diarienummer and names."""
        picks = [
            ("pages/esfplus_dl_23-002-S02", "22-202-S02", "Språnget Norr"),
            ("pages/esfplus_li_22-035-S02", "22-235-S02", None),
            ("pages/esfplus_wpdiv_24-018-S03", "24-218-S03", None),
            ("pages/esf1420_dl_2019-00492", "2019/02492", "#vägvisare"),
            ("pages/esf1420_divspan_2020-00078", "2020/02078", None),
            ("pages/esf1420_li_2016-00127", "2016/02127", None),
            ("pages/esf1420_pbr_2018-00566", "2018/02566", None),
            ("pages/esf1420_wpdiv_2015-00871", "2015/02871", None),
            ("unseen/esfplus_table2col_24-009-S01", "24-209-S01", None),
            ("unseen/esfplus_sitevision_bootstrap_23-031-S04", "23-231-S04", None),
            ("unseen/b2_esfplus_gutenberg_theadrow_24-041-S03", "24-241-S03", None),
            ("unseen/b2_esf1420_dt_multidd_2016-00288", "2016/02288", None),
            ("pages/esf0713_adj_stockholm_aldreliv-nordost", "Stockholm/Aldreliv-Sodertalje",
             "Äldreliv Södertälje"),
        ]
        out = []
        for stem, new, new_name in picks:
            src = REPO / "samples" / (stem + ".html")
            exp = json.loads((REPO / "samples" / (stem + ".expected.json")).read_text())
            meta = json.loads((REPO / "samples" / (stem + ".meta.json")).read_text())
            old_name = exp["project_name"]
            period = {"2007-2013": "esf0713", "2014-2020": "esf1420"}.get(
                exp["programme_period"], "esfplus")
            old_key = exp["project_id"] if period != "esf0713" else unquote(
                urlsplit(meta["url"]).path)[len(OLD_BASE):].strip("/")
            p = Project(new, period, new_name or (old_name + " II"), copy_of=src,
                        copy_from=(old_key if period != "esf0713" else "\0", old_name))
            if new == "22-202-S02":  # the name is written with entities in the block
                p.copy_extra = (("Spr&aring;nget", "Språnget"), ("&ndash;", "–"),
                                ("v&auml;gar", "vägar"), ("f&#246;r", "för"))
            out.append(p)
        return out

    # issue 4: the known changes between week 1 and week 2
    CHANGED = {("22-131-S01", "end_date"), ("22-131-S01", "participants"),
               ("2018/01118", "total_budget_sek"), ("2018/01118", "participants")}
    REMOVED = "24-142-S06"
    ADDED = "25-171-S02"

    def apply_week2(self) -> None:
        def setf(p: Project, label: str, value: str) -> str:
            for i, (k, v) in enumerate(p.fields):
                if k == label:
                    p.fields[i] = (k, value)
                    return v
            raise KeyError(label)

        by = {p.key: p for p in self.listed}
        self.week2_old = {
            ("22-131-S01", "end_date"): setf(by["22-131-S01"], "Slutdatum", "2024-12-31"),
            ("22-131-S01", "participants"): setf(by["22-131-S01"], "Antal deltagare", "150"),
            ("2018/01118", "total_budget_sek"): setf(by["2018/01118"], "Total projektbudget",
                                                     "5 250 000"),
            ("2018/01118", "participants"): setf(by["2018/01118"], "Planerat antal deltagare",
                                                 "55"),
        }
        self.listed = [p for p in self.listed if p.key != self.REMOVED]
        self.listed.insert(5, esfplus(60, self.ADDED, "table"))

    def set_week(self, week: int) -> None:
        with self.lock:
            self.week = week
            self.build()

    def toggle(self, n: int) -> None:
        """Small-site content change for the kill test: a new name on the first project."""
        with self.lock:
            self.build()
            p = self.listed[0]
            p.name = f"{p.name} v{n}"
            for i, (k, _v) in enumerate(p.fields):
                if k == "Namn":
                    p.fields[i] = (k, p.name)
            self.by_key[p.key] = p

    def reset_faults(self) -> None:
        with self.lock:
            self.counts.clear()

    # ---- expectations
    def expected_ids(self) -> set[str]:
        """Every recoverable project reachable by pagination, detail links and the sitemap."""
        ids = {p.project_id for p in self.listed}
        if not self.small:
            ids |= {"23-133-S03", "22-177-S07", "2017/01252", "22-153-S01", "2016/01000",
                    "24-188-S02", "23-144-S04"}
        return ids

    NOT_EXPECTED = {"25-901-S01", "25-902-S01", "ESF0713:gotland/ovisby", "23-951-S05",
                    "23-950-S05", "23-404-S04", "2016/00500", "24-200-S09", "2014/00555",
                    "2016/00999"}
    BROKEN = "/resultat/projektbanken/projekt/?dnr=23-404-S04"
    ERROR500 = "/resultat/projektbanken/projekt/?dnr=2016/00500"
    NOT_FOUND = "/resultat/projektbanken/projekt/?dnr=24-200-S09"
    # only on the region container / only linked without the trailing slash (301): a crawler
    # may or may not get them; they are reported, not required
    INFORMATIONAL = {"ESF0713:stockholm/bara-i-behallaren", "ESF0713:smaland/glasriket-lyfter"}

    # ---- list pages
    def detail_href(self, p: Project, i: int, scheme: str, origin: str) -> str:
        if p.period == "esf0713":
            return p.path if i % 2 else origin + p.path
        dnr = p.key
        if scheme == "base":       # /page/5/, <base href=".../resultat/projektbanken/">
            return [f"projekt/?dnr={dnr}", f"./projekt/?dnr={quote(dnr, safe='-')}"][i % 2]
        if scheme == "deep":       # /page/6/, /page/7/
            return [f"../../projekt/?dnr={dnr}", f"../../projekt/?dnr={dnr}&amp;lang=sv",
                    f"/resultat/projektbanken/projekt/?dnr={dnr}#top"][i % 3]
        variants = [f"/resultat/projektbanken/projekt/?dnr={dnr}",
                    f"projekt/?dnr={dnr}",
                    f"/resultat/projektbanken/projekt/?dnr={quote(dnr, safe='-')}",
                    f"/resultat/projektbanken/projekt/?dnr={dnr}&amp;lang=sv",
                    f"/resultat/projektbanken/projekt/?dnr={dnr}&amp;utm_source=nyhetsbrev&amp;utm_medium=e-post",
                    f"/resultat/projektbanken/projekt/?dnr={dnr}#top",
                    f"/resultat/projektbanken/projekt/?utm_source=x&amp;dnr={dnr}",
                    f"{origin}/resultat/projektbanken/projekt/?dnr={dnr}",
                    f" /resultat/projektbanken/projekt/?dnr={dnr} "]
        return variants[i % len(variants)]

    def pages(self) -> list[list[Project]]:
        n = self.PER_PAGE
        ps = self.listed
        total = self.SIDA_PAGES + len(self.WP_PAGES)
        n = max(1, -(-len(ps) // total))
        return [ps[k * n:(k + 1) * n] for k in range(total)]

    def list_url(self, n: int) -> str:
        if n <= self.SIDA_PAGES:
            return LIST_PATH if n == 1 else f"{LIST_PATH}?sida={n}"
        return f"{LIST_PATH}page/{n}/"

    def sidebar(self) -> str:
        years = range(2008, 2026)
        regions = [r for r, _ in REGIONS] + ["ESF Nationellt"]
        areas = ["A", "B", "C", "D", "E", "F", "1", "2", "3", "4", "5"]
        links = []
        for y in years:
            links.append(f'<a href="?Start%C3%A5r={y}">{y}</a>')
            for r in regions:
                links.append(f'<a href="/resultat/projektbanken/?Startår={y}&amp;Region={quote(r)}">'
                             f"{y} {e(r)}</a>")
        for r in regions:
            links.append(f'<a href="?Region={quote(r)}">{e(r)}</a>')
            links.append(f'<a href="?Region={quote(r)}&amp;sida=2">{e(r)} sida 2</a>')
            links.append(f'<a href="/resultat/projektbanken/page/6/?Region={quote(r)}">{e(r)} 6</a>')
        for i, a in enumerate(areas):
            links.append(f'<a href="?Programomr%C3%A5de={a}">{a}</a>')
            for b in areas[i + 1:i + 3]:
                links.append(f'<a href="?Programområde={a},{b}">{a}, {b}</a>')
        for lo, hi in [(0, 50), (50, 200), (200, 1000)]:
            links.append(f'<a href="?Antal%20deltagare={lo}-{hi}">{lo}–{hi} deltagare</a>')
            links.append(f'<a href="?Projektbudget={lo}00000-{hi}00000">budget</a>')
            links.append(f'<a href="?ESF-st%C3%B6d={lo}00000-{hi}00000&amp;sida=3">stöd</a>')
        for key in ("namn", "startdatum", "slutdatum", "budget"):
            for order in ("asc", "desc"):
                links.append(f'<a href="?sort={key}&amp;order={order}">{key} {order}</a>')
                links.append(f'<a href="?sida=2&amp;orderby={key}&amp;order={order}">{key}</a>')
        links.append('<a href="?s=arbete">Sök: arbete</a>')
        items = "\n".join(f"<li>{a}</li>" for a in links)
        return f"""<aside class="widget-area filter-sidebar"><h2 class="widget-title">Filtrera</h2>
<form role="search" action="/resultat/projektbanken/" method="get"><input name="s" type="search">
<select name="Region"><option>Stockholm</option></select><button>Sök</button></form>
<ul class="filters">
{items}
</ul></aside>"""

    def render_list(self, n: int, origin: str) -> bytes:
        pages = self.pages()
        last = len(pages)
        items: list[Link] = []
        scheme = "sida" if n <= self.SIDA_PAGES else ("base" if n == 5 else "deep")
        if n <= last:
            for i, p in enumerate(pages[n - 1]):
                items.append(Link(self.detail_href(p, i + n, scheme, origin),
                                  (p.key + " - " if p.period != "esf0713" else "") + p.name))
        extra = ""
        if not self.small and n <= last:
            extra = self.extras(n, origin)
        base = f'<base href="{origin}/resultat/projektbanken/">' if n == 5 else ""

        def href(k: int) -> str:
            if n == 5:  # relative to <base>
                return self.list_url(k)[len(LIST_PATH):] or "./"
            return self.list_url(k)

        # Each real page links onwards by ONE signal only, so each signal is tested on its own:
        # numbered links, a "Nästa sida ›" text link, <link rel=next> in the head, <a rel=next>.
        # The last real page and the endless tail after it use them all.
        sig = self.FORWARD.get(n, "all") if not self.small else "all"
        nav = []
        if n > 1:
            nav.append(f'<a class="prev page-numbers" href="{href(n - 1)}">Föregående</a>')
        onward = n < last or n > self.SIDA_PAGES  # the endless tail always links onwards
        if sig == "all":
            lo, hi = (1, last) if n <= last else (n - 2, n + 3)
        else:
            lo, hi = max(1, n - 2), (n + 1 if sig == "numbered" else n)
        for k in range(lo, hi + 1):
            nav.append(f'<span aria-current="page">{k}</span>' if k == n else
                       f'<a class="page-numbers" href="{href(k)}">{k}</a>')
        if onward and sig in ("all", "nasta"):
            nav.append(f'<a class="next" href="{href(n + 1)}">Nästa sida ›</a>' if sig == "nasta"
                       else f'<a class="next page-numbers" href="{href(n + 1)}">Nästa</a>')
        if onward and sig == "arel":
            nav.append(f'<a rel="next" class="arrow" href="{href(n + 1)}">→</a>')
        head_next = (f'<link rel="next" href="{origin}{self.list_url(n + 1)}">'
                     if onward and sig in ("all", "head") else "")
        widget = "" if self.small else (
            '<aside class="widget latest"><h2>Senaste projekten</h2><ul>' + "".join(
                f'<li><a href="{origin}{p.path}">{e(p.name)}</a></li>' for p in self.listed[:3])
            + "</ul></aside>")
        head_prev = f'<link rel="prev" href="{origin}{self.list_url(n - 1)}">' if n > 1 else ""
        lis = "\n".join(f'<li class="project-item"><a href="{a.href}">{e(a.text)}</a></li>'
                        for a in items) or "<li>Inga fler projekt att visa.</li>"
        page = f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Projektbanken – sida {n}</title>
{base}{head_prev}{head_next}</head>
<body>{CHROME_TOP}<main id="main"><h1>Projektbanken</h1>
<p><a href="/resultat/projektbanken/?visa=alla">Visa alla</a></p>
{self.sidebar() if not self.small else ""}
<ul class="project-list">
{lis}
</ul>
{widget}
{extra}
<nav class="navigation pagination" aria-label="Sidnumrering">{" ".join(nav)}</nav>
</main>{CHROME_FOOT}</body></html>
"""
        return page.encode("utf-8")

    def extras(self, n: int, origin: str) -> str:
        """Traps and special links, spread over the real list pages."""
        port = urlsplit(origin).port
        d = DETAIL_PATH
        if n == 1:
            links = [
                (f"{d}?dnr=2019%2F02492", "#vägvisare"), (f"{d}?dnr=2019/02492", "#vägvisare"),
                ("/resultat/projektbanken/projekt?dnr=2019/02492", "utan snedstreck"),
                (f"{d}?dnr=23-404-S04", "Trasig länk"),
                (f"{d}?dnr=25-901-S01", "Spärrat projekt"),
                ("https://www.example.org/resultat/projektbanken/projekt/?dnr=23-950-S05",
                 "På en annan webbplats"),
                (f"http://localhost:{port}/resultat/projektbanken/projekt/?dnr=23-951-S05",
                 "Samma server, annat värdnamn"),
                (f"//localhost:{port}/resultat/projektbanken/projekt/?dnr=23-951-S05",
                 "protokollrelativ"),
                ("/resultat/projektbanken/arkiv/", "Arkiv"),
                ("/resultat/projektbanken/arkiv/?sida=2", "2"),
                ("/resultat/projektbanken/arkiv/?sida=3", "3"),
                ("/resultat/projektbanken/arkiv/projekt/?dnr=2014/00555", "Arkiverat projekt"),
            ]
        elif n == 2:
            links = [
                (f"{d}?dnr=22-153-S01", "Ibland otillgängligt"),
                (f"{d}?dnr=2016/00500", "Alltid fel"),
                (f"{d}?dnr=24-200-S09", "Finns inte"),
                (f"{d}?dnr=2016/00999", "Omnumrerat"),
                (OLD_BASE + "Stockholm/", "Alla projekt i Stockholm 2007–2013"),
                (OLD_BASE + "Gotland/Ovisby/", "Ovisby (spärrad region)"),
                (OLD_BASE + "Smaland/Glasriket-lyfter", "Glasriket lyfter (gammal adress)"),
                (f"{d}?dnr=24-218-S03&amp;print=1", "Utskrift"),
            ]
        elif n == 3:
            links = [
                (f"{d}?dnr=23-133-S03", "Långsam sida"),
                (f"{d}?dnr=22-177-S07&amp;utm_campaign=gzip", "Komprimerad"),
                (f"{d}?dnr=2017%2F01252", "Windows-1252"),
                (f"{origin}{d}?dnr=23-144-S04", "Absolut länk"),
            ]
        elif n == 4:
            links = [(f"{d}?dnr=22-131-S01&amp;lang=en", "In English")]
        else:
            links = []
        if not links:
            return ""
        lis = "".join(f'<li><a href="{h}">{e(t)}</a></li>' for h, t in links)
        return f'<section class="related"><h2>Se även</h2><ul>{lis}</ul></section>'

    def render_all(self, origin: str) -> bytes:
        lis = "\n".join(f'<li><a href="{p.path}">{e(p.name)}</a></li>' for p in self.listed)
        return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Alla projekt'
                f'</title></head><body><main><h1>Alla projekt</h1><ul>{lis}</ul></main></body>'
                f"</html>").encode()

    def render_container(self, region: str, origin: str) -> bytes | None:
        ps = [p for p in self.by_key.values()
              if p.period == "esf0713" and p.key.split("/")[0] == region]
        if not ps:
            return None
        lis = "\n".join(f'<li><a href="{OLD_BASE}{p.key}/">{e(p.name)}</a></li>' for p in ps)
        return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Projekt i '
                f'{region}</title></head><body><div id="Content"><h1>Projekt i {region}</h1>'
                f'<ul>{lis}</ul><p><a href="?paged=2">Nästa</a></p></div></body></html>').encode()

    def robots(self, origin: str) -> bytes:
        return f"""# robots.txt
User-agent: BadBot
Disallow: /

User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php
Disallow: /resultat/projektbanken/arkiv/
Disallow: /resultat/projektbanken/projekt/?dnr=25-9
Disallow: /sv/Resultat/Projektbanken/Behallare-for-projekt/Gotland/

Sitemap: {origin}/sitemap_index.xml
""".encode()

    def sitemap_index(self, origin: str) -> bytes:
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{origin}/projekt-sitemap.xml</loc><lastmod>2025-02-01</lastmod></sitemap>
<sitemap><loc>{origin}/page-sitemap.xml</loc><lastmod>2025-02-01</lastmod></sitemap>
</sitemapindex>
""".encode()

    def project_sitemap(self, origin: str) -> bytes:
        urls = [f"{origin}{DETAIL_PATH}?dnr=24-188-S02", f"{origin}{DETAIL_PATH}?dnr=25-902-S01",
                "https://www.example.org/resultat/projektbanken/projekt/?dnr=23-952-S05"]
        urls += [f"{origin}{p.path}" for p in self.listed[:6]]
        urls.append(f"{origin}{DETAIL_PATH}?dnr=2019%2F02492")
        locs = "\n".join(f"<url><loc>{html.escape(u)}</loc><lastmod>2025-01-15</lastmod></url>"
                         for u in urls)
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">\n{locs}\n</urlset>\n').encode()

    def page_sitemap(self, origin: str) -> bytes:
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{origin}/om-oss/</loc></url><url><loc>{origin}/kontakt/</loc></url>
</urlset>
""".encode()


# ---------------------------------------------------------------- HTTP server

def canonical_project_key(path: str, query: str) -> str | None:
    """The project a detail-like request path names (for counting requests per project)."""
    if path.rstrip("/") == DETAIL_PATH.rstrip("/"):
        for k, v in parse_qsl(query, keep_blank_values=True):
            if k == "dnr":
                return v.strip()
        return None
    if path.startswith(OLD_BASE):
        parts = [x for x in unquote(path)[len(OLD_BASE):].split("/") if x]
        if len(parts) == 2:
            return "/".join(parts)
    return None


class Server:
    """`with Server(site) as s:` serves `site` on 127.0.0.1:s.port and logs to `s.log`."""

    def __init__(self, site: Site):
        self.site = site
        self.log: list[dict] = []
        self.loglock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):
                self.do_GET(head=True)

            def do_GET(self, head: bool = False):
                t0 = time.time()
                try:
                    status, headers, body = outer.route(self)
                except Exception as exc:  # a bug in the test server must be visible
                    status, headers, body = 599, {}, repr(exc).encode()
                if status == -1:  # drop the connection
                    self.close_connection = True
                    return
                self.send_response(status)
                headers.setdefault("Content-Type", "text/html; charset=utf-8")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                with outer.loglock:
                    outer.log.append({
                        "t": t0, "method": self.command, "path": self.path, "status": status,
                        "host": self.headers.get("Host", ""),
                        "ua": self.headers.get("User-Agent", ""),
                        "inm": self.headers.get("If-None-Match"),
                        "ims": self.headers.get("If-Modified-Since"),
                        "ae": self.headers.get("Accept-Encoding", ""),
                        "referer": self.headers.get("Referer"),
                        "bytes": len(body)})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def mark(self) -> int:
        with self.loglock:
            return len(self.log)

    def since(self, mark: int) -> list[dict]:
        with self.loglock:
            return list(self.log[mark:])

    # ---- routing
    def hit(self, key: str) -> int:
        with self.site.lock:
            self.site.counts[key] = self.site.counts.get(key, 0) + 1
            return self.site.counts[key]

    def route(self, h: BaseHTTPRequestHandler) -> tuple[int, dict, bytes]:
        site, origin = self.site, self.origin
        parts = urlsplit(h.path)
        path, query = parts.path, parts.query
        params = {k: v for k, v in parse_qsl(query, keep_blank_values=True)}
        xml = {"Content-Type": "application/xml; charset=utf-8"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, site.robots(origin)
        if path == "/sitemap_index.xml":
            return 200, xml, site.sitemap_index(origin)
        if path == "/projekt-sitemap.xml":
            return 200, xml, site.project_sitemap(origin)
        if path == "/page-sitemap.xml":
            return 200, xml, site.page_sitemap(origin)
        if path == LIST_PATH:
            if params.get("visa") == "alla":
                return 200, {}, site.render_all(origin)
            n = params.get("sida", "1")
            if n == "3" and not site.small and self.hit("list-3") == 1:
                return 503, {"Retry-After": "0"}, b"<html><body>Tillf\xc3\xa4lligt fel</body></html>"
            if not n.isdigit() or not 1 <= int(n) <= site.SIDA_PAGES:
                return 404, {}, PAGE_404.encode()
            return 200, {}, site.render_list(int(n), origin)
        if path.startswith(LIST_PATH + "page/"):
            n = path[len(LIST_PATH + "page/"):].strip("/")
            if n.isdigit() and site.SIDA_PAGES < int(n) <= TRAP_LIMIT:
                return 200, {}, site.render_list(int(n), origin)
            return 404, {}, PAGE_404.encode()
        if path == DETAIL_PATH.rstrip("/"):
            return 301, {"Location": origin + DETAIL_PATH + ("?" + query if query else "")}, b""
        if path == DETAIL_PATH:
            return self.detail(h, params.get("dnr", "").strip())
        if path.startswith(OLD_BASE):
            rest = [x for x in unquote(path)[len(OLD_BASE):].split("/") if x]
            if not path.endswith("/"):
                return 301, {"Location": origin + path + "/"}, b""
            if len(rest) == 1:
                body = site.render_container(rest[0], origin)
                return (200, {}, body) if body else (404, {}, PAGE_404.encode())
            if len(rest) == 2:
                return self.detail(h, "/".join(rest))
            return 404, {}, PAGE_404.encode()
        if path.startswith("/resultat/projektbanken/arkiv/"):
            return 200, {}, site.render_all(origin)  # disallowed: must never be asked for
        if path == "/kalender/":
            m = params.get("manad", "2025-04")
            y, mo = (int(x) for x in m.split("-"))
            nxt = f"{y + mo // 12}-{mo % 12 + 1:02d}"
            return 200, {}, (f'<html><body><h1>Kalender {m}</h1><a rel="next" href="?manad={nxt}">'
                             f"Nästa månad</a></body></html>").encode()
        if path in ("/om-oss/", "/kontakt/", "/"):
            return 200, {}, b"<html><body><h1>Om oss</h1></body></html>"
        return 404, {}, PAGE_404.encode()

    def detail(self, h: BaseHTTPRequestHandler, key: str) -> tuple[int, dict, bytes]:
        site, origin = self.site, self.origin
        if key == "2016/00500":
            return 500, {}, b"<html><body><h1>Internal Server Error</h1></body></html>"
        if key == "2016/00999":
            return 301, {"Location": origin + DETAIL_PATH + "?dnr=2016/01000"}, b""
        if key == "24-200-S09":
            return 200, {}, NOT_FOUND_TEMPLATE.format(chrome=CHROME_TOP, foot=CHROME_FOOT,
                                                      dnr=key).encode()
        with site.lock:
            p = site.by_key.get(key)
        if p is None:
            return 404, {}, PAGE_404.encode()
        if key == "22-153-S01" and self.hit(key) == 1:
            return 503, {"Retry-After": "0"}, b"<html><body>Tillf\xc3\xa4lligt fel</body></html>"
        if p.slow:
            time.sleep(SLOW_SECONDS)
        body = render_project(p, origin)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        lastmod = 1735689600 + int(hashlib.sha1(body).hexdigest()[:6], 16)  # stable per content
        headers = {"Content-Type": f"text/html; charset={p.charset}", "ETag": etag,
                   "Last-Modified": formatdate(lastmod, usegmt=True)}
        if p.copy_of is not None and key.startswith("2016/022"):
            headers.pop("ETag")  # some pages only give Last-Modified
        inm, ims = h.headers.get("If-None-Match"), h.headers.get("If-Modified-Since")
        if inm is not None and "ETag" in headers:
            if etag in [x.strip() for x in inm.split(",")]:
                return 304, {"ETag": etag}, b""
        elif ims is not None:
            try:
                if parsedate_to_datetime(ims).timestamp() >= lastmod:
                    return 304, {}, b""
            except (TypeError, ValueError):
                pass
        if p.gzip and "gzip" in h.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        return 200, headers, body


def main() -> None:  # python tests/blind_site.py: serve it by hand
    import sys
    site = Site(small="--small" in sys.argv)
    with Server(site) as s:
        print(s.origin + LIST_PATH, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
