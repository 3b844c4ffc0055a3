"""Regenerate the bundled offline copy of the project bank (run from the repo root):

    .venv/bin/python samples/site/_make_site.py

Writes list pages, detail pages, robots.txt, sitemap.xml and 404.html into samples/site/ using the
layout that crawler/mirror.py serves (see README.md). Detail pages from samples/pages/*.html
(with their .meta.json sidecars) are copied in when they exist.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit, parse_qsl

SITE = Path(__file__).resolve().parent
PAGES = SITE.parent / "pages"
LIST = "/resultat/projektbanken/"
DETAIL = "/resultat/projektbanken/projekt/"
OLD = "/sv/Resultat/Projektbanken/Behallare-for-projekt/"
PER_PAGE = 5

HEADER = """<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<title>{title} - Svenska ESF-rådet</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body class="wp-site">
<div id="cookie-banner" class="cookie-notice">
  <p class="title">information (1)</p><p>Cookies</p>
  <p>Den här hemsidan använder cookies för att säkerställa bästa möjliga upplevelse på vår webb.</p>
  <a href="/om-webbplatsen/cookies/">Lär dig mer</a>
</div>
<header class="site-header">
  <a class="logo" href="/">Svenska ESF-rådet</a>
  <nav class="main-menu"><ul>
    <li><a href="/utlysningar/">Utlysningar</a></li>
    <li><a href="/resultat/">Resultat</a></li>
    <li><a href="/resultat/projektbanken/">Projektbanken</a></li>
    <li><a href="/om-oss/">Om oss</a></li>
  </ul></nav>
</header>
<main id="main" class="site-main">
"""
FOOTER = """</main>
<footer class="site-footer">
  <p>Svenska ESF-rådet, Box 47141, 100 74 Stockholm</p>
  <p>Telefon: 08-579 171 00</p>
  <p>E-post: esf@esf.se</p>
