"""The local mirror (crawler/mirror.py) and `projektbank mirror`."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from projektbank.crawler.mirror import Mirror, read_log, repo_site_dir

REPO = Path(__file__).resolve().parent.parent


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read(), r.url
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read(), url


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    log = tmp_path_factory.mktemp("mirror") / "log.jsonl"
    faults = {"/flaky/": ["503", "429:3", "200"], "/resultat/projektbanken/projekt/?dnr=2019/00492": ["503"]}
    with Mirror(faults=faults, log_path=log) as m:
        m.log = log
        yield m


def test_routes(mirror):
    status, headers, body, _ = get(mirror.url("/resultat/projektbanken/"))
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"Projektbanken" in body
    status, _, body, _ = get(mirror.url("/resultat/projektbanken/?sida=2"))
    assert status == 200 and b"sida 2" in body
    a = get(mirror.url("/resultat/projektbanken/projekt/?dnr=22-021-S03"))
    b = get(mirror.url("/resultat/projektbanken/projekt/?dnr=22-021-S03&utm_source=x"))
    assert a[0] == b[0] == 200 and a[2] == b[2] and b"22-021-S03" in a[2]
    assert get(mirror.url("/resultat/projektbanken/projekt/?dnr=2016/00404"))[0] == 404
    assert get(mirror.url("/resultat/projektbanken/?Region=Stockholm"))[0] == 404
    assert get(mirror.url("/../etc/passwd"))[0] == 404


def test_slash_redirect_origin_and_sidecar_headers(mirror):
    status, _, _, final = get(mirror.url("/sv/Resultat/Projektbanken/Behallare-for-projekt/Skane/Kompetens-i-Syd"))
    assert status == 200 and final.endswith("/Kompetens-i-Syd/")
    _, _, robots, _ = get(mirror.url("/robots.txt"))
    assert f"Sitemap: {mirror.origin}/sitemap.xml".encode() in robots
    sidecars = list(repo_site_dir().rglob("*.headers.json"))
    assert sidecars, "the bundled site has a page served with another charset"
    page = sidecars[0].with_name(sidecars[0].name[: -len(".headers.json")])
    dnr = page.stem.replace("%2F", "/")
    _, headers, _, _ = get(mirror.url(f"/resultat/projektbanken/projekt/?dnr={dnr}"))
    assert headers["Content-Type"] == json.loads(sidecars[0].read_text())["Content-Type"]


def test_faults_in_sequence(mirror, tmp_path):
    seq = [get(mirror.url("/flaky/")) for _ in range(3)]
    assert [s[0] for s in seq] == [503, 429, 404]  # the last action repeats: serve normally
    assert seq[1][1]["Retry-After"] == "3"
    # the fault key matches the canonical dnr, however the URL spells it
    assert get(mirror.url("/resultat/projektbanken/projekt/?dnr=2019%2F00492"))[0] == 503
    targets = [r["target"] for r in read_log(mirror.log)]
    assert targets.count("/flaky/") == 3


def test_dropped_connection():
    with Mirror(faults={"/x/": ["drop", "200"]}) as m:
        with pytest.raises((urllib.error.URLError, ConnectionError, Exception)):
            urllib.request.urlopen(m.url("/x/"), timeout=5).read()
        assert get(m.url("/resultat/projektbanken/"))[0] == 200


def test_mirror_command_serves_and_stops():
    proc = subprocess.Popen([sys.executable, "-m", "projektbank", "mirror", "--port", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("serving "), line
        url = line.split(" at ", 1)[1].split()[0]
        assert get(url)[0] == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_mirror_command_bad_folder(tmp_path):
    r = subprocess.run([sys.executable, "-m", "projektbank", "mirror", str(tmp_path / "nope")],
                       cwd=REPO, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such folder" in r.stderr
