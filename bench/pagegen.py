"""Generate realistic project pages (~70 KB with site chrome) for benchmarks.

Deterministic for a given seed: varied markups (dl, table, div pairs, p/b/br, li), all three
programme periods, a cookie banner, a large navigation menu, inline scripts and styles, a
footer with decoy labels. Used by bench/extract_bench.py and bench/crawl_bench.py.
"""

from __future__ import annotations

import random

from stdnum import luhn

WORDS = ("projektet ska stärka kompetens arbetsmarknad deltagare kommuner region utbildning "
         "samverkan insatser kvinnor män unga vuxna arbetsgivare validering praktik handledning "
         "språkstöd digital omställning glesbygd vård omsorg industri näringsliv").split()
CITIES = ["UMEÅ", "KIRUNA", "GÄVLE", "MALMÖ", "LULEÅ", "ÖREBRO", "VÄXJÖ", "KARLSTAD", "VISBY"]
REGIONS = [("Övre Norrland", "SE33"), ("Mellersta Norrland", "SE32"), ("Stockholm", "SE11"),
           ("Sydsverige", "SE22"), ("Västsverige", "SE23"), ("Norra Mellansverige", "SE31")]


def _orgnr(rng: random.Random) -> str:
    body = f"{rng.choice('2589')}{rng.randint(2, 9)}{rng.randint(0, 9_999_999):07d}"
    return body + luhn.calc_check_digit(body)


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def fields_for(i: int, rng: random.Random) -> tuple[str, str, list[tuple[str, str]]]:
    """(period, diarienummer or slug, label/value pairs)."""
    period = ("2021-2027", "2014-2020", "2007-2013")[i % 3]
    region, nuts = rng.choice(REGIONS)
    name = " ".join(rng.choice(WORDS) for _ in range(3)).capitalize()
    if period == "2021-2027":
        dnr = f"{22 + i % 4}-{i % 1000:03d}-S{(i // 1000) % 100:02d}"
        pairs = [("Land som berörs", "Sverige"), ("Berörd fond", "ESF+"),
                 ("Program CCI", "2021SE05SFPR"), ("Diarienummer", dnr),
                 ("Projektägare organisationsnummer", _orgnr(rng)),
                 ("Projektägare", f"{rng.choice(CITIES)} KOMMUN"), ("Namn", name),
                 ("Startdatum", f"2023-{rng.randint(1, 12):02d}-01"), ("Slutdatum", "2025-12-31"),
                 ("Unionens medfinansieringsgrad", f"{rng.choice((40, 60, 90))}%"),
                 ("Programområde", rng.choice("ABCD")), ("Specifikt mål", rng.choice(["A1", "D1"])),
                 ("Sekundärtema - Motverka barnfattigdom", rng.choice(["Ja", "Nej"])),
                 ("Region", region), ("NUTS-2 kod", nuts),
                 ("Stödmottagare postnr", f"{rng.randint(10000, 98999)}"),
                 ("Stödmottagare ort", rng.choice(CITIES)), ("Interventionstyp", "175"),
                 ("Antal deltagare", str(rng.randint(0, 900))),
                 ("Insats av strategisk betydelse", "Nej")]
        rng.shuffle(pairs)
        return period, dnr, pairs
    if period == "2014-2020":
        dnr = f"{2015 + i % 6}/{i % 100000:05d}"
        amount = f"{rng.randint(1, 30)}\u00a0{rng.randint(0, 999):03d}\u00a0{rng.randint(0, 999):03d}"
        pairs = [("Projektnummer", dnr), ("Projektägare", f"Region {region}"), ("Namn", name),
                 ("Region", region), ("Planerat antal deltagare", str(rng.randint(0, 500))),
                 ("Projektperiod", "2019-01-01 - 2021-12-31"), ("Total projektbudget", amount),
                 ("Beviljat ESF-stöd", amount), ("Kontaktperson", "[namn]"),
                 ("E-post", "[e-post]@example.se"), ("Stödmottagare postnr", "75125"),
                 ("Stödmottagarens address", ""), ("Programområde", "1"),
                 ("Specifikt mål", "1.2"), ("Unionens medfinansieringsgrad", "50%"),
                 ("Interventionstyp", "118")]
        return period, dnr, pairs
    slug = f"Projekt-{i}"
    pairs = [("Programområde", "Programområde 1 Kompetensförsörjning"),
             ("Projektfas", "Genomförande"), ("Projektägare", "Östersunds kommun"),
             ("Kontaktperson", "[namn]"), ("Beviljat ESF-stöd", "500 000 kr"),
             ("Total projektbudget", "1 000 000 kr"),
             ("Projektperiod", "2008-08-25 till 2009-02-25"), ("Region", region)]
    return period, slug, pairs


