"""Write the sample pages that reproduce the facts of real esf.se pages (issue 13; source-notes.md,
"Seen on real pages").

    python samples/real/_make_real.py

Writes <name>.html|.txt and <name>.meta.json next to this script. The <name>.expected.json files
are NOT generated here: the columns a page is about were written by hand from the facts; the rest
of the record was added by `python bench/parse_fixtures.py --update`. After a page changes, run
that and read its diff. Personal data on these pages is invented (`Exempel…` names, example addresses).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
WHEN = "2026-12-01T08:00:00+00:00"
PB = "https://www.esf.se/resultat/projektbanken/projekt/?dnr="
SITE1620 = "https://www.esf.se/sv/Resultat/Projektbanken-2014-2020/Alla-Projekt/"
OLD = "https://www.esf.se/Resultat/Projektbanken/Behallare-for-projekt/"

HEAD = ('<!DOCTYPE html>\n<html lang="sv">\n<head><meta charset="utf-8"><title>{title} - '
        'Svenska ESF-rådet</title></head>\n<body>\n<header class="site-header"><nav class="menu">'
        '<a href="/">Start</a> <a href="/resultat/projektbanken/">Projektbanken</a></nav></header>\n'
        '<main id="main">\n')
FOOT = ('</main>\n<footer class="footer"><p>Svenska ESF-rådet</p><p>Telefon: 08-579 171 00</p>'
        '</footer>\n</body>\n</html>\n')


def html(title: str, body: str) -> str:
    return HEAD.format(title=title) + body + FOOT


def write(name: str, text: str, url: str, ctype: str = "text/html; charset=utf-8",
          cut: int | None = None) -> None:
    suffix = ".txt" if ctype.startswith("text/plain") else ".html"
    data = text.encode("utf-8")
    if cut is not None:
        data = data[:cut]
    (HERE / (name + suffix)).write_bytes(data)
    meta = {"url": url, "fetched_at": WHEN, "headers": {"Content-Type": ctype}}
    (HERE / (name + ".meta.json")).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")


def cut_after(text: str, marker: str) -> int:
    """Byte offset just after `marker` (a page cut off in transfer there)."""
    head = text[: text.index(marker) + len(marker)]
    return len(head.encode("utf-8"))


# --- item 1, 4, 5, 6, 8: the 2016–2020 site, label per line without a colon -------------------

SUMMARY_1620 = ("Projektet utbildar arbetslösa kvinnor och män till undersköterskor i "
                "Göteborgsregionen, med språkstöd och handledning på arbetsplatsen.")

write("r13_esf1420_2016site_text_fler-underskoterskor", f"""Fler undersköterskor

Programområde
2
Region
Västsverige
Utlysning
2015/00897
Projektägare
2220000265, GR Arbetsmarknad och Social välfärd
Samverkanspartner
Lerums kommun
Projektnummer
2016/00311
Planerat antal deltagare
120
Projektperiod
2016-08-01-2019-03-31
Total projektbudget
12 400 000
Beviljat ESF-stöd
6 200 000
Kontaktperson
Anna Exempelsson
E-post
anna.exempelsson@goteborgsregionen.se

Sammanfattning

