"""Regenerate the sample HTML pages and their .meta.json files.

    python samples/pages/_make_samples.py

Writes <name>.html (bytes in the page's own encoding) and <name>.meta.json next to this
script. The <name>.expected.json files are NOT generated here: the columns a page is about
were written by hand from the pages; the rest of the record was added by
`python bench/parse_fixtures.py --update` (which keeps every value the tests accept as written).
After a page changes, run that and read its diff.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
NBSP = "\u00a0"
PB = "https://www.esf.se/resultat/projektbanken/projekt/?dnr="
OLD = "https://www.esf.se/sv/Resultat/Projektbanken/Behallare-for-projekt/"

# --------------------------------------------------------------------------------------
# Site chrome
# --------------------------------------------------------------------------------------

REGIONS = ["Övre Norrland", "Mellersta Norrland", "Norra Mellansverige", "Östra Mellansverige",
           "Stockholm", "Västsverige", "Småland och öarna", "Sydsverige", "ESF Nationellt"]
AREAS = [("A", "Öka möjligheten till ett inkluderande och hållbart arbetsliv för alla"),
         ("B", "Öka möjligheten till arbete"), ("C", "Minska risken för ekonomisk utsatthet"),
         ("D", "Öka kapaciteten i den glesa geografin"), ("E", "Social innovation"),
         ("F", "Fast Care – stöd till ukrainska flyktingar")]
CALLS = ["Kompetensutveckling för anställda i små företag", "Vägar till arbete för unga",
         "Stärkt samverkan i glesbygd", "Social innovation för inkludering",
         "Motverka barnfattigdom genom föräldrars etablering", "Digital omställning i välfärden",
         "Validering och yrkesutbildning", "Nationell utlysning för civilsamhället",
         "Transnationellt samarbete", "Tekniskt stöd för mindre organisationer",
         "Hållbart arbetsliv för äldre arbetstagare", "Stöd till nyanlända kvinnor"]
NEWS = ["62 miljoner till kompetensutveckling i Västsverige",
        "Nu öppnar utlysningen för social innovation",
        "Socialfondsrapporten: så går det för deltagarna",
        "Övervakningskommittén har fattat beslut om nya utlysningar",
        "Webbinarium om ansökan i Projektrummet"]


def nav_menu(style: str) -> str:
    """A big WordPress-like mega menu (or an older-site menu for style 'old')."""
    def ul(items, cls="sub-menu"):
        return f'<ul class="{cls}">' + "".join(items) + "</ul>"

    def li(text, href, sub=""):
        return (f'<li class="menu-item menu-item-type-post_type"><a href="{href}">{text}</a>'
                f"{sub}</li>\n")

    region_items = [li(r, "https://www.esf.se/region/" + r.lower().replace(" ", "-")
                       .replace("ö", "o").replace("ä", "a").replace("å", "a") + "/",
                       ul([li("Utlysningar i " + r, "#"), li("Projekt i " + r, "#"),
                           li("Kontakta oss i " + r, "#"), li("Övervakningskommitté", "#")]))
                    for r in REGIONS]
    area_items = [li(f"Programområde {c} – {n}", f"https://www.esf.se/programomrade/{c.lower()}/",
                     ul([li("Specifika mål", "#"), li("Målgrupper", "#"),
                         li("Aktuella utlysningar", "#")]))
                  for c, n in AREAS]
    call_items = [li(c, "https://www.esf.se/utlysningar/utlysning/?dnr=2" + str(3 + i % 3)
                     + "-0" + str(10 + i) + "/") for i, c in enumerate(CALLS)]
    top = [
        li("Stöd och finansiering", "https://www.esf.se/stod-och-finansiering/", ul([
            li("Socialfondsprogrammet ESF+ 2021–2027", "#"), li("Strategiska EU-projekt", "#"),
            li("Tidigare fonder", "#", ul([li("Socialfonden 2014–2020", "#"),
                                          li("Socialfonden 2007–2013", "#"), li("FEAD", "#")])),
            li("Vem kan söka stöd?", "#"), li("Stödformer och medfinansiering", "#")])),
        li("Region", "https://www.esf.se/region/", ul(region_items)),
        li("Programområde", "https://www.esf.se/programomrade/", ul(area_items)),
        li("Utlysningar", "https://www.esf.se/utlysningar/", ul(call_items + [
            li("Kommande utlysningar", "#"), li("Avslutade utlysningar", "#")])),
        li("Söka och driva projekt", "https://www.esf.se/soka-och-driva-projekt/", ul([
            li("Så söker du", "#"), li("Projektrummet", "#"), li("Redovisa och rapportera", "#"),
            li("Ansök om utbetalning", "#"), li("Kommunikation och informationskrav", "#"),
            li("Horisontella principer", "#"), li("Frågor och svar", "#"),
            li("Handbok för projekt", "#"), li("Mallar och blanketter", "#")])),
        li("Resultat", "https://www.esf.se/resultat/", ul([
            li("Projektbanken", "https://www.esf.se/resultat/projektbanken/"),
            li("Socialfondsrapporter", "#"), li("Utvärderingar", "#"),
            li("Goda exempel", "#"), li("Statistik om deltagare", "#")])),
        li("Om oss", "https://www.esf.se/om-oss/", ul([
            li("Organisation", "#"), li("Lediga jobb", "#"), li("Press", "#"),
            li("Kalender", "#"), li("Nyheter", "#"), li("Tillgänglighetsredogörelse", "#"),
            li("Behandling av personuppgifter", "#"), li("Visselblåsning", "#")])),
    ]
    if style == "old":
        return ('<div id="MainMenu"><ul class="mainmenu">' + "".join(top)
                + '<li><a href="/sv/Resultat/Projektbanken/">Projektbanken</a></li></ul></div>')
    return ('<nav id="site-navigation" class="main-navigation" aria-label="Huvudmeny">'
            '<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">'
            'Meny</button>' + ul(top, "menu nav-menu") + "</nav>")


CSS = """
:root{--esf-blue:#00467f;--esf-yellow:#ffd200;--text:#1d1d1b;--grey:#f2f2f2}
body{margin:0;font-family:"Source Sans Pro",Arial,sans-serif;color:var(--text);line-height:1.6}
.skip-link{position:absolute;left:-9999px}.skip-link:focus{left:1rem;top:1rem;z-index:999}
.site-header{background:#fff;border-bottom:4px solid var(--esf-blue)}
.main-navigation ul{list-style:none;margin:0;padding:0}.main-navigation li{position:relative}
.main-navigation .sub-menu{display:none;position:absolute;background:#fff;min-width:18rem}
.main-navigation li:hover>.sub-menu{display:block}
.breadcrumbs{font-size:.875rem;padding:.5rem 0}.breadcrumbs a{color:var(--esf-blue)}
.cookie-notice{position:fixed;bottom:0;left:0;right:0;background:var(--esf-blue);color:#fff;
padding:1rem 2rem;z-index:1000}.cookie-notice .btn{background:var(--esf-yellow);border:0}
.project-facts dt,.projektfakta th{font-weight:700}.project-facts dd{margin:0 0 .5rem 0}
.field-label{font-weight:700}.share-box{border-top:1px solid #ccc;margin-top:2rem}
.site-footer{background:var(--esf-blue);color:#fff;padding:2rem}.site-footer a{color:#fff}
.widget-area{font-size:.95rem}.widget-title{font-size:1.1rem;text-transform:uppercase}
@media (max-width:768px){.main-navigation .menu{display:none}.widget-area{display:none}}
.wp-block-group{padding:0}.wp-block-columns{display:flex;gap:2rem}
.has-text-align-center{text-align:center}.screen-reader-text{clip:rect(1px,1px,1px,1px)}
""" * 3

SCRIPT = """
window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('consent', 'default', {'analytics_storage': 'denied', 'ad_storage': 'denied'});
(function(){var d=document,s=d.createElement('script');s.async=true;
s.src='https://www.esf.se/wp-content/plugins/matomo/app/matomo.js';
d.getElementsByTagName('head')[0].appendChild(s);})();
var esfSettings = {"ajaxUrl":"https:\\/\\/www.esf.se\\/wp-admin\\/admin-ajax.php","lang":"sv",
"cookieText":"Den h\\u00e4r hemsidan anv\\u00e4nder cookies","searchPlaceholder":"S\\u00f6k p\\u00e5 esf.se"};
"""


def head(p: dict) -> str:
    charset = ""
    if p.get("meta_charset"):
        charset = f'<meta charset="{p["meta_charset"]}">\n'
    canonical = f'<link rel="canonical" href="{p["url"]}">\n' if p.get("canonical", True) else ""
    title = p["title_text"]
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": p["url"], "url": p["url"],
             "name": title + " - Svenska ESF-rådet", "inLanguage": "sv-SE",
             "isPartOf": {"@id": "https://www.esf.se/#website"},
             "breadcrumb": {"@id": p["url"] + "#breadcrumb"}},
            {"@type": "WebSite", "@id": "https://www.esf.se/#website", "url": "https://www.esf.se/",
             "name": "Svenska ESF-rådet", "publisher": {"@id": "https://www.esf.se/#organization"}},
            {"@type": "Organization", "@id": "https://www.esf.se/#organization",
             "name": "Svenska ESF-rådet", "url": "https://www.esf.se/",
             "logo": "https://www.esf.se/wp-content/themes/esf/assets/img/logo.svg"},
        ],
    }
    return (
        "<head>\n" + charset
        + '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        + f"<title>{title} - Svenska ESF-rådet</title>\n"
        + '<meta name="robots" content="index, follow, max-image-preview:large">\n'
        + f'<meta property="og:locale" content="sv_SE">\n<meta property="og:type" content="article">\n'
        + f'<meta property="og:title" content="{title}">\n<meta property="og:url" content="{p["url"]}">\n'
        + '<meta property="og:site_name" content="Svenska ESF-rådet">\n'
        + ('<meta name="generator" content="EPiServer">\n' if p["layout"] == "old"
           else '<meta name="generator" content="WordPress 6.6.2">\n') + canonical
        + '<link rel="stylesheet" id="esf-style-css" href="https://www.esf.se/wp-content/themes/esf/style.css?ver=3.4.1" media="all">\n'
        + '<link rel="icon" href="https://www.esf.se/wp-content/uploads/2022/01/favicon-32x32.png" sizes="32x32">\n'
        + "<style id=\"esf-inline-css\">" + CSS + "</style>\n"
        + '<script type="application/ld+json" class="yoast-schema-graph">'
        + json.dumps(ld, ensure_ascii=False) + "</script>\n"
        + "<script>" + SCRIPT + "</script>\n"
        + '<script src="https://www.esf.se/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>\n'
        + "</head>\n")


COOKIE = """<div id="cookie-notice" class="cookie-notice" role="dialog" aria-label="Cookies">
<div class="cookie-notice-container"><span class="information-count">information (1)</span>
<h2 class="cookie-title">Cookies</h2>
<p id="cn-notice-text" class="cn-text-container">Den här hemsidan använder cookies för att säkerställa bästa möjliga upplevelse på vår webb. Genom att använda denna webbplats förutsätter vi att du godkänner att vi sparar cookies på din enhet.</p>
<span id="cn-notice-buttons"><a href="#" id="cn-accept-cookie" class="cn-set-cookie btn" data-cookie-set="accept">Ok</a>
<a href="https://www.esf.se/om-oss/cookies/" class="cn-more-info btn">Lär dig mer</a></span></div></div>
"""

COOKIE_OLD = """<div class="cookieBar"><strong>Cookies</strong>
<p>Den här hemsidan använder cookies för att säkerställa bästa möjliga upplevelse på vår webb. Genom att använda denna webbplats förutsätter vi att du godkänner att vi sparar cookies på din enhet.</p>
<a href="/sv/Om-ESF-radet/Cookies/">Lär dig mer</a> <a href="#" class="closeCookie">Stäng</a></div>
"""

FOOTER = """<footer id="colophon" class="site-footer">
<div class="footer-widgets wp-block-columns">
<div class="footer-col"><h2>Svenska ESF-rådet</h2>
<p>Svenska ESF-rådet är förvaltande myndighet för Europeiska socialfonden+ i Sverige.</p>
<p>Postadress: Box 47141, 100 74 Stockholm<br>Besöksadress: Tegeluddsvägen 31, Stockholm</p>
<p>Telefon: 08-579 171 00<br>E-post: esf@esf.se</p>
<p>Organisationsnummer: 202100-5349</p></div>
<div class="footer-col"><h2>Genvägar</h2><ul>
<li><a href="https://www.esf.se/resultat/projektbanken/">Projektbanken</a></li>
<li><a href="https://www.esf.se/utlysningar/">Utlysningar</a></li>
<li><a href="https://www.esf.se/om-oss/press/">Press</a></li>
<li><a href="https://www.esf.se/om-oss/lediga-jobb/">Lediga jobb</a></li></ul></div>
<div class="footer-col"><h2>Följ oss</h2><ul>
<li><a href="https://www.linkedin.com/company/svenska-esf-radet/">LinkedIn</a></li>
<li><a href="https://www.facebook.com/ESFradet">Facebook</a></li>
<li><a href="https://www.youtube.com/user/ESFradet">Youtube</a></li></ul>
<p><a href="https://www.esf.se/om-oss/tillganglighetsredogorelse/">Tillgänglighetsredogörelse</a> |
<a href="https://www.esf.se/om-oss/behandling-av-personuppgifter/">Behandling av personuppgifter</a></p></div>
</div>
<div class="site-info"><img src="https://www.esf.se/wp-content/themes/esf/assets/img/eu-medfinansieras.svg" alt="Medfinansieras av Europeiska unionen">
<p>© Svenska ESF-rådet</p></div>
</footer>
"""

FOOTER_TABLE = """<div id="colophon" class="site-footer">
<h2>Kontakta Svenska ESF-rådet</h2>
<table class="contact-table"><tbody>
<tr><th>Postadress:</th><td>Box 47141, 100 74 Stockholm</td></tr>
<tr><th>Telefon:</th><td>08-579 171 00</td></tr>
<tr><th>E-post:</th><td>esf@esf.se</td></tr>
<tr><th>Organisationsnummer:</th><td>202100-5349</td></tr>
</tbody></table>
<ul class="footer-links"><li><a href="https://www.esf.se/resultat/projektbanken/">Projektbanken</a></li>
<li><a href="https://www.esf.se/om-oss/behandling-av-personuppgifter/">Behandling av personuppgifter</a></li>
<li><a href="https://www.esf.se/om-oss/cookies/">Cookies</a></li></ul>
<p>© Svenska ESF-rådet – Medfinansieras av Europeiska unionen</p>
</div>
"""

FOOTER_OLD = """<div id="Footer"><div class="footerInner">
<span class="footerItem">Svenska ESF-rådet</span>
<span class="footerItem">Postadress: Box 47141, 100 74 Stockholm</span>
<span class="footerItem">Telefon: 08-579 171 00</span>
<span class="footerItem">E-post: <a href="mailto:esf@esf.se">esf@esf.se</a></span>
<span class="footerItem">Organisationsnummer: 202100-5349</span>
<p><a href="/sv/Om-ESF-radet/">Om webbplatsen</a> | <a href="/sv/Sidkarta/">Sidkarta</a> | <a href="/en/">In English</a></p>
</div></div>
"""

SIDEBAR = """<aside id="secondary" class="widget-area" role="complementary">
<section class="widget widget_text"><h2 class="widget-title">Projektbanken</h2>
<p>I projektbanken hittar du alla projekt som har fått stöd från Europeiska socialfonden sedan 2007. Sök på region, programområde eller projektägare.</p>
<p><a href="https://www.esf.se/resultat/projektbanken/">Till sökningen i projektbanken</a></p></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">Senaste nyheterna</h2><ul>
""" + "".join(f'<li><a href="https://www.esf.se/nyheter/{i}/">{n}</a><span class="post-date">2026-10-{10 + i}</span></li>\n'
              for i, n in enumerate(NEWS)) + """</ul></section>
<section class="widget widget_text"><h2 class="widget-title">Frågor om projektet?</h2>
<p>Kontakta projektägaren direkt. Har du frågor om Socialfonden kan du ringa vår växel.</p></section>
</aside>
"""

SHARE = """<div class="share-box"><h2 class="share-title">Dela sidan</h2>
<ul class="share-links"><li><a href="https://www.facebook.com/sharer/sharer.php?u={url}">Facebook</a></li>
<li><a href="https://www.linkedin.com/shareArticle?mini=true&amp;url={url}">LinkedIn</a></li>
<li><a href="https://twitter.com/intent/tweet?url={url}">X</a></li>
<li><a href="mailto:?subject=Tips%20fr%C3%A5n%20esf.se&amp;body={url}">E-post</a></li></ul></div>
"""


def breadcrumb(p: dict, cls="breadcrumbs") -> str:
    return (f'<nav class="{cls}" aria-label="Brödsmulor"><span><a href="https://www.esf.se/">Start</a></span> › '
            '<span><a href="https://www.esf.se/resultat/">Resultat</a></span> › '
            '<span><a href="https://www.esf.se/resultat/projektbanken/">Projektbanken</a></span> › '
            f'<span class="breadcrumb_last" aria-current="page">{p["crumb"]}</span></nav>\n')


# --------------------------------------------------------------------------------------
# Label/value block markups
# --------------------------------------------------------------------------------------

def block(p: dict) -> str:
    m, f = p["markup"], p["fields"]
    if m == "dl":
        rows = "".join(f"<dt>{l}:</dt>\n<dd>{v}</dd>\n" for l, v in f)
        return f'<dl class="project-facts">\n{rows}</dl>\n'
    if m == "dl_ws":   # same, with the source's indentation and line breaks inside elements
        rows = "".join(f"    <dt>\n      {l}:\n    </dt>\n    <dd>\n      {v}\n    </dd>\n" for l, v in f)
        return f"<dl>\n{rows}</dl>\n"
    if m == "table":
        rows = "".join(f'<tr><th scope="row">{l}:</th><td>{v}</td></tr>\n' for l, v in f)
        return f'<table class="projektfakta">\n<tbody>\n{rows}</tbody>\n</table>\n'
    if m == "divspan":
        rows = "".join(f'<div class="field"><span class="field-label">{l}:</span> '
                       f'<span class="field-value">{v}</span></div>\n' for l, v in f)
        return f'<div class="project-fields">\n{rows}</div>\n'
    if m == "pbr":
        return "".join(f"<p><b>{l}:</b><br>{v}</p>\n" for l, v in f)
    if m == "li":
        rows = "".join(f"<li><strong>{l}:</strong> {v}</li>\n" for l, v in f)
        return f'<ul class="project-info">\n{rows}</ul>\n'
    if m == "wpdiv":
        rows = "".join(f"<div>{l}:</div>\n<div>{v}</div>\n" for l, v in f)
        return f"<div>\n{rows}</div>\n"
    if m == "adj0713":
        rows = "".join(f'<div class="row"><span class="lbl">{l}</span><span class="val">{v}</span></div>\n'
                       for l, v in f)
        return f'<div class="projectfacts">\n{rows}</div>\n'
    if m == "adj0713_strong":
        rows = "".join(f"<p><strong>{l}</strong><span>{v}</span></p>\n" for l, v in f)
        return f'<div class="factbox">\n{rows}</div>\n'
    if m == "table0713":
        rows = "".join(f'<tr><td class="rubrik">{l}</td><td class="varde">{v}</td></tr>\n' for l, v in f)
        return f'<table class="projektinfo" cellspacing="0">\n{rows}</table>\n'
    raise ValueError(m)


# --------------------------------------------------------------------------------------
# Page layouts
# --------------------------------------------------------------------------------------

def page_wp_main(p: dict) -> str:
    """WordPress theme with <main>, <article>; sidebar optional."""
    side = SIDEBAR if p.get("sidebar") else ""
    share = SHARE.format(url=p["url"]) if p.get("share") else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"sv-SE\">\n" + head(p)
        + '<body class="projekt-template-default single single-projekt">\n'
        + '<a class="skip-link screen-reader-text" href="#main">Hoppa till innehåll</a>\n'
        + COOKIE
        + '<div id="page" class="site">\n<header id="masthead" class="site-header">\n'
        + '<div class="site-branding"><a href="https://www.esf.se/" rel="home"><img src="https://www.esf.se/wp-content/themes/esf/assets/img/logo.svg" alt="Svenska ESF-rådet"></a></div>\n'
        + '<form role="search" class="search-form" action="https://www.esf.se/"><label><span class="screen-reader-text">Sök efter:</span><input type="search" name="s" placeholder="Sök"></label></form>\n'
        + nav_menu("wp") + "\n</header>\n"
        + '<div id="content" class="site-content">\n' + breadcrumb(p)
        + '<main id="main" class="site-main">\n<article class="projekt type-projekt status-publish">\n'
        + f'<header class="entry-header"><h1 class="entry-title">{p["h1"]}</h1></header>\n'
        + '<div class="entry-content">\n' + block(p) + p["desc"] + "</div>\n"
        + share + "</article>\n</main>\n" + side + "</div>\n" + FOOTER + "</div>\n"
        + '<script src="https://www.esf.se/wp-content/themes/esf/assets/js/navigation.js?ver=3.4.1"></script>\n'
        + "</body>\n</html>\n")


def page_wp_nomain(p: dict) -> str:
    """Older WordPress theme markup: no <main>, content in #primary; sidebar optional."""
    side = SIDEBAR if p.get("sidebar") else ""
    share = SHARE.format(url=p["url"]) if p.get("share") else ""
    footer = FOOTER_TABLE if p.get("footer_table") else FOOTER
    return (
        "<!DOCTYPE html>\n<html lang=\"sv-SE\">\n" + head(p)
        + '<body class="page-template-projekt">\n' + COOKIE
        + '<div id="wrapper">\n<div id="header" class="header">\n'
        + '<div class="logo"><a href="https://www.esf.se/"><img src="https://www.esf.se/wp-content/themes/esf/assets/img/logo.svg" alt="Svenska ESF-rådet"></a></div>\n'
        + nav_menu("wp") + "\n</div>\n"
        + '<div id="content" class="site-content">\n' + breadcrumb(p, "breadcrumb")
        + '<div id="primary" class="content-area">\n<div class="page-content">\n'
        + f"<h1>{p['h1']}</h1>\n" + block(p) + p["desc"] + share
        + "</div>\n</div>\n" + side + "</div>\n" + footer + "</div>\n</body>\n</html>\n")


def page_old(p: dict) -> str:
    """The older (2007–2013 era) esf.se: ASP.NET form, table-free divs, left menu."""
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="sv" lang="sv">\n' + head(p)
        + '<body>\n<form name="aspnetForm" method="post" action="./" id="aspnetForm">\n'
        + '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRkQ2xvdWQ9" />\n'
        + COOKIE_OLD
        + '<div id="Header"><a href="/sv/"><img src="/Templates/Public/Images/esf_logo.gif" alt="Svenska ESF-rådet" /></a>\n'
        + nav_menu("old") + "</div>\n"
        + '<div id="Breadcrumbs"><a href="/sv/">Startsida</a> › <a href="/sv/Resultat/">Resultat</a> › '
        + f'<a href="/sv/Resultat/Projektbanken/">Projektbanken</a> › {p["crumb"]}</div>\n'
        + '<div id="LeftMenu"><ul><li><a href="/sv/Resultat/Projektbanken/">Sök projekt</a></li>'
        + "".join(f'<li><a href="/sv/Resultat/Projektbanken/?region={r}">{r}</a></li>' for r in REGIONS[:-1])
        + "</ul></div>\n"
        + f'<div id="MainBody">\n<h1>{p["h1"]}</h1>\n' + block(p) + p["desc"] + "</div>\n"
        + FOOTER_OLD + "</form>\n</body>\n</html>\n")


LAYOUTS = {"wp_main": page_wp_main, "wp_nomain": page_wp_nomain, "old": page_old}

# --------------------------------------------------------------------------------------
# The pages
# --------------------------------------------------------------------------------------

PAGES: list[dict] = []

# A — ESF+, dl/dt/dd, entities, child-poverty theme Ja, heading + bullet list, share box.
PAGES.append(dict(
    name="esfplus_dl_23-002-S02", layout="wp_main", markup="dl", url=PB + "23-002-S02",
    fetched_at="2026-11-02T09:03:11+00:00", headers={"Content-Type": "text/html; charset=utf-8"},
    meta_charset="UTF-8", share=True,
    title_text="23-002-S02 - Språnget – vägar till arbete för unga vuxna",
    crumb="Spr&aring;nget – vägar till arbete för unga vuxna",
    h1="23-002-S02 - Spr&aring;nget &ndash; v&auml;gar till arbete f&#246;r unga vuxna",
    fields=[
        ("Diarienummer", "23-002-S02"),
        ("Namn", "Spr&aring;nget &ndash; v&auml;gar till arbete f&#246;r unga vuxna"),
        ("Projektägare", "KARLSTADS KOMMUN"),
        ("Projektägare organisationsnummer", "2120001868"),
        ("Startdatum", "2023-09-01"),
        ("Slutdatum", "2026-06-30"),
        ("Region", "Norra Mellansverige"),
        ("NUTS-2 kod", "SE31"),
        ("Programområde", "A"),
        ("Specifikt mål", "A2B"),
        ("Unionens medfinansieringsgrad", "60%"),
        ("Interventionstyp", "153"),
        ("Sekund&auml;rtema - Motverka barnfattigdom", "Ja"),
        ("Insats av strategisk betydelse", "Nej"),
        ("Antal deltagare", "1&nbsp;240"),
        ("Stödmottagare postnr", "65184"),
        ("St&ouml;dmottagare ort", "KARLSTAD"),
        ("Land som berörs", "Sverige"),
        ("Berörd fond", "ESF+"),
        ("Program CCI", "2021SE05SFPR"),
    ],
    desc="""<p>Språnget riktar sig till unga vuxna mellan 16 och 29 år i Karlstad som varken arbetar eller studerar. Många av deltagarna har avbrutna gymnasiestudier, långa perioder utan sysselsättning eller en ohälsa som gör att de behöver mer stöd än vad ordinarie insatser kan ge.</p>
<p>Projektet drivs av Karlstads kommun i samverkan med Arbetsförmedlingen, Region Värmland och Karlstads universitet. Genom en gemensam mottagning &amp; personliga coacher ska vägen in i studier eller arbete bli kortare och tydligare f&#246;r den enskilda.</p>
<h2>Aktiviteter i projektet</h2>
<ul>
<li>Individuell kartläggning och stegförflyttning tillsammans med en personlig coach</li>
<li>Praktik och arbetsträning hos arbetsgivare i Karlstad, Hammarö och Kil</li>
<li>Studiemotiverande kurser i samarbete med folkhögskolor i V&auml;rmland</li>
<li>Stöd till föräldrar i familjer med låga inkomster</li>
</ul>
<p>Projektet ska också sprida arbetssättet till andra kommuner i länet och bidra till att färre barn växer upp i hushåll med långvarigt ekonomiskt bistånd.</p>
"""))

# B — ESF+, table th/td, windows-1252 declared in the HTTP header only, ESF Nationellt / SE0,
#     strategic importance Ja, Swedish textual start date, footer with a decoy table.
PAGES.append(dict(
    name="esfplus_table_23-014-S05_cp1252hdr", layout="wp_nomain", markup="table",
    url=PB + "23-014-S05", fetched_at="2026-11-02T10:41:52+00:00",
    headers={"Content-Type": "text/html; charset=windows-1252"}, encoding="cp1252",
    meta_charset=None, footer_table=True,
    title_text="23-014-S05 - Arbetsgivarlyftet – nationell samordning vid rekrytering",
    crumb="Arbetsgivarlyftet – nationell samordning vid rekrytering",
    h1="23-014-S05 - Arbetsgivarlyftet – nationell samordning vid rekrytering",
    fields=[
        ("Land som berörs", "Sverige"),
        ("Berörd fond", "ESF+"),
        ("Program CCI", "2021SE05SFPR"),
        ("Diarienummer", "23-014-S05"),
        ("Projektägare organisationsnummer", "2021002114"),
        ("Projektägare", "ARBETSFÖRMEDLINGEN"),
        ("Namn", "Arbetsgivarlyftet – nationell samordning vid rekrytering"),
        ("Startdatum", "2 januari 2023"),
        ("Slutdatum", "2025-12-31"),
        ("Unionens medfinansieringsgrad", "50%"),
        ("Programområde", "B"),
        ("Specifikt mål", "B1"),
        ("Sekundärtema - Motverka barnfattigdom", "Nej"),
        ("Region", "ESF Nationellt"),
        ("NUTS-2 kod", "SE0"),
        ("Stödmottagare postnr", "11399"),
        ("Stödmottagare ort", "STOCKHOLM"),
        ("Interventionstyp", "134"),
        ("Antal deltagare", "0"),
        ("Insats av strategisk betydelse", "Ja"),
    ],
    desc="""<p>Arbetsgivarlyftet är en insats av strategisk betydelse där Arbetsförmedlingen samordnar stödet till arbetsgivare som vill rekrytera personer som har varit utan arbete länge. Insatsen genomförs i hela landet, med pilotverksamhet i Malmö, Örebro, Sundsvall och Luleå.</p>
<p>Under projekttiden utvecklas en gemensam modell för matchning, där arbetsgivarens kompetensbehov kartläggs innan annonsering. Modellen prövas tillsammans med Sveriges Kommuner och Regioner, Myndigheten för yrkeshögskolan och ett tjugotal branschorganisationer.</p>
<p>Resultaten ska spridas till alla arbetsförmedlingskontor och ligga till grund för myndighetens arbetssätt efter 2025. Projektet har inga egna deltagare – det riktar sig till handläggare och arbetsgivare.</p>
"""))

# C — ESF+, div/span pairs, no <main>, failed check digit, unknown label, sidebar.
PAGES.append(dict(
    name="esfplus_divspan_22-047-S11_badorgnr", layout="wp_nomain", markup="divspan",
    url=PB + "22-047-S11", fetched_at="2026-11-02T11:15:00+00:00",
    headers={"Content-Type": "text/html; charset=UTF-8"}, meta_charset="utf-8", sidebar=True,
    title_text="22-047-S11 - Digital grundkompetens i välfärden",
    crumb="Digital grundkompetens i välfärden",
    h1="22-047-S11 - Digital grundkompetens i välfärden",
    fields=[
        ("Land som berörs", "Sverige"),
        ("Berörd fond", "ESF+"),
        ("Program CCI", "2021SE05SFPR"),
        ("Diarienummer", "22-047-S11"),
        ("Projektägare organisationsnummer", "2120001430"),
        ("Projektägare", "HÄRRYDA KOMMUN"),
        ("Namn", "Digital grundkompetens i välfärden"),
        ("Startdatum", "2022-11-01"),
        ("Slutdatum", "2024-10-31"),
        ("Unionens medfinansieringsgrad", "40%"),
        ("Programområde", "A"),
        ("Specifikt mål", "A1A"),
        ("Sekundärtema - Motverka barnfattigdom", "Nej"),
        ("Region", "Västsverige"),
        ("NUTS-2 kod", "SE23"),
        ("Stödmottagare postnr", "43580"),
        ("Stödmottagare ort", "MÖLNLYCKE"),
        ("Interventionstyp", "145"),
        ("Antal deltagare", "350"),
        ("Insats av strategisk betydelse", "Nej"),
        ("Projektnummer", "22-047-S11"),
        ("Senast ändrad", "2024-03-18"),
    ],
    desc="""<p>Medarbetare inom äldreomsorg, hemtjänst och funktionsstöd i Härryda kommun möter allt fler digitala verktyg i sitt arbete: digitala signeringslistor, larm, planeringssystem och videomöten med anhöriga. Många saknar i dag den grundläggande digitala kompetens som behövs för att känna sig trygga med tekniken.</p>
<p>Projektet erbjuder 350 anställda, främst undersköterskor och vårdbiträden, utbildning i digital grundkompetens på arbetstid. Utbildningen tas fram tillsammans med Göteborgs universitet och genomförs i små grupper på arbetsplatserna i Mölnlycke, Landvetter och Hindås.</p>
<p>Ett särskilt fokus ligger på medarbetare med svenska som andraspråk. Erfarenheterna sprids inom Göteborgsregionens kommunalförbund så att fler kommuner i Västsverige kan använda materialet.</p>
"""))

# D — ESF+, <p><b>Label:</b><br>Value</p>, personnummer-shaped owner number (sole trader).
PAGES.append(dict(
    name="esfplus_pbr_24-003-S07_personnr", layout="wp_main", markup="pbr",
    url=PB + "24-003-S07", fetched_at="2026-11-03T07:58:40+00:00",
    headers={"Content-Type": "text/html; charset=utf-8"}, meta_charset="utf-8",
    title_text="24-003-S07 - Fjällnära företagande",
    crumb="Fjällnära företagande", h1="24-003-S07 - Fjällnära företagande",
    fields=[
        ("Namn", "Fjällnära företagande"),
        ("Diarienummer", "24-003-S07"),
        ("Projektägare", "FJÄLLSTIGEN COACHING"),
        ("Projektägare organisationsnummer", "7811052385"),
        ("Region", "Mellersta Norrland"),
        ("NUTS-2 kod", "SE32"),
        ("Stödmottagare postnr", "83131"),
        ("Stödmottagare ort", "ÖSTERSUND"),
        ("Startdatum", "2024-04-01"),
        ("Slutdatum", "2025-09-30"),
        ("Programområde", "D"),
        ("Specifikt mål", "D1"),
        ("Interventionstyp", "140"),
        ("Unionens medfinansieringsgrad", "40%"),
        ("Antal deltagare", "45"),
        ("Sekundärtema - Motverka barnfattigdom", "Nej"),
        ("Insats av strategisk betydelse", "Nej"),
        ("Land som berörs", "Sverige"),
        ("Berörd fond", "ESF+"),
        ("Program CCI", "2021SE05SFPR"),
    ],
    desc="""<p>Fjällnära företagande stöttar kvinnor och män i Bergs, Härjedalens och Åre kommuner som vill starta eller utveckla ett eget företag inom besöksnäring, hantverk eller lokal service. I glesbygden är avstånden till rådgivning långa och många företagare står ensamma med frågor om ekonomi, marknadsföring och tillstånd.</p>
<p>Deltagarna träffas i nätverksgrupper i Östersund, Funäsdalen och Svenstavik och får individuell handledning på distans.<br>Mittuniversitetet bidrar med kortare kurser i affärsutveckling och hållbar turism.</p>
<p>Målet är att minst 30 av deltagarna ska driva ett livskraftigt företag när projektet avslutas.</p>
"""))

# E — ESF+, <li><strong>Label:</strong> value</li>, seed label order incl. Projektnummer, sidebar.
PAGES.append(dict(
    name="esfplus_li_22-035-S02", layout="wp_main", markup="li", url=PB + "22-035-S02",
    fetched_at="2026-11-02T09:20:33+00:00", headers={"Content-Type": "text/html; charset=utf-8"},
    meta_charset="utf-8", sidebar=True, share=True,
    title_text="22-035-S02 - Kompetens för stadsomvandlingen i Kiruna",
    crumb="Kompetens för stadsomvandlingen i Kiruna",
    h1="22-035-S02 - Kompetens för stadsomvandlingen i Kiruna",
    fields=[
        ("Land som berörs", "Sverige"),
        ("Berörd fond", "ESF+"),
        ("Program CCI", "2021SE05SFPR"),
        ("Diarienummer", "22-035-S02"),
        ("Projektägare organisationsnummer", "2120002817"),
        ("Projektägare", "KIRUNA KOMMUN"),
        ("Namn", "Kompetens för stadsomvandlingen i Kiruna"),
        ("Startdatum", "2022-10-01"),
        ("Slutdatum", "2024-09-30"),
        ("Unionens medfinansieringsgrad", "40%"),
        ("Programområde", "A"),
        ("Specifikt mål", "A1"),
        ("Sekundärtema - Motverka barnfattigdom", "Nej"),
        ("Region", "Övre Norrland"),
        ("NUTS-2 kod", "SE33"),
        ("Stödmottagare postnr", "98185"),
        ("Stödmottagare ort", "KIRUNA"),
        ("Interventionstyp", "146"),
        ("Antal deltagare", "180"),
        ("Insats av strategisk betydelse", "Nej"),
        ("Projektnummer", "22-035-S02"),
    ],
    desc="""<p>Stadsomvandlingen i Kiruna ställer stora krav på kommunens medarbetare. När bostäder, skolor och verksamhetslokaler flyttas österut behöver personalen inom teknisk förvaltning, bygglov och kommunal service ny kompetens inom projektledning, upphandling och hållbart byggande.</p>
<p>Projektet kartlägger kompetensbehoven tillsammans med LKAB och Luleå tekniska universitet och erbjuder 180 anställda skräddarsydda utbildningar. En del av utbildningarna ges på finska och meänkieli för att nå medarbetare i Vittangi och Karesuando.</p>
<p>Erfarenheterna ska dokumenteras så att Gällivare kommun, som står inför en liknande omvandling i Malmberget, kan ta del av dem.</p>
"""))

# F — ESF+, plain WordPress divs (label div, value div), reordered, no Projektnummer.
PAGES.append(dict(
    name="esfplus_wpdiv_24-018-S03", layout="wp_main", markup="wpdiv", url=PB + "24-018-S03",
    fetched_at="2026-11-04T13:05:09+00:00", headers={"Content-Type": "text/html; charset=utf-8"},
    meta_charset="utf-8", canonical=False,
    title_text="24-018-S03 - Familjelots Botkyrka",
    crumb="Familjelots Botkyrka", h1="24-018-S03 - Familjelots Botkyrka",
    fields=[
        ("Projektägare", "BOTKYRKA KOMMUN"),
        ("Projektägare organisationsnummer", "2120000076"),
        ("Namn", "Familjelots Botkyrka"),
        ("Diarienummer", "24-018-S03"),
        ("Programområde", "C"),
        ("Specifikt mål", "C1"),
        ("Interventionstyp", "163"),
        ("Sekundärtema - Motverka barnfattigdom", "Ja"),
        ("Insats av strategisk betydelse", "Nej"),
        ("Startdatum", "2024-08-15"),
        ("Slutdatum", "2027-06-30"),
        ("Unionens medfinansieringsgrad", "90%"),
        ("Antal deltagare", "300"),
        ("Region", "Stockholm"),
        ("NUTS-2 kod", "SE11"),
        ("Stödmottagare postnr", "14785"),
        ("Stödmottagare ort", "TUMBA"),
        ("Land som berörs", "Sverige"),
        ("Berörd fond", "ESF+"),
        ("Program CCI", "2021SE05SFPR"),
    ],
    desc="""<p>I Alby, Fittja och Hallunda växer många barn upp i familjer där föräldrarna under lång tid har stått utanför arbetsmarknaden. Familjelots Botkyrka arbetar med hela familjen: föräldrarna får stöd att ta steg mot arbete eller studier samtidigt som barnens behov av fritid, läxhjälp och trygg vardag fångas upp.</p>
<p>Varje familj får en familjelots som samordnar kontakterna med socialtjänsten, Arbetsförmedlingen, Försäkringskassan och skolan. Lotsen hjälper också till med ansökningar, hushållsekonomi och språkstöd.</p>
<p>Projektet följs av forskare vid Stockholms universitet. Målet är att arbetssättet ska bli en del av kommunens ordinarie verksamhet efter 2027.</p>
"""))

# G — ESF 2014–2020, dl with indentation, &nbsp; in amounts, empty address, personal data.
PAGES.append(dict(
    name="esf1420_dl_2019-00492", layout="wp_main", markup="dl_ws", url=PB + "2019/00492",
    fetched_at="2026-11-02T09:00:00+00:00", headers={"Content-Type": "text/html; charset=utf-8"},
    meta_charset="utf-8", share=True,
    title_text="2019/00492 - #vägled", crumb="#vägled", h1="2019/00492 - #vägled",
    fields=[
        ("Projektnummer", "2019/00492"),
        ("Projektägare", "Region Uppsala, Avdelningen för regional utveckling"),
        ("Namn", "#vägled"),
        ("Region", "Östra Mellansverige"),
        ("Planerat antal deltagare", "0"),
        ("Projektperiod", "2020-01-01 - 2021-12-31"),
        ("Total projektbudget", "10&nbsp;998&nbsp;524"),
        ("Beviljat ESF-stöd", "10&nbsp;998&nbsp;524"),
        ("Kontaktperson", "[namn]"),
        ("E-post", '<a href="mailto:[e-post]@regionuppsala.se">[e-post]@regionuppsala.se</a>'),
        ("Stödmottagare postnr", "75125"),
        ("Stödmottagarens address", ""),
        ("Programområde", "1"),
        ("Specifikt mål", "1.2"),
        ("Unionens medfinansieringsgrad", "50%"),
        ("Interventionstyp", "118"),
    ],
    desc="""<p>Projektet #vägled ska stärka studie- och yrkesvägledningen i Östra Mellansverige så att fler unga och vuxna gör väl underbyggda val av utbildning och yrke. Arbetsmarknaden i regionen förändras snabbt, och vägledarna behöver bättre kunskap om vilka kompetenser som efterfrågas.</p>
<p>Region Uppsala samverkar med kommunerna i Uppsala, Enköping och Östhammar, med Uppsala universitet och med Arbetsförmedlingen. Tillsammans tas en gemensam kunskapsbank om regionens arbetsmarknad fram, och vägledare från skola, vuxenutbildning och arbetsförmedling utbildas i att använda den.</p>
<p>Projektet har inga deltagare i egentlig mening; målgruppen är personal som arbetar med vägledning.</p>
"""))

# H — ESF 2014–2020, table, windows-1252 declared only in <meta charset>, raw U+00A0 in
#     amounts, unknown label (Samarbetspartner), sidebar.
PAGES.append(dict(
    name="esf1420_table_2017-00318_cp1252meta", layout="wp_nomain", markup="table",
    url=PB + "2017/00318", fetched_at="2026-11-02T12:30:05+00:00", headers={},
    encoding="cp1252", meta_charset="windows-1252", sidebar=True,
    title_text="2017/00318 - Nya steg i Luleå", crumb="Nya steg i Luleå",
    h1="2017/00318 - Nya steg i Luleå",
    fields=[
        ("Projektnummer", "2017/00318"),
        ("Projektägare", "Luleå kommun, Arbetsmarknadsförvaltningen"),
        ("Namn", "Nya steg i Luleå"),
        ("Region", "Övre Norrland"),
        ("Planerat antal deltagare", "120"),
        ("Projektperiod", "2017-09-01 - 2020-08-31"),
        ("Total projektbudget", f"14{NBSP}250{NBSP}600"),
        ("Beviljat ESF-stöd", f"7{NBSP}125{NBSP}300"),
        ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@lulea.se"),
        ("Samarbetspartner", "Luleå tekniska universitet, Region Norrbotten"),
        ("Stödmottagare postnr", "97185"),
        ("Stödmottagarens address", "Rådhustorget 2"),
        ("Programområde", "2"),
        ("Specifikt mål", "2.1"),
        ("Unionens medfinansieringsgrad", "50%"),
        ("Interventionstyp", "102"),
    ],
    desc="""<p>Nya steg vänder sig till kvinnor och män i Luleå som har varit arbetslösa i mer än två år och som ofta också har en funktionsnedsättning eller ohälsa. Projektet kombinerar arbetsträning i kommunens verksamheter med hälsofrämjande insatser och individuell coachning.</p>
<p>Under projektet prövas en ny modell för samarbete mellan kommunen, Arbetsförmedlingen och Försäkringskassan, så att deltagarna slipper mötas av olika krav från olika myndigheter. Luleå tekniska universitet följer arbetet och analyserar vilka insatser som ger varaktiga resultat.</p>
<p>Målet är att hälften av deltagarna ska ha gått vidare till arbete eller studier när de lämnar projektet.</p>
"""))

# I — ESF 2014–2020, <p><b>Label:</b><br>Value</p>, &nbsp; amounts, <br> inside a paragraph.
PAGES.append(dict(
    name="esf1420_pbr_2018-00566", layout="wp_nomain", markup="pbr", url=PB + "2018/00566",
    fetched_at="2026-11-02T14:02:17+00:00", headers={"Content-Type": "text/html; charset=utf-8"},
    meta_charset="utf-8", share=True,
    title_text="2018/00566 - Jobbspåret Malmö", crumb="Jobbspåret Malmö",
    h1="2018/00566 - Jobbspåret Malmö",
    fields=[
        ("Projektnummer", "2018/00566"),
        ("Projektägare", "Malmö stad, Arbetsmarknads- och socialförvaltningen"),
        ("Namn", "Jobbspåret Malmö"),
        ("Region", "Sydsverige"),
        ("Planerat antal deltagare", "400"),
        ("Projektperiod", "2018-10-01 - 2021-09-30"),
        ("Total projektbudget", "21&nbsp;430&nbsp;000"),
        ("Beviljat ESF-stöd", "10&nbsp;715&nbsp;000"),
        ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@malmo.se"),
        ("Stödmottagare postnr", "20580"),
        ("Stödmottagarens address", "August Palms plats 1"),
        ("Programområde", "2"),
        ("Specifikt mål", "2.3"),
        ("Unionens medfinansieringsgrad", "50%"),
        ("Interventionstyp", "109"),
    ],
    desc="""<p>Jobbspåret Malmö riktar sig till kvinnor och män som står särskilt långt från arbetsmarknaden och som har försörjningsstöd sedan lång tid. Många av deltagarna är utrikes födda kvinnor med kort utbildning.</p>
<p>Deltagarna får en kombination av språkträning, praktik och yrkesutbildning inom vård, lokalvård och restaurang.<br>
Utbildningarna tas fram tillsammans med arbetsgivare i Malmö och med Komvux.</p>
<p>Projektet samarbetar med Lunds universitet och med civilsamhällets organisationer i Rosengård och Seved, som hjälper till att nå personer som annars inte söker stöd.</p>
<p>Metoderna ska efter projekttiden föras över till Malmö stads ordinarie arbetsmarknadsinsatser.</p>
"""))

# J — ESF 2014–2020, <li><strong>Label:</strong> value</li>, plain-space amounts.
PAGES.append(dict(
    name="esf1420_li_2016-00127", layout="wp_main", markup="li", url=PB + "2016/00127",
    fetched_at="2026-11-03T08:44:21+00:00", headers={"Content-Type": "text/html; charset=utf-8"},
    meta_charset="utf-8", sidebar=True,
    title_text="2016/00127 - Kompetenssäkrad vård i Sundsvall",
    crumb="Kompetenssäkrad vård i Sundsvall", h1="2016/00127 - Kompetenssäkrad vård i Sundsvall",
    fields=[
        ("Projektnummer", "2016/00127"),
        ("Projektägare", "Sundsvalls kommun, Vård- och omsorgsförvaltningen"),
        ("Namn", "Kompetenssäkrad vård i Sundsvall"),
        ("Region", "Mellersta Norrland"),
        ("Planerat antal deltagare", "220"),
        ("Projektperiod", "2016-05-01 - 2018-04-30"),
        ("Total projektbudget", "4 860 220"),
        ("Beviljat ESF-stöd", "2 430 110"),
        ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@sundsvall.se"),
        ("Stödmottagare postnr", "85185"),
        ("Stödmottagarens address", "Norrmalmsgatan 4"),
        ("Programområde", "1"),
        ("Specifikt mål", "1.1"),
        ("Unionens medfinansieringsgrad", "50%"),
        ("Interventionstyp", "117"),
    ],
    desc="""<p>Inom vård och omsorg i Sundsvall saknar många medarbetare formell utbildning, samtidigt som kraven på kompetens ökar. Projektet ger 220 vårdbiträden och undersköterskor möjlighet att validera sina kunskaper och läsa in de kurser som saknas.</p>
<p>Utbildningen genomförs tillsammans med Mittuniversitetet och den kommunala vuxenutbildningen, delvis på arbetsplatserna. Projektet tar också fram en plan för kompetensförsörjning som ska gälla för hela förvaltningen.</p>
"""))

# K — ESF 2014–2020, div/span pairs, label spelled "Stödmottagarens adress", no canonical link.
PAGES.append(dict(
    name="esf1420_divspan_2020-00078", layout="wp_nomain", markup="divspan",
    url=PB + "2020/00078", fetched_at="2026-11-03T16:12:45+00:00",
    headers={"Content-Type": "text/html; charset=utf-8"}, meta_charset="utf-8", canonical=False,
    title_text="2020/00078 - Vägen till vården", crumb="Vägen till vården",
    h1="2020/00078 - Vägen till vården",
    fields=[
        ("Projektnummer", "2020/00078"),
        ("Namn", "Vägen till vården"),
        ("Projektägare", "Göteborgs Stad, Arbetsmarknad och vuxenutbildning"),
        ("Region", "Västsverige"),
        ("Projektperiod", "2020-09-01 - 2022-08-31"),
        ("Planerat antal deltagare", "150"),
        ("Total projektbudget", "8 996 412"),
        ("Beviljat ESF-stöd", "4 498 206"),
        ("Programområde", "1"),
        ("Specifikt mål", "1.2"),
        ("Interventionstyp", "118"),
        ("Unionens medfinansieringsgrad", "50%"),
        ("Stödmottagare postnr", "41510"),
        ("Stödmottagarens adress", "Box 5000"),
        ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@goteborg.se"),
    ],
    desc="""<p>Vården i Göteborg behöver fler undersköterskor, och samtidigt finns många vuxna som har påbörjat en vårdutbildning utan att slutföra den. Vägen till vården ska göra övergången mellan utbildning och arbete smidigare.</p>
<p>Projektet utvecklar tillsammans med Sahlgrenska universitetssjukhuset och privata vårdgivare en modell där arbetsplatsförlagt lärande och handledning byggs in i utbildningen. Handledarna får själva en kortare utbildning.</p>
<p>Erfarenheterna sprids inom Göteborgsregionen och till Västra Götalandsregionen.</p>
"""))

# O — ESF 2014–2020, bare WordPress divs, different label order.
PAGES.append(dict(
    name="esf1420_wpdiv_2015-00871", layout="wp_main", markup="wpdiv", url=PB + "2015/00871",
    fetched_at="2026-11-04T10:00:00+00:00", headers={"Content-Type": "text/html; charset=utf-8"},
    meta_charset="utf-8",
    title_text="2015/00871 - Unga i Gävleborg", crumb="Unga i Gävleborg",
    h1="2015/00871 - Unga i Gävleborg",
    fields=[
        ("Namn", "Unga i Gävleborg"),
        ("Projektnummer", "2015/00871"),
        ("Projektägare", "Region Gävleborg"),
        ("Programområde", "3"),
        ("Specifikt mål", "3.1"),
        ("Interventionstyp", "103"),
        ("Unionens medfinansieringsgrad", "50%"),
        ("Region", "Norra Mellansverige"),
        ("Projektperiod", "2015-11-01 - 2018-10-31"),
        ("Total projektbudget", "32 640 000"),
        ("Beviljat ESF-stöd", "16 320 000"),
        ("Planerat antal deltagare", "900"),
        ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@regiongavleborg.se"),
        ("Stödmottagare postnr", "80188"),
        ("Stödmottagarens address", "Box 834"),
    ],
    desc="""<p>Unga i Gävleborg är ett samverkansprojekt mellan Region Gävleborg och länets tio kommuner, bland andra Gävle, Sandviken, Hudiksvall och Bollnäs. Projektet vänder sig till unga mellan 15 och 29 år som varken arbetar eller studerar.</p>
<p>Varje kommun har ett lokalt delprojekt med coacher, studie- och yrkesvägledare och arbetsmarknadskonsulenter. Regionen samordnar, utbildar personalen och ansvarar för uppföljningen tillsammans med Högskolan i Gävle.</p>
<p>Deltagarna får stöd att återuppta studier, skaffa praktik eller hitta ett arbete. Särskilt fokus ligger på unga med funktionsnedsättning och unga som nyligen har kommit till Sverige.</p>
"""))

# L — 2007–2013, adjacent span.lbl / span.val per div row, no colons.
PAGES.append(dict(
    name="esf0713_adj_stockholm_aldreliv-nordost", layout="old", markup="adj0713",
    url=OLD + "Stockholm/Aldreliv-Nordost/", fetched_at="2026-11-02T15:27:30+00:00",
    headers={"Content-Type": "text/html; charset=utf-8"}, meta_charset="utf-8",
    title_text="Äldreliv Nordost", crumb="Äldreliv Nordost", h1="Äldreliv Nordost",
    fields=[
        ("Programområde", "Programområde 1 Kompetensförsörjning"),
        ("Projektfas", "Förprojektering"),
        ("Projektägare", "Österåkers kommun, Stats och kommunled/övergripandeplanering"),
        ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@osteraker.se"),
        ("Telefonnummer", "[nummer]"),
        ("Beviljat ESF-stöd", "500 000 kr"),
        ("Total projektbudget", "500 000 kr"),
        ("Projektperiod", "2008-08-25 till 2009-02-25"),
        ("Region", "Stockholm"),
    ],
    desc="""<p class="inEnglish"><a href="/en/Results/Project-bank/Aldreliv-Nordost/">In English</a></p>
<h2>Sammanfattning</h2>
<p>Förprojekteringen Äldreliv Nordost ska lägga grunden för ett gemensamt kompetensutvecklingsprojekt för äldreomsorgen i Österåker, Vallentuna och Norrtälje. Under förprojekteringen kartläggs personalens utbildningsbehov och en ansökan om genomförande tas fram.</p>
<h2>Bakgrund</h2>
<p>Andelen äldre ökar snabbt i nordostkommunerna och många medarbetare inom äldreomsorgen kommer att gå i pension de närmaste åren. Samtidigt har en stor del av personalen ingen formell vårdutbildning.</p>
<p>Kommunerna vill därför tillsammans skapa en långsiktig plan för kompetensförsörjning, i dialog med fackliga organisationer och Stockholms läns landsting.</p>
"""))

# M — 2007–2013, adjacent <strong>/<span> inside <p> rows, &nbsp; in amounts.
PAGES.append(dict(
    name="esf0713_adjstrong_ovre-norrland_kompetenslyft-malmfalten", layout="old",
    markup="adj0713_strong", url=OLD + "Ovre-Norrland/Kompetenslyft-Malmfalten/",
    fetched_at="2026-11-02T15:31:02+00:00", headers={"Content-Type": "text/html; charset=utf-8"},
    meta_charset="utf-8", canonical=False,
    title_text="Kompetenslyft Malmfälten", crumb="Kompetenslyft Malmfälten",
    h1="Kompetenslyft Malmf&auml;lten",
    fields=[
        ("Programområde", "Programområde 2 Ökat arbetskraftsutbud"),
        ("Projektfas", "Genomförande"),
        ("Projektägare", "Gällivare kommun, Arbetsmarknadsenheten"),
        ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@gallivare.se"),
        ("Telefonnummer", "[nummer]"),
        ("Beviljat ESF-stöd", "3&nbsp;450&nbsp;000&nbsp;kr"),
        ("Total projektbudget", "6&nbsp;900&nbsp;000&nbsp;kr"),
        ("Projektperiod", "2010-01-01 till 2012-06-30"),
        ("Region", "Övre Norrland"),
    ],
    desc="""<p><a href="/en/Results/Project-bank/Kompetenslyft-Malmfalten/" class="lang">In English</a></p>
<h3>Sammanfattning</h3>
<p>Kompetenslyft Malmfälten ska ge arbetslösa kvinnor och män i Gällivare och Kiruna de kunskaper som gruvnäringen och dess underleverantörer efterfrågar. Deltagarna får yrkesutbildning inom bland annat fordonsteknik, el och processindustri.</p>
<h3>Bakgrund</h3>
<p>Gruvnäringen i Malmfälten växer kraftigt och företagen har svårt att rekrytera personal med rätt utbildning. Samtidigt finns en grupp arbetslösa, inte minst kvinnor och unga, som saknar gymnasieexamen.</p>
<p>Projektet genomförs i samarbete med LKAB, Arbetsförmedlingen och Luleå tekniska universitet.</p>
"""))

# N — 2007–2013, table with td/td rows, no colons.
PAGES.append(dict(
    name="esf0713_table_vastsverige_validering-i-vardsektorn", layout="old", markup="table0713",
    url=OLD + "Vastsverige/Validering-i-vardsektorn/", fetched_at="2026-11-02T15:40:19+00:00",
    headers={"Content-Type": "text/html; charset=utf-8"}, meta_charset="utf-8",
    title_text="Validering i vårdsektorn", crumb="Validering i vårdsektorn",
    h1="Validering i vårdsektorn",
    fields=[
        ("Programområde", "Programområde 1 Kompetensförsörjning"),
        ("Projektfas", "Genomförande"),
        ("Projektägare", "Trollhättans stad, Vård- och omsorgsförvaltningen"),
        ("Kontaktperson", "[namn]"),
        ("E-post", "[e-post]@trollhattan.se"),
        ("Telefonnummer", "[nummer]"),
        ("Beviljat ESF-stöd", "1 275 500 kr"),
        ("Total projektbudget", "2 551 000 kr"),
        ("Projektperiod", "2009-03-01 till 2011-02-28"),
        ("Region", "Västsverige"),
    ],
    desc="""<p><a href="/en/Results/Project-bank/Validering-i-vardsektorn/">In English</a></p>
<h2>Sammanfattning</h2>
<p>Projektet ska validera kunskaperna hos vårdbiträden i Trollhättan, Vänersborg och Uddevalla och ge dem möjlighet att bli undersköterskor. Högskolan Väst ansvarar för utbildningen av valideringshandledare.</p>
<h2>Bakgrund</h2>
<p>Många vårdbiträden har lång erfarenhet men saknar formell utbildning. Genom validering kan de slippa läsa om sådant de redan kan, vilket förkortar utbildningstiden och gör det lättare för kommunerna att behålla personalen.</p>
"""))


def main() -> None:
    for p in PAGES:
        html = LAYOUTS[p["layout"]](p)
        data = html.encode(p.get("encoding", "utf-8"))
        (HERE / f"{p['name']}.html").write_bytes(data)
        meta = {"url": p["url"], "fetched_at": p["fetched_at"], "headers": p["headers"]}
        (HERE / f"{p['name']}.meta.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"{p['name']}.html  {len(data):6d} bytes  {p['markup']}")


if __name__ == "__main__":
    main()