</footer>
</body>
</html>
"""

LOREM = [
    "Projektet ska stärka kompetensförsörjningen i regionen genom samverkan mellan kommuner, "
    "arbetsgivare och utbildningsanordnare.",
    "Målgruppen är personer som står långt från arbetsmarknaden. Aktiviteterna omfattar "
    "kartläggning, vägledning, praktik och utbildning.",
    "Erfarenheterna sprids till andra aktörer genom konferenser och en slutrapport.",
]

# (dnr, period, fields in page order, description paragraphs)
ESF_PLUS = [
    ("22-021-S03", "Koordinerad kompetensförstärkning i glesbygd", [
        ("Land som berörs", "Sverige"), ("Berörd fond", "ESF+"), ("Program CCI", "2021SE05SFPR"),
        ("Diarienummer", "22-021-S03"), ("Projektägare organisationsnummer", "2220001289"),
        ("Projektägare", "KOMMUNALFÖRBUNDET PARTNERSKAP INLAND-AKADEMI N"),
        ("Namn", "Koordinerad kompetensförstärkning i glesbygd"), ("Startdatum", "2023-01-02"),
        ("Slutdatum", "2024-12-31"), ("Unionens medfinansieringsgrad", "40%"),
        ("Programområde", "D"), ("Specifikt mål", "D1"),
        ("Sekundärtema - Motverka barnfattigdom", "Nej"), ("Region", "Övre Norrland"),
        ("NUTS-2 kod", "SE33"), ("Stödmottagare postnr", "92381"), ("Stödmottagare ort", "STORUMAN"),
        ("Interventionstyp", "175"), ("Antal deltagare", "0"),
        ("Insats av strategisk betydelse", "Nej"), ("Projektnummer", "22-021-S03")]),
    ("23-002-S02", "Vägen till arbete i Västerbotten", [
        ("Namn", "Vägen till arbete i Västerbotten"), ("Diarienummer", "23-002-S02"),
        ("Projektägare", "UMEÅ KOMMUN"), ("Projektägare organisationsnummer", "2120002627"),
        ("Land som berörs", "Sverige"), ("Berörd fond", "ESF+"), ("Program CCI", "2021SE05SFPR"),
        ("Startdatum", "2023-03-01"), ("Slutdatum", "2026-02-28"),
        ("Unionens medfinansieringsgrad", "60%"), ("Programområde", "B"),
        ("Specifikt mål", "A2B"), ("Sekundärtema - Motverka barnfattigdom", "Ja"),
        ("Region", "Övre Norrland"), ("NUTS-2 kod", "SE33"), ("Stödmottagare postnr", "90184"),
        ("Stödmottagare ort", "UMEÅ"), ("Interventionstyp", "163"), ("Antal deltagare", "240"),
        ("Insats av strategisk betydelse", "Ja")]),
    ("23-114-S01", "Nationell samverkan för unga", [
        ("Land som berörs", "Sverige"), ("Berörd fond", "ESF+"), ("Program CCI", "2021SE05SFPR"),
        ("Diarienummer", "23-114-S01"), ("Projektägare organisationsnummer", "2021005489"),
        ("Projektägare", "ARBETSFÖRMEDLINGEN"), ("Namn", "Nationell samverkan för unga"),
        ("Startdatum", "2023-09-01"), ("Slutdatum", "2025-08-31"),
        ("Unionens medfinansieringsgrad", "40%"), ("Programområde", "A"), ("Specifikt mål", "A1"),
        ("Sekundärtema - Motverka barnfattigdom", "Nej"), ("Region", "ESF Nationellt"),
        ("NUTS-2 kod", "SE0"), ("Stödmottagare postnr", "11336"), ("Stödmottagare ort", "STOCKHOLM"),
        ("Interventionstyp", "140"), ("Antal deltagare", "1200"),
        ("Insats av strategisk betydelse", "Ja")]),
    ("24-050-S05", "Språkstöd på arbetsplatsen", [
        ("Land som berörs", "Sverige"), ("Berörd fond", "ESF+"), ("Program CCI", "2021SE05SFPR"),
        ("Diarienummer", "24-050-S05"), ("Projektägare organisationsnummer", "2321000016"),
        ("Projektägare", "REGION SKÅNE"), ("Namn", "Språkstöd på arbetsplatsen"),
        ("Startdatum", "2024-02-01"), ("Slutdatum", "2026-01-31"),
        ("Unionens medfinansieringsgrad", "40%"), ("Programområde", "A"), ("Specifikt mål", "A1A"),
        ("Sekundärtema - Motverka barnfattigdom", "Nej"), ("Region", "Sydsverige"),
        ("NUTS-2 kod", "SE22"), ("Stödmottagare postnr", "29189"),
        ("Stödmottagare ort", "KRISTIANSTAD"), ("Interventionstyp", "140"),
        ("Antal deltagare", "85"), ("Insats av strategisk betydelse", "Nej")]),
]

ESF_1420 = [
    ("2019/00492", "#vägled", [
        ("Projektnummer", "2019/00492"),
        ("Projektägare", "Region Uppsala, Avdelningen för regional utveckling"),
        ("Namn", "#vägled"), ("Region", "Östra Mellansverige"), ("Planerat antal deltagare", "0"),
        ("Projektperiod", "2020-01-01 - 2021-12-31"), ("Total projektbudget", "10 998 524"),
        ("Beviljat ESF-stöd", "10 998 524"), ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@regionuppsala.se"), ("Stödmottagare postnr", "75125"),
        ("Stödmottagarens address", ""), ("Programområde", "1"), ("Specifikt mål", "1.2"),
        ("Unionens medfinansieringsgrad", "50%"), ("Interventionstyp", "118")]),
    ("2016/00311", "Integration i arbetslivet", [
        ("Projektnummer", "2016/00311"), ("Projektägare", "Göteborgs Stad, Arbetsmarknadsenheten"),
        ("Namn", "Integration i arbetslivet"), ("Region", "Västsverige"),
        ("Planerat antal deltagare", "350"), ("Projektperiod", "2016-09-01 - 2019-08-31"),
        ("Total projektbudget", "24 350 000"), ("Beviljat ESF-stöd", "12 175 000"),
        ("Kontaktperson", "[namn]"), ("E-post", "[e-post]@goteborg.se"),
        ("Stödmottagare postnr", "40482"), ("Stödmottagarens address", "Box 5092"),
        ("Programområde", "2"), ("Specifikt mål", "2.3"),
        ("Unionens medfinansieringsgrad", "50%"), ("Interventionstyp", "109")]),
    ("2018/00250", "Kompetenslyft i vården", [
        ("Namn", "Kompetenslyft i vården"), ("Projektnummer", "2018/00250"),
        ("Projektägare", "Region Jönköpings län"), ("Region", "Småland och öarna"),
        ("Planerat antal deltagare", "1 100"), ("Projektperiod", "2018-10-01 - 2021-09-30"),
        ("Total projektbudget", "18 400 000"), ("Beviljat ESF-stöd", "9 200 000"),
        ("Kontaktperson", "[namn]"), ("E-post", "[e-post]@rjl.se"),
        ("Stödmottagare postnr", "55111"), ("Stödmottagarens address", "Box 1024"),
        ("Programområde", "1"), ("Specifikt mål", "1.1"),
        ("Unionens medfinansieringsgrad", "50%"), ("Interventionstyp", "117")]),
    ("2015/00777", "Unga in i Norr", [
        ("Projektnummer", "2015/00777"), ("Projektägare", "Luleå kommun"), ("Namn", "Unga in i Norr"),
        ("Region", "Övre Norrland"), ("Planerat antal deltagare", "420"),
        ("Projektperiod", "2015-05-01 - 2018-04-30"), ("Total projektbudget", "31 000 000"),
        ("Beviljat ESF-stöd", "15 500 000"), ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@lulea.se"), ("Stödmottagare postnr", "97185"),
        ("Stödmottagarens address", "Stadshuset"), ("Programområde", "3"),
        ("Specifikt mål", "3.1"), ("Unionens medfinansieringsgrad", "50%"),
        ("Interventionstyp", "103")]),
    ("2017/00123", "Digital kompetens för anställda", [
        ("Projektnummer", "2017/00123"), ("Projektägare", "Västerås stad"),
        ("Namn", "Digital kompetens för anställda"), ("Region", "Östra Mellansverige"),
        ("Planerat antal deltagare", "600"), ("Projektperiod", "2017-08-15 - 2019-12-31"),
        ("Total projektbudget", "8 250 000"), ("Beviljat ESF-stöd", "4 125 000"),
        ("Kontaktperson", "[namn]"), ("E-post", "[e-post]@vasteras.se"),
        ("Stödmottagare postnr", "72187"), ("Stödmottagarens address", "Stadshuset"),
        ("Programområde", "1"), ("Specifikt mål", "1.1"),
        ("Unionens medfinansieringsgrad", "50%"), ("Interventionstyp", "117")]),
    # only in the sitemap, not linked from the list
    ("2020/00111", "Omställning i Bergslagen", [
        ("Projektnummer", "2020/00111"), ("Projektägare", "Örebro kommun"),
        ("Namn", "Omställning i Bergslagen"), ("Region", "Norra Mellansverige"),
        ("Planerat antal deltagare", "150"), ("Projektperiod", "2020-06-01 - 2022-05-31"),
        ("Total projektbudget", "5 600 000"), ("Beviljat ESF-stöd", "2 800 000"),
        ("Kontaktperson", "[namn]"), ("E-post", "[e-post]@orebro.se"),
        ("Stödmottagare postnr", "70135"), ("Stödmottagarens address", "Box 300 00"),
        ("Programområde", "1"), ("Specifikt mål", "1.3"),
        ("Unionens medfinansieringsgrad", "50%"), ("Interventionstyp", "118")]),
    # robots.txt disallows ?dnr=99-
    ("99-999-S99", "Förbjudet testprojekt", [
        ("Diarienummer", "99-999-S99"), ("Projektägare", "TESTKOMMUNEN"),
        ("Namn", "Förbjudet testprojekt"), ("Startdatum", "2023-01-01"), ("Slutdatum", "2023-12-31")]),
]

ESF_0713 = [
    ("Stockholm", "Aldreliv-Nordost", "Äldreliv Nordost", [
        ("Programområde", "Programområde 1 Kompetensförsörjning"), ("Projektfas", "Förprojektering"),
        ("Projektägare", "Österåkers kommun, Stats och kommunled/övergripandeplanering"),
        ("Kontaktperson", "[namn]"), ("E-post", "[e-post]@osteraker.se"),
        ("Telefonnummer", "[nummer]"), ("Beviljat ESF-stöd", "500 000 kr"),
        ("Total projektbudget", "500 000 kr"), ("Projektperiod", "2008-08-25 till 2009-02-25"),
        ("Region", "Stockholm")]),
    ("Skane", "Kompetens-i-Syd", "Kompetens i Syd", [
        ("Programområde", "Programområde 2 Ökat arbetskraftsutbud"), ("Projektfas", "Genomförande"),
        ("Projektägare", "Malmö stad"), ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@malmo.se"), ("Telefonnummer", "[nummer]"),
        ("Beviljat ESF-stöd", "3 250 000 kr"), ("Total projektbudget", "6 500 000 kr"),
        ("Projektperiod", "2009-01-01 till 2011-06-30"), ("Region", "Skåne-Blekinge")]),
    # robots.txt disallows /sv/Resultat/Projektbanken/Behallare-for-projekt/Intern/
    ("Intern", "Testprojekt", "Internt testprojekt", [
        ("Programområde", "Programområde 1 Kompetensförsörjning"), ("Projektfas", "Genomförande"),
        ("Projektägare", "Testbolaget AB"), ("Beviljat ESF-stöd", "1 000 kr"),
        ("Total projektbudget", "2 000 kr"), ("Projektperiod", "2010-01-01 till 2010-12-31"),
        ("Region", "Stockholm")]),
]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def detail_path(dnr: str) -> Path:
    return SITE / DETAIL.lstrip("/") / "dnr" / (quote(dnr, safe="") + ".html")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def detail_page(dnr: str, name: str, fields, style: int) -> str:
    out = [HEADER.format(title=esc(name)), '<article class="project">',
           f'<h1 class="entry-title">{esc(dnr)} - {esc(name)}</h1>']
    if style == 0:
        out.append('<dl class="project-facts">')
        for label, value in fields:
            out.append(f'  <div class="fact"><dt>{esc(label)}:</dt><dd>{esc(value)}</dd></div>')
        out.append("</dl>")
    else:
        out.append('<div class="project-info">')
        for label, value in fields:
            out.append(f'  <p><strong>{esc(label)}:</strong><br>{esc(value)}</p>')
        out.append("</div>")
    out.append('<div class="project-description">')
    out += [f"<p>{esc(p)}</p>" for p in [f"Projektet {name} i korthet. {LOREM[0]}", *LOREM[1:]]]
    out.append("</div></article>")
    out.append(FOOTER)
    return "\n".join(out)


def old_page(name: str, fields) -> str:
    out = [HEADER.format(title=esc(name)), '<div class="projectpage">', f"<h1>{esc(name)}</h1>",
           '<div class="projectfacts">']
    for label, value in fields:
        out.append(f'<div class="row"><span class="label">{esc(label)}</span>'
                   f'<span class="value">{esc(value)}</span></div>')
    out += ["</div>", '<p class="lang"><a href="#en">In English</a></p>', "<h2>Sammanfattning</h2>",
            f"<p>{esc(name)} ska skapa förutsättningar för nya samarbeten. {esc(LOREM[1])}</p>",
            "<h2>Bakgrund</h2>", f"<p>{esc(LOREM[2])}</p>", "</div>", FOOTER]
    return "\n".join(out)


def not_found_page() -> str:
    return (HEADER.format(title="Sidan kunde inte hittas")
            + '<h1>Sidan kunde inte hittas</h1>\n<p>Projektet du söker finns inte eller har tagits bort.'
            "</p>\n<p><a href=\"/resultat/projektbanken/\">Till projektbanken</a></p>\n" + FOOTER)


SIDEBAR = """<aside class="filters">
  <h2>Filtrera</h2>
  <h3>Startår</h3><ul>
    <li><a href="?Start%C3%A5r=2019">2019</a></li><li><a href="?Start%C3%A5r=2020">2020</a></li>
    <li><a href="?Start%C3%A5r=2019,2020">2019, 2020</a></li></ul>
  <h3>Region</h3><ul>
    <li><a href="/resultat/projektbanken/?Region=Stockholm">Stockholm</a></li>
    <li><a href="/resultat/projektbanken/?Region=%C3%96vre%20Norrland&amp;sida=2">Övre Norrland</a></li></ul>
  <h3>Programområde</h3><ul>
    <li><a href="?Programomr%C3%A5de=1">1</a></li><li><a href="?Programomr%C3%A5de=1&amp;Start%C3%A5r=2020">1 (2020)</a></li></ul>
  <h3>Sortera</h3><ul>
    <li><a href="?orderby=namn&amp;order=asc">Namn</a></li><li><a href="?sort=startdatum">Startdatum</a></li></ul>
  <form action="/resultat/projektbanken/" method="get"><input name="s"><button>Sök</button></form>
  <p><a href="/resultat/projektbanken/export/?format=csv">Exportera (CSV)</a></p>