{SUMMARY_1620}
""", SITE1620 + "Fler-underskoterskor/", "text/plain; charset=utf-8")

write("r13_esf1420_2016site_dl_jobbtorget", html("Jobbtorget Väst", f"""<h1>Jobbtorget Väst</h1>
<dl class="project-facts">
<dt>Programområde</dt><dd>2</dd>
<dt>Region</dt><dd>Östra Mellansverige</dd>
<dt>Utlysning</dt><dd>2015/00897</dd>
<dt>Delprogram</dt><dd>Unga utanför</dd>
<dt>Projektägare</dt><dd>176 Arbetsmarknads- och socialförvaltningen, Malmö Stad</dd>
<dt>Projektnummer</dt><dd>2017/00412</dd>
<dt>Planerat antal deltagare</dt><dd>300</dd>
<dt>Projektperiod</dt><dd>2017-09-01-2020-08-31</dd>
<dt>Total projektbudget</dt><dd>9 800 000</dd>
<dt>Beviljat ESF-stöd</dt><dd>4 900 000</dd>
<dt>Kontaktperson</dt><dd>Per Exempelsson</dd>
<dt>E-post</dt><dd>per.exempelsson@malmo.se</dd>
</dl>
<h2>Sammanfattning</h2>
<p>Jobbtorget Väst ger unga vuxna som varken arbetar eller studerar stöd att hitta en väg till arbete.</p>
"""), SITE1620 + "Jobbtorget-Vast/")

write("r13_esf1420_2016site_table_vagen-vidare", html("Vägen vidare", """<h1>Vägen vidare</h1>
<table class="facts"><tbody>
<tr><th>Programområde</th><td>2</td></tr>
<tr><th>Region</th><td>Sydsverige</td></tr>
<tr><th>Samverkanspartner</th><td>Lunds kommun</td></tr>
<tr><th>Projektägare</th><td>2120000267, Trelleborgs kommun</td></tr>
<tr><th>Projektnummer</th><td>2016/00733</td></tr>
<tr><th>Planerat antal deltagare</th><td>80</td></tr>
<tr><td>Projektperiod</td><td>2016-10-01-2018-09-30</td></tr>
<tr><td>Ansvarig handläggare</td><td>Enheten för Skåne</td></tr>
<tr><th>Total projektbudget</th><td>5 100 000</td></tr>
<tr><th>Beviljat ESF-stöd</th><td>2 550 000</td></tr>
</tbody></table>
<h2>Sammanfattning</h2>
<p>Vägen vidare stöttar långtidsarbetslösa i Trelleborg med praktik och studie- och yrkesvägledning.</p>
"""), SITE1620 + "Vagen-vidare/")

write("r13_esf1420_2016site_divp_kompetens-nord", html("Kompetens Nord", """<h1>Kompetens Nord</h1>
<div class="project-info">
<p>Programområde</p><p>1</p>
<p>Region</p><p>Övre Norrland</p>
<p>Utlysning</p><p>2016/00101</p>
<p>Projektägare</p><p>Region Norrbotten</p>
<p>Branschinriktning</p><p>Gruvnäring och industri</p>
<p>Projektnummer</p><p>2016/00945</p>
<p>Planerat antal deltagare</p><p>450</p>
<p>Projektperiod</p><p>2017-01-01-2019-12-31</p>
<p>Total projektbudget</p><p>14 000 000</p>
<p>Beviljat ESF-stöd</p><p>7 000 000</p>
</div>
<h2>Sammanfattning</h2>
<p>Kompetens Nord höjer kompetensen hos anställda i gruvnäringen och industrin i Norrbotten.</p>
"""), SITE1620 + "Kompetens-Nord/")

# --- item 2 (and 1): 2007–2013, label and value glued ---------------------------------------

write("r13_esf0713_textglued_epost_halsingland", """Information med anledning av covid-19
Vägen framåt Hälsingland

ProgramområdeProgramområde 2 Ökat arbetskraftsutbud
ProjektfasGenomförande
UtvärderareRamböll Management
ProjektägareHudiksvalls kommun
KontaktpersonKarin Exempelsdotter
E-postkarin.exempelsdotter@hudiksvall.se
Telefonnummer0650-190 99
Beviljat ESF-stöd1 200 000 kr
Total projektbudget2 400 000 kr
Projektperiod2009-09-01 till 2011-08-31
RegionNorra Mellansverige
In English

Sammanfattning

