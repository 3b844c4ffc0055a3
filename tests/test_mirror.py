"""The local mirror (crawler/mirror.py) and `projektbank mirror`."""

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from projektbank.crawler.mirror import Mirror, read_log, repo_site_dir
from projektbank.crawler.mirror_faults import ACTIONS_HELP, FaultPlan, parse_action

REPO = Path(__file__).resolve().parent.parent
PLANS = Path(__file__).resolve().parent / "fault_plans"


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read(), r.url
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read(), url


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    log = tmp_path_factory.mktemp("mirror") / "log.jsonl"
    with Mirror(faults=PLANS / "mirror_flaky.json", log_path=log) as m:
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
    with Mirror(faults=PLANS / "drop_once.json") as m:
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


def test_every_action_over_the_wire():
    with Mirror(faults=PLANS / "every_action.json") as m:
        status, headers, _, _ = get(m.url("/a/"))
        assert status == 503 and headers["Retry-After"] == "1"
        status, headers, _, _ = get(m.url("/b/"))
        from email.utils import parsedate_to_datetime
        ahead = parsedate_to_datetime(headers["Retry-After"]).timestamp() - time.time()
        assert status == 429 and 25 < ahead <= 31
        status, _, body, final = get(m.url("/c/"))   # urllib follows the redirect
        assert status == 200 and final.endswith("?sida=2") and b"sida 2" in body
        t0 = time.time()
        assert get(m.url("/d/"))[0] == 404 and time.time() - t0 >= 0.45   # slow, then served
        t0 = time.time()
        slow = get(m.url("/resultat/projektbanken/"))
        assert slow[0] == 200 and time.time() - t0 >= 0.4 and slow[2] == get(m.url("/resultat/projektbanken/"))[2]
        assert [get(m.url("/e/"))[0] for _ in range(2)] == [403, 404]


def test_bundled_default_plan():
    """`--faults default` and `Mirror(faults="default")` are samples/faults/default.json."""
    default = FaultPlan.named("default")
    assert default.entries == FaultPlan.load(REPO / "samples" / "faults" / "default.json").entries
    assert "/resultat/projektbanken/projekt/?dnr=2015/00777" in default.entries
    with Mirror(faults="default") as m:
        assert [get(m.url("/resultat/projektbanken/?sida=2"))[0] for _ in range(2)] == [500, 200]
    proc = subprocess.Popen([sys.executable, "-m", "projektbank", "mirror", "--port", "0",
                             "--faults", "default"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().split(" at ", 1)[1].split()[0]
        assert get(url + "projekt/?dnr=2015/00777")[0] == 503
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("text,entry,says", [
    ('{"faults": {"/x/": ["503", "bogus"]}}', "entry '/x/', action 2 'bogus'", "unknown action"),
    ('{"/x/": ["slow:soon"]}', "entry '/x/', action 1 'slow:soon'", "needs seconds"),
    ('{"/x/": ["429:later"]}', "entry '/x/', action 1 '429:later'", "Retry-After"),
    ('{"/x/": "503"}', "entry '/x/'", "list of actions"),
    ('{"x/": ["503"]}', "entry 'x/'", "starting with '/'"),
    ('{"faults": {}, "fautls": 1}', "plan.json", "unknown key 'fautls'"),
    ('{"/x/": ["503"', "plan.json", "not JSON"),
])
def test_malformed_plan_is_refused_naming_file_and_entry(tmp_path, text, entry, says):
    plan = tmp_path / "plan.json"
    plan.write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "projektbank", "mirror", "--port", "0",
                        "--faults", str(plan)], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert str(plan) in r.stderr and entry in r.stderr and says in r.stderr, r.stderr
    with pytest.raises(ValueError, match=re.escape(entry)):
        Mirror(faults=plan)


def test_actions_are_documented_in_help():
    r = subprocess.run([sys.executable, "-m", "projektbank", "mirror", "--help"], cwd=REPO,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and ACTIONS_HELP in r.stdout
    examples = re.findall(r"e\.g\. (.+)", ACTIONS_HELP)
    actions = [a.strip() for line in examples for a in re.split(r",| or ", line) if a.strip()]
    assert len(actions) >= 8
    for action in actions:   # every example the help gives is an action the mirror takes
        parse_action(action)
    for word in ("drop", "slow:", "slowbody:", "date+", "LOCATION"):
        assert word in ACTIONS_HELP