</aside>
"""


def list_entries():
    """The list, in the order the site shows it; (href, title) plus the traps."""
    entries = []
    for dnr, name, _ in ESF_PLUS:
        entries.append((f"{DETAIL}?dnr={dnr}", f"{dnr} - {name}"))
    for dnr, name, _ in ESF_1420:
        if dnr in ("2020/00111",):
            continue
        entries.append((f"{DETAIL}?dnr={dnr}", f"{dnr} - {name}"))
    for region, slug, name, _ in ESF_0713:
        entries.append((f"{OLD}{region}/{slug}/", name))
    entries.append((f"{DETAIL}?dnr=2017/00000", "2017/00000 - Borttaget projekt"))   # 200, no block
    entries.append((f"{DETAIL}?dnr=2016/00404", "2016/00404 - Trasig länk"))          # 404
    return entries


def list_page(n: int, pages: int, entries) -> str:
    def page_href(k: int) -> str:
        return LIST if k == 1 else f"{LIST}?sida={k}"

    head = HEADER.format(title=f"Projektbanken - sida {n}")
    if n < pages:
        head = head.replace("</head>", f'<link rel="next" href="{page_href(n + 1)}">\n</head>')
    if n > 1:
        head = head.replace("</head>", f'<link rel="prev" href="{page_href(n - 1)}">\n</head>')
    out = [head, "<h1>Projektbanken</h1>", SIDEBAR, '<section class="results"><ul class="project-list">']
    for href, title in entries:
        out.append(f'  <li class="project-item"><a href="{esc(href)}">{esc(title)}</a></li>')
    out.append("</ul>")
    if n == 1:  # duplicate spellings of one project, an off-site copy, a disallowed path
        out.append('<p class="also">Se även: <a href="/resultat/projektbanken/projekt/?dnr=2019%2F00492">'
                   '#vägled</a>, <a href="/resultat/projektbanken/projekt?dnr=2019/00492#top">#vägled</a>, '
                   '<a href="projekt/?dnr=2019/00492&amp;utm_source=nyhetsbrev">#vägled</a>, '
                   '<a href="https://www.esf.se/resultat/projektbanken/projekt/?dnr=22-021-S03">på esf.se</a>, '
                   '<a href="/resultat/projektbanken/projekt/?dnr=99-999-S99">testprojekt</a></p>')
    out.append('<nav class="pagination" aria-label="Sidnumrering">')
    if n > 1:
        out.append(f'  <a class="prev page-numbers" href="{page_href(n - 1)}">Föregående</a>')
    for k in range(1, pages + 1):
        if k == n:
            out.append(f'  <span aria-current="page" class="page-numbers current">{k}</span>')
        else:
            out.append(f'  <a class="page-numbers" href="{page_href(k)}">{k}</a>')
    if n < pages:
        out.append(f'  <a class="next page-numbers" href="{page_href(n + 1)}">Nästa</a>')
    out += ["</nav></section>", FOOTER]
    return "\n".join(out)


def copy_sample_pages() -> list[tuple[str, str]]:
    """Copy samples/pages/*.html (with .meta.json naming the URL) into the site."""
    copied = []
    if not PAGES.is_dir():
        return copied
    for page in sorted(PAGES.glob("*.html")):
        meta_file = page.with_name(page.stem + ".meta.json")
        if not meta_file.exists():
            meta_file = page.with_suffix(page.suffix + ".meta.json")
        if not meta_file.exists():
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        url = meta.get("url") or meta.get("source_url")
        if not url:
            continue
        parts = urlsplit(url)
        dnr = dict((k.lower(), v) for k, v in parse_qsl(parts.query)).get("dnr")
        if dnr:
            target = detail_path(dnr)
            href = f"{DETAIL}?dnr={dnr}"
        elif "behallare-for-projekt" in parts.path.lower():
            target = SITE / parts.path.lstrip("/") / "index.html"
            href = parts.path
        else:
            continue
        existed = target.exists()  # a sample page replaces the generator's own version
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
        headers = meta.get("headers") or {}
        sidecar = target.with_name(target.name + ".headers.json")
        if headers and headers.get("Content-Type", "").lower() != "text/html; charset=utf-8":
            sidecar.write_text(json.dumps(headers, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        elif sidecar.exists():
            sidecar.unlink()
        if not existed:
            copied.append((href, meta.get("title") or meta.get("project_id") or page.stem))
    return copied


def main() -> None:
    for sub in ("resultat", "sv"):
        shutil.rmtree(SITE / sub, ignore_errors=True)
    for i, (dnr, name, fields) in enumerate(ESF_PLUS + ESF_1420):
        write(detail_path(dnr), detail_page(dnr, name, fields, i % 2))
    for region, slug, name, fields in ESF_0713:
        write(SITE / OLD.lstrip("/") / region / slug / "index.html", old_page(name, fields))
    write(detail_path("2017/00000"), not_found_page())
    entries = list_entries() + copy_sample_pages()
    pages = (len(entries) + PER_PAGE - 1) // PER_PAGE
    for n in range(1, pages + 1):
        chunk = entries[(n - 1) * PER_PAGE:n * PER_PAGE]
        target = SITE / LIST.lstrip("/") / ("index.html" if n == 1 else f"index@sida={n}.html")
        write(target, list_page(n, pages, chunk))
    write(SITE / "robots.txt",
          "User-agent: *\n"
          "Disallow: /wp-admin/\n"
          "Disallow: /resultat/projektbanken/export/\n"
          "Disallow: /resultat/projektbanken/projekt/?dnr=99-\n"
          "Disallow: /sv/Resultat/Projektbanken/Behallare-for-projekt/Intern/\n"
          "\nSitemap: {{ORIGIN}}/sitemap.xml\n")
    urls = [LIST, f"{DETAIL}?dnr=2020/00111", f"{DETAIL}?dnr=22-021-S03", "/om-oss/"]
    write(SITE / "sitemap.xml",
          '<?xml version="1.0" encoding="UTF-8"?>\n'
          '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
          + "".join(f"  <url><loc>{{{{ORIGIN}}}}{esc(u)}</loc></url>\n" for u in urls)
          + "</urlset>\n")
    write(SITE / "404.html", not_found_page())
    write(SITE / "om-oss" / "index.html", HEADER.format(title="Om oss") + "<h1>Om oss</h1>\n" + FOOTER)
    print(f"{len(entries)} list entries on {pages} list pages")


if __name__ == "__main__":
    main()