Vägen framåt ger långtidsarbetslösa i Hudiksvall stöd tillbaka till arbete.
""", OLD + "Norra-Mellansverige/Vagen-framat-Halsingland/", "text/plain; charset=utf-8")

write("r13_esf0713_spans_utvarderare_meritnu", html("merit.nu", """<h1>merit.nu</h1>
<div class="projectinfo">
<div><span class="label">Programområde</span><span class="value">Programområde 1 Kompetensförsörjning</span></div>
<div><span class="label">Projektfas</span><span class="value">Genomförande</span></div>
<div><span class="label">Projektägare</span><span class="value">Lärcentrum Skellefteå</span></div>
<div><span class="label">Utvärderare</span><span class="value">Ramböll Management</span></div>
<div><span class="label">Kontaktperson</span><span class="value">Jonas Exempelsson</span></div>
<div><span class="label">E-post</span><span class="value">jonas.exempelsson@skelleftea.se</span></div>
<div><span class="label">Beviljat ESF-stöd</span><span class="value">800 000 kr</span></div>
<div><span class="label">Total projektbudget</span><span class="value">1 600 000 kr</span></div>
<div><span class="label">Projektperiod</span><span class="value">2010-01-01 till 2011-12-31</span></div>
<div><span class="label">Region</span><span class="value">Övre Norrland</span></div>
</div>
<p><a href="#en">In English</a></p>
<h2>Sammanfattning</h2>
<p>merit.nu validerar yrkeskunskaper hos anställda i Skellefteå.</p>
"""), OLD + "Ovre-Norrland/meritnu/")

write("r13_esf0713_brglued_epost_gotland", html("Gotlandsvägen", """<h1>Gotlandsvägen</h1>
<p>ProgramområdeProgramområde 2 Ökat arbetskraftsutbud<br>
ProjektfasFörprojektering<br>
ProjektägareRegion Gotland<br>
KontaktpersonEva Exempelström<br>
E-posteva.exempelstrom@gotland.se<br>
Beviljat ESF-stöd300 000 kr<br>
Total projektbudget300 000 kr<br>
Projektperiod2008-05-01 till 2008-10-31<br>
RegionStockholm</p>
<h2>Sammanfattning</h2>
<p>Förprojekteringen kartlägger behovet av vägledning för unga på Gotland.</p>
"""), OLD + "Stockholm/Gotlandsvagen/")

# --- item 3: a run of unknown `Label:` lines closes the block --------------------------------

TRAILING = [("Samverkanspartner", "Arbetsförmedlingen"), ("Målgrupp", "Unga 16–24 år"),
            ("Webbplats", "www.example.se/steget"), ("Kontakt e-post", "info@example.se"),
            ("Mobil", "070-000 00 00"), ("Ansvarig enhet", "Utbildningsförvaltningen")]

write("r13_esfplus_dl_trailing6_23-077-S02", html("23-077-S02 - Steget", """<h1>23-077-S02 - Steget</h1>
<dl>
<dt>Land som berörs:</dt><dd>Sverige</dd>
<dt>Berörd fond:</dt><dd>ESF+</dd>
<dt>Diarienummer:</dt><dd>23-077-S02</dd>
<dt>Projektägare:</dt><dd>UMEÅ KOMMUN</dd>
<dt>Namn:</dt><dd>Steget</dd>
<dt>Startdatum:</dt><dd>2023-08-01</dd>
<dt>Slutdatum:</dt><dd>2025-07-31</dd>
<dt>Programområde:</dt><dd>B</dd>
<dt>Region:</dt><dd>Övre Norrland</dd>
""" + "".join(f"<dt>{k}:</dt><dd>{v}</dd>\n" for k, v in TRAILING) + """</dl>
<p>Steget ger unga i Umeå som varken arbetar eller studerar en väg till arbete eller studier.</p>
"""), PB + "23-077-S02")

write("r13_esfplus_text_trailing6_23-078-S03", """23-078-S03 - Steget Norr

Land som berörs: Sverige
Berörd fond: ESF+
Diarienummer: 23-078-S03
Projektägare: SKELLEFTEÅ KOMMUN
Namn: Steget Norr
Startdatum: 2023-09-01
Slutdatum: 2025-08-31
Programområde: B
Region: Övre Norrland
""" + "".join(f"{k}: {v}\n" for k, v in TRAILING) + """
Steget Norr ger unga i Skellefteå stöd till arbete eller studier.
""", PB + "23-078-S03", "text/plain; charset=utf-8")

# --- ESF+ spellings of a later layout --------------------------------------------------------

write("r13_esfplus_thirdlayout_24-061-S04", html("24-061-S04 - Nya vägar i vården", """
<h1>24-061-S04 - Nya vägar i vården</h1>
<ul class="facts">
<li><strong>Diarienummer:</strong> 24-061-S04</li>
<li><strong>Programperiod:</strong> 2021-2027</li>
<li><strong>Fond:</strong> ESF+</li>
<li><strong>Projektägare:</strong> REGION JÄMTLAND HÄRJEDALEN</li>
<li><strong>Projektägare org.nr.:</strong> 2321000214</li>
<li><strong>Stödmottagarens postnummer:</strong> 83183</li>
<li><strong>Stödmottagarens ort:</strong> ÖSTERSUND</li>
<li><strong>Stödmottagarens land:</strong> Sverige</li>
<li><strong>Projektperiod:</strong> 2024-09-01 - 2026-08-31</li>
<li><strong>Startdatum:</strong> 2024-09-01</li>
<li><strong>Slutdatum:</strong> 2026-08-31</li>
<li><strong>Programområde:</strong> A</li>
<li><strong>Planerat antal deltagare:</strong> 450</li>
</ul>
<p>Projektet ger anställda i vården i Jämtland och Härjedalen möjlighet att validera och utveckla sin kompetens.</p>
"""), PB + "24-061-S04")

write("r13_esfplus_projektheading_alpha_24-070-S01", html("Projekt", """<h1>Projekt</h1>
<dl>
<dt>Beviljat ESF-stöd:</dt><dd>3 600 000</dd>
<dt>Diarienummer:</dt><dd>24-070-S01</dd>
<dt>Namn:</dt><dd>Digitalt lyft i Dalarna</dd>
<dt>Programområde:</dt><dd>A</dd>
<dt>Projektägare:</dt><dd>FALU KOMMUN</dd>
<dt>Region:</dt><dd>Norra Mellansverige</dd>
<dt>Slutdatum:</dt><dd>2026-12-31</dd>
<dt>Startdatum:</dt><dd>2025-01-01</dd>
<dt>Total projektbudget:</dt><dd>9 000 000</dd>
</dl>
<p>Digitalt lyft ger anställda i Dalarnas kommuner grundläggande digital kompetens.</p>
"""), PB + "24-070-S01")

# --- item 7: 2014–2020 programme areas beyond 1–4 --------------------------------------------

write("r13_esf1420_reacteu_2021-00123", """2021/00123 - Omstart efter pandemin

