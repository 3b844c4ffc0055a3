"""URL recognition and canonicalization (crawler/urls.py)."""

import pytest
from projektbank.crawler.urls import (
    ListScope,
    canonical_detail_url,
    detail_url_for,
    is_detail_url,
)
from projektbank.extract import identifiers as ids
from projektbank.extract import parse_page
from projektbank.extract.identifiers import kohesio_dnr, looks_like_dnr

BASE = "https://www.esf.se/resultat/projektbanken/"
D = "https://www.esf.se/resultat/projektbanken/projekt/"


@pytest.mark.parametrize("url", [
    D + "?dnr=2019/00492",
    D + "?dnr=2019%2F00492",
    D + "?dnr=2019%2f00492#top",
    "https://WWW.ESF.SE:443/resultat/projektbanken/projekt?dnr=2019/00492",
    D + "?utm_source=x&dnr=2019/00492",
    D + "?dnr=%202019/00492%20",
])
def test_one_project_one_url(url):
    assert is_detail_url(url)
    assert canonical_detail_url(url) == D + "?dnr=2019/00492"


def test_esf_plus_and_old_site_detail_urls():
    assert canonical_detail_url(D + "?dnr=22-021-S03") == D + "?dnr=22-021-S03"
    old = "https://www.esf.se/sv/Resultat/Projektbanken/Behallare-for-projekt/Stockholm/Aldreliv-Nordost"
    assert is_detail_url(old)
    assert canonical_detail_url(old + "/?x=1#a") == old + "/"
    # a region folder of the old site is not a project page
    assert not is_detail_url("https://www.esf.se/sv/Resultat/Projektbanken/Behallare-for-projekt/Stockholm/")


@pytest.mark.parametrize("url", [
    BASE, D, D + "?dnr=", BASE + "?dnr=2019/00492&x", "mailto:a@b.se",
    "https://www.esf.se/resultat/projektbanken/projekt/annat/?dnr=1",
])
def test_not_detail_urls(url):
    assert not is_detail_url(url)


def test_detail_url_for_and_ids():
    assert detail_url_for("2019/00492", BASE) == D + "?dnr=2019/00492"
    assert detail_url_for(" 22-021-S03 ", "http://127.0.0.1:8000/x") == (
        "http://127.0.0.1:8000/resultat/projektbanken/projekt/?dnr=22-021-S03")
    assert kohesio_dnr("2021SE05SFPR001_22-021-S03") == "22-021-S03"
    assert kohesio_dnr("2021SE16RFPR001_20201234") is None
    assert looks_like_dnr("2019/00492") and looks_like_dnr("22-021-S03")
    assert not looks_like_dnr("https://x") and not looks_like_dnr("a")


@pytest.mark.parametrize("url,expected", [
    (BASE, BASE),
    (BASE + "?sida=2", BASE + "?sida=2"),
    (BASE + "?paged=3#x", BASE + "?paged=3"),
    (BASE + "page/4/", BASE + "page/4/"),
    (BASE + "?query-12-page=5", BASE + "?query-12-page=5"),
    ("https://www.esf.se/resultat/projektbanken?sida=02", BASE + "?sida=2"),
])
def test_pagination_is_in_scope(url, expected):
    assert ListScope(BASE).canonical(url) == expected


@pytest.mark.parametrize("url", [
    BASE + "?Start%C3%A5r=2019",
    BASE + "?Region=Stockholm&sida=2",
    BASE + "?Programomr%C3%A5de=1",
    BASE + "?orderby=namn&order=asc",
    BASE + "?s=kompetens",
    BASE + "?sida=x",
    BASE + "?sida=2&sida=3",
    BASE + "export/?format=csv",
    "https://example.org/resultat/projektbanken/?sida=2",
    "https://www.esf.se/om-oss/",
])
def test_filters_and_other_pages_are_out_of_scope(url):
    assert ListScope(BASE).canonical(url) is None


def test_filtered_start_url_keeps_its_filter():
    scope = ListScope(BASE + "?Region=Stockholm")
    assert scope.canonical(BASE + "?Region=Stockholm&sida=2") == BASE + "?Region=Stockholm&sida=2"
    assert scope.canonical(BASE + "?sida=2") is None
    assert scope.canonical(BASE + "?Region=Skane&sida=2") is None


def test_other_pagination_parameter_names_are_pages_not_filters():
    from projektbank.crawler.urls import ListScope

    scope = ListScope("https://www.esf.se/resultat/projektbanken/")
    for q in ("pageNumber=3", "currentPage=2", "sidnr=4"):
        assert scope.canonical(f"https://www.esf.se/resultat/projektbanken/?{q}") is not None, q
    for q in ("pageSize=50", "perPage=100", "Region=Stockholm", "Startår=2023"):
        assert scope.canonical(f"https://www.esf.se/resultat/projektbanken/?{q}") is None, q


# --- the source's identifiers (extract/identifiers.py), shared by the crawler and the extractor

@pytest.mark.parametrize(("text", "dnr", "period"), [
    ("22-021-S03", "22-021-S03", "2021-2027"),
    ("24-118-S103", "24-118-S103", "2021-2027"),      # three digits after the S
    ("22-021- S03", "22-021-S03", "2021-2027"),
    ("2019/00492", "2019/00492", "2014-2020"),
    ("2007/00492", None, None), ("22-021-03", None, None), ("ESF0713:stockholm/x", None, None),
])
def test_diarienummer_forms(text, dnr, period):
    assert ids.diarienummer(text) == dnr
    assert ids.period_of_diarienummer(dnr) == period


def test_kohesio_ids_in_a_cell_and_in_free_text():
    assert kohesio_dnr(" 2021se05sfpr001_24-118-S103 ") == "24-118-S103"
    text = 'x;"2021SE05SFPR001_22-021-S03",2021SE05SFPR002_2019/00492|2021SE16RFPR001_1'
    assert ids.kohesio_dnrs_in(text) == ["22-021-S03", "2019/00492"]


@pytest.mark.parametrize("url", [
    D + "?dnr=2019%2F00492", D + "?utm_source=x&DNR=2019/00492", D + "?dnr=%202019%252F00492",
])
def test_the_crawler_and_the_extractor_read_one_dnr(url):
    """The URL's `dnr` is the crawl's project (canonical URL) and the record's project_id."""
    assert ids.dnr_of(url) == "2019/00492"
    assert canonical_detail_url(url) == D + "?dnr=2019/00492"
    body = ("<html><body><h1>Ett projekt</h1><dl><dt>Namn:</dt><dd>Ett projekt</dd>"
            "<dt>Projektägare:</dt><dd>Lunds kommun</dd><dt>Region:</dt><dd>Sydsverige</dd>"
            "<dt>Utlysning:</dt><dd>2015/00897</dd></dl></body></html>").encode()
    assert parse_page(url, body, "2026-12-01T00:00:00Z").record["project_id"] == "2019/00492"


def test_old_site_ids():
    path = "/sv/Resultat/Projektbanken/Behallare-for-projekt/Stockholm/Aldreliv-Nordost/"
    assert ids.old_site_path(path) == "Stockholm/Aldreliv-Nordost"
    assert ids.old_site_project_id(ids.old_site_path(path)) == "ESF0713:stockholm/aldreliv-nordost"
    assert ids.old_site_path("/resultat/projektbanken/projekt/") is None
    assert ids.heading_project_id("Äldreliv – Nordost!") == "ESF0713:äldreliv-nordost"