def _block(markup: str, pairs: list[tuple[str, str]], old: bool) -> str:
    c = "" if old else ":"
    if markup == "dl":
        return "<dl class='project-facts'>" + "".join(
            f"<dt>{k}{c}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"
    if markup == "table":
        return "<table class='facts'><tbody>" + "".join(
            f"<tr><th>{k}{c}</th><td>{v}</td></tr>" for k, v in pairs) + "</tbody></table>"
    if markup == "div":
        return "".join(f"<div class='field'><span class='label'>{k}{c}</span> "
                       f"<span class='value'>{v}</span></div>" for k, v in pairs)
    if markup == "pbr":
        return "".join(f"<p><b>{k}{c}</b><br>{v}</p>" for k, v in pairs)
    return "<ul class='facts'>" + "".join(
        f"<li><strong>{k}{c}</strong> {v}</li>" for k, v in pairs) + "</ul>"


def _menu(rng: random.Random) -> str:
    items = []
    for s in range(12):
        subs = "".join(f"<li class='menu-item'><a href='/sektion-{s}/sida-{j}/'>"
                       f"{_sentence(rng, 3)}</a></li>" for j in range(25))
        items.append(f"<li class='menu-item has-children'><a href='/sektion-{s}/'>Sektion {s}</a>"
                     f"<ul class='sub-menu'>{subs}</ul></li>")
    return ("<nav class='main-navigation' aria-label='Huvudmeny'><ul class='menu'>"
            "<li><a href='/region/'>Region</a></li><li><a href='/po/'>Programområde</a></li>"
            + "".join(items) + "</ul></nav>")


def make_page(i: int, seed: int = 1) -> tuple[str, bytes]:
    """(url, html bytes) of page i."""
    rng = random.Random(seed * 1_000_003 + i)
    period, ident, pairs = fields_for(i, rng)
    old = period == "2007-2013"
    if old:
        url = f"https://www.esf.se/sv/Resultat/Projektbanken/Behallare-for-projekt/Stockholm/{ident}/"
        title = dict(pairs).get("Namn", f"Projekt {i}")
        title = f"Projekt {i}"
    else:
        url = f"https://www.esf.se/resultat/projektbanken/projekt/?dnr={ident}"
        title = f"{ident} - {dict(pairs)['Namn']}"
    markup = ("dl", "table", "div", "pbr", "li")[i % 5]
    desc = "".join(f"<p>{' '.join(_sentence(rng, rng.randint(8, 20)) for _ in range(5))}</p>"
                   for _ in range(rng.randint(2, 5)))
    if old:
        desc = "<p><a href='/en/'>In English</a></p><h2>Sammanfattning</h2>" + desc
    script = "<script>" + ";".join(f"var v{j}={j * 7}" for j in range(1500)) + "</script>"
    style = "<style>" + "".join(f".c{j}{{margin:{j}px}}" for j in range(600)) + "</style>"
    html = (f"<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><title>{title}</title>"
            f"<link rel='canonical' href='{url}'>{style}{script}</head>"
            "<body class='page-template-default has-main-navigation'>"
            "<div class='cookie-banner' role='dialog'><p>Cookies</p><p>Den här hemsidan använder "
            "cookies.</p><button>Lär dig mer</button></div>"
            f"<header class='site-header'>{_menu(rng)}</header>"
            "<div class='breadcrumb'><a href='/'>Start</a> › <a href='/resultat/'>Resultat</a></div>"
            f"<main id='main'><article><h1>{title}</h1>{_block(markup, pairs, old)}{desc}"
            "<div class='share'><p>Dela sidan</p></div></article></main>"
            "<footer class='site-footer'><p>Telefon:</p><p>08-579 171 00</p>"
            "<p>Organisationsnummer:</p><p>202100-5349</p></footer></body></html>")
    return url, html.encode("utf-8")