Projektnummer:
2021/00123
Projektägare:
Borås Stad, Arbetslivsförvaltningen
Namn:
Omstart efter pandemin
Region:
Västsverige
Planerat antal deltagare:
200
Projektperiod:
2021-09-01 - 2023-06-30
Total projektbudget:
8 000 000
Beviljat ESF-stöd:
8 000 000
Programområde:
React-EU
Specifikt mål:
5.1

Omstart ger personer som blev arbetslösa under pandemin stöd tillbaka till arbete.
""", PB + "2021/00123", "text/plain; charset=utf-8")

write("r13_esf1420_care_2022-00456", html("2022/00456 - Välkommen till Sverige", """
<h1>2022/00456 - Välkommen till Sverige</h1>
<ul>
<li>Projektnummer: 2022/00456</li>
<li>Projektägare: Linköpings kommun</li>
<li>Namn: Välkommen till Sverige</li>
<li>Region: Östra Mellansverige</li>
<li>Projektperiod: 2022-10-01 - 2023-12-31</li>
<li>Programområde: 7</li>
<li>Specifikt mål: 7.3</li>
<li>Total projektbudget: 2 000 000</li>
<li>Beviljat ESF-stöd: 2 000 000</li>
</ul>
<p>Projektet ger personer som flytt från Ukraina språkstöd och vägar till arbete.</p>
"""), PB + "2022/00456")

# --- truncated pages ---------------------------------------------------------------------------

CUT_BLOCK = html("23-090-S01 - Vägar till jobb", """<h1>23-090-S01 - Vägar till jobb</h1>
<dl>
<dt>Diarienummer:</dt><dd>23-090-S01</dd>
<dt>Namn:</dt><dd>Vägar till jobb</dd>
<dt>Projektägare:</dt><dd>NORRKÖPINGS KOMMUN</dd>
<dt>Startdatum:</dt><dd>2023-10-01</dd>
<dt>Slutdatum:</dt><dd>2025-09-30</dd>
<dt>Land som berörs:</dt><dd>Sverige</dd>
<dt>Berörd fond:</dt><dd>ESF+</dd>
<dt>Program CCI:</dt><dd>2021SE05SFPR</dd>
<dt>Region:</dt><dd>Östra Mellansverige</dd>
</dl>
<p>Vägar till jobb ger arbetslösa i Norrköping stöd till arbete.</p>
""")
write("r13_esfplus_truncated_inblock_23-090-S01", CUT_BLOCK, PB + "23-090-S01",
      cut=cut_after(CUT_BLOCK, "<dt>Berörd fond:</dt><dd>ES"))

CUT_DESC = html("2018/00777 - Lärlingsvägen", """<h1>2018/00777 - Lärlingsvägen</h1>
<dl>
<dt>Projektnummer:</dt><dd>2018/00777</dd>
<dt>Projektägare:</dt><dd>Jönköpings kommun</dd>
<dt>Namn:</dt><dd>Lärlingsvägen</dd>
<dt>Region:</dt><dd>Småland och öarna</dd>
<dt>Projektperiod:</dt><dd>2018-09-01 - 2020-08-31</dd>
<dt>Programområde:</dt><dd>2</dd>
<dt>Specifikt mål:</dt><dd>2.1</dd>
</dl>
<p>Lärlingsvägen kombinerar yrkesutbildning med lärlingsplatser hos arbetsgivare i Jönköping och
ger deltagarna handledning under hela utbildningen.</p>
""")
write("r13_esf1420_truncated_indesc_2018-00777", CUT_DESC, PB + "2018/00777",
      cut=cut_after(CUT_DESC, "hos arbetsgivare i Jön"))

# --- blind pass: pages written from the issue text alone, in markups not used above ------------

write("r13b_esf1420_libr_2016site_arbetslinjen", html("Arbetslinjen", """<h1>Arbetslinjen</h1>
<ul class="project-meta">
<li><span class="meta-label">Programområde</span><br><span class="meta-value">2</span></li>
<li><span class="meta-label">Region</span><br><span class="meta-value">Östra Mellansverige</span></li>
<li><span class="meta-label">Utlysning</span><br><span class="meta-value">2015/00897</span></li>
<li><span class="meta-label">Insatsområde</span><br><span class="meta-value">Social inkludering</span></li>
<li><span class="meta-label">Projektägare</span><br><span class="meta-value">2220000265, GR Arbetsmarknad och Social välfärd</span></li>
<li><span class="meta-label">Projektnummer</span><br><span class="meta-value">2016/00520</span></li>
<li><span class="meta-label">Planerat antal deltagare</span><br><span class="meta-value">60</span></li>
<li><span class="meta-label">Projektperiod</span><br><span class="meta-value">2016-08-01-2019-03-31</span></li>
<li><span class="meta-label">Total projektbudget</span><br><span class="meta-value">3 000 000</span></li>
<li><span class="meta-label">Beviljat ESF-stöd</span><br><span class="meta-value">1 500 000</span></li>
</ul>
<h2>Sammanfattning</h2>
<p>Arbetslinjen ger personer långt från arbetsmarknaden stöd till arbete.</p>
"""), SITE1620 + "Arbetslinjen/")

write("r13b_esfplus_td2col_thirdlayout_25-012-S02", html("25-012-S02 - Lärvägen", """
<h1>25-012-S02 - Lärvägen</h1>
<table class="project"><tr><td>Diarienummer:</td><td>25-012-S02</td></tr>
<tr><td>Fond:</td><td>ESF+</td></tr>
<tr><td>Programperiod:</td><td>2014-2020</td></tr>
<tr><td>Projektägare:</td><td>KARLSTADS KOMMUN</td></tr>
<tr><td>Projektägare org.nr.:</td><td>2120001868</td></tr>
<tr><td>Stödmottagarens postnummer:</td><td>65184</td></tr>
<tr><td>Stödmottagarens ort:</td><td>KARLSTAD</td></tr>
<tr><td>Stödmottagarens land:</td><td>Sverige</td></tr>
<tr><td>Startdatum:</td><td>2025-03-01</td></tr>
<tr><td>Slutdatum:</td><td>2027-02-28</td></tr>
<tr><td>Projektperiod:</td><td>2025-03-01 - 2027-02-28</td></tr>
<tr><td>Planerat antal deltagare:</td><td>90</td></tr>
</table>
<p>Lärvägen ger vuxna i Karlstad utan gymnasieexamen en väg till yrkesutbildning.</p>
"""), PB + "25-012-S02")

write("r13b_esf0713_textbanner_epost_kalmar", """3 december - Webbinarium om ansökan
Kompetenssteget Kalmar

