"""URL recognition and canonicalization (crawler/urls.py)."""

import pytest
from projektbank.crawler.urls import (
    ListScope,
    canonical_detail_url,
    detail_url_for,
    is_detail_url,
    kohesio_dnr,
    looks_like_dnr,
)

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