ProgramområdeProgramområde 1 Kompetensförsörjning
ProjektfasGenomförande
ProjektägareKalmar kommun
KontaktpersonLars Exempelsson
E-postlars.exempelsson@kalmar.se
Telefonnummer0480-450 99
Beviljat ESF-stöd700 000 kr
Total projektbudget1 400 000 kr
Projektperiod2011-01-01 till 2012-12-31
RegionSmåland och öarna
In English

Sammanfattning

Kompetenssteget höjer kompetensen hos anställda i Kalmars äldreomsorg.
""", OLD + "Smaland-och-oarna/Kompetenssteget-Kalmar/", "text/plain; charset=utf-8")

CUT_TD = html("2019/00888 - Bryggan", """<h1>2019/00888 - Bryggan</h1>
<table><tr><th>Projektnummer</th><td>2019/00888</td></tr>
<tr><th>Projektägare</th><td>Västerås stad</td></tr>
<tr><th>Namn</th><td>Bryggan</td></tr>
<tr><th>Region</th><td>Östra Mellansverige</td></tr>
<tr><th>Programområde</th><td>2</td></tr>
<tr><th>Specifikt mål</th><td>2.1</td></tr>
<tr><th>Interventionstyp</th><td>109</td></tr>
</table>
<p>Bryggan ger unga i Västerås stöd till arbete.</p>
""")
write("r13b_esf1420_truncated_intd_2019-00888", CUT_TD, PB + "2019/00888",
      cut=cut_after(CUT_TD, "<th>Interventionstyp</th><td>10"))
