"""report.html: drawn for the samples' extract and for an offline crawl with history, opened in
a real headless Chromium (Debian's `chromium`), driven over the DevTools protocol on a pipe:
no console errors, no request beyond the file itself, every chart an SVG that drew shapes,
and a full-page screenshot (kept under the test's tmp folder for a person to look at)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT
from projektbank.pipelines.report_html import write_report
from projektbank.pipelines.report_html.data import read_folder

DRAW_REPORTS = True  # conftest: runs here draw report.html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(os.environ.get("PROJEKTBANK_SCREENSHOTS", "")) if os.environ.get(
    "PROJEKTBANK_SCREENSHOTS") else None

needs_browser = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium); CI always runs this")


def run_cli(*args: str, check: bool = True, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "projektbank", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _above_4(fd: int) -> int:
    """The same pipe end under a number of 10 or more (never 3 or 4, which bash rewires)."""
    import fcntl

    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class Browser:
    """Headless Chromium over the DevTools protocol on a pipe (fd 3: commands in, fd 4: out)."""

    def __init__(self, profile: Path):
        assert CHROMIUM, "chromium is not installed: apt-get install chromium"
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        to_chrome_r, from_chrome_w = _above_4(to_chrome_r), _above_4(from_chrome_w)
        # chromium wants the pipe as its fd 3 (commands in) and 4 (replies out): bash sets
        # them up (pass_fds keeps our ends open in the child under their own numbers)
        self.proc = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{to_chrome_r} 4>&{from_chrome_w} '
                           f'{to_chrome_r}<&- {from_chrome_w}>&-', "bash",
             CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--remote-debugging-pipe",
             "--disable-background-networking", "--disable-component-update",
             f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"],
                                 flatten=True)["sessionId"]

    def _read(self, timeout: float) -> dict:
        import select

        end = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = end - time.monotonic()
            ready, _, _ = select.select([self._from_chrome], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, session: str | None = None, timeout: float = 60, **params):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def page(self, method: str, **params):
        return self.call(method, session=self.session, **params)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        for e in self.events:
            if e.get("method") == method:
                return e
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            e = self._read(end - time.monotonic())
            self.events.append(e)
            if e.get("method") == method:
                return e
        raise TimeoutError(method)

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


def open_in_chromium(report: Path, screenshot: Path, profile: Path) -> dict:
    """Load the report; the console errors, the requests made, the charts' SVGs, a screenshot."""
    b = Browser(profile)
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.page(f"{domain}.enable")
        b.page("Emulation.setDeviceMetricsOverride", width=1400, height=900,
               deviceScaleFactor=1, mobile=False)
        b.page("Page.navigate", url=report.resolve().as_uri())
        b.wait_for("Page.loadEventFired")
        probe = """JSON.stringify({
          charts: [...document.querySelectorAll('figure.chart')].map(f => ({
            name: f.dataset.chart,
            svgs: f.querySelectorAll('svg').length,
            shapes: f.querySelectorAll('svg path, svg rect, svg use').length,
            texts: f.querySelectorAll('svg text').length,
            width: f.querySelector('svg') ? f.querySelector('svg').getBoundingClientRect().width : 0,
            height: f.querySelector('svg') ? f.querySelector('svg').getBoundingClientRect().height : 0,
          })),
          declared: document.querySelector('meta[name=projektbank-charts]').content,
          svgs: document.querySelectorAll('svg').length,
          scripts: document.querySelectorAll('script').length,
          height: document.documentElement.scrollHeight,
          title: document.title})"""
        result = json.loads(b.page("Runtime.evaluate", expression=probe,
                                   returnByValue=True)["result"]["value"])
        shot = b.page("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                      timeout=120)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        errors = []
        requests = []
        for e in b.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(p)
            elif m == "Runtime.exceptionThrown":
                errors.append(p)
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append(p["entry"])
            elif m == "Network.requestWillBeSent":
                requests.append(p["request"]["url"])
        result["errors"] = errors
        result["requests"] = requests
        return result
    finally:
        b.close()


def check_in_browser(report: Path, tmp: Path, name: str, expected_charts: set[str]) -> dict:
    shot = (SHOTS or tmp) / f"report_{name}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    res = open_in_chromium(report, shot, tmp / f"profile-{name}")
    assert res["errors"] == [], res["errors"]
    assert res["requests"] == [report.resolve().as_uri()], res["requests"]  # nothing else loaded
    assert res["scripts"] == 0
    names = [c["name"] for c in res["charts"]]
    assert set(names) == expected_charts and len(names) == len(expected_charts), names
    assert int(res["declared"]) == len(names) == res["svgs"]
    for c in res["charts"]:
        assert c["svgs"] == 1 and c["shapes"] >= 5 and c["texts"] >= 3, c
        assert c["width"] > 200 and c["height"] > 80, c
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 50_000
    return res


RUN_CHARTS = {"rejects"}
DATA_CHARTS = {"by_period", "by_region", "by_area", "by_start_year", "amounts",
               "totals_by_period", "totals_by_region", "fill_rates", "messages"}
HISTORY_CHARTS = {"records_over_time", "changes_per_run", "top_changed_columns"}


@pytest.fixture(scope="module")
def samples_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples") / "out"
    run_cli("extract", "samples/", "--out", str(out), "-q")
    return out


def test_extract_writes_the_report(samples_out):
    report = samples_out / "report.html"
    assert report.is_file()
    assert oct(report.stat().st_mode & 0o044) == oct(0o044 & (samples_out / "projects.csv")
                                                     .stat().st_mode)
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text.lower() and "@import" not in text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)|url\(\s*["']?(https?:|//)""",
                         text, re.I)     # nothing to load: the browser test checks that too
    rows = pq.read_table(samples_out / "projects.parquet").num_rows
    assert f"<dt>records</dt><dd>{rows}</dd>" in text
    for label in ("no project block", "robots.txt", "HTTP 404 template"):
        assert label in text


@needs_browser
def test_samples_report_in_chromium(samples_out, tmp_path):
    res = check_in_browser(samples_out / "report.html", tmp_path, "samples",
                           RUN_CHARTS | DATA_CHARTS)
    assert res["title"].startswith("projektbank report")


def _edit_site(site: Path) -> None:
    """A second crawl sees one project changed and one gone."""
    pages = sorted((site / "resultat/projektbanken/projekt/dnr").glob("*.html"))
    changed = next(p for p in pages if b"Total projektbudget" in p.read_bytes())
    text = changed.read_text(encoding="utf-8")
    m = re.search(r"Total projektbudget.{0,80}?(\d[\d\s]{3,}\d)", text, re.S)
    assert m, changed
    text = text[:m.start(1)] + "9 999 999" + text[m.end(1):]
    changed.write_text(text.replace("</h1>", " (ny)</h1>", 1), encoding="utf-8")
    gone = next(p for p in pages if p != changed and b"2017%2F00000" not in p.name.encode()
                and b"Diarienummer" in p.read_bytes())
    gone.unlink()


@pytest.fixture(scope="module")
def crawl_out(tmp_path_factory) -> Path:
    from projektbank.crawler.mirror import Mirror, repo_site_dir

    base = tmp_path_factory.mktemp("crawl")
    site = base / "site"
    shutil.copytree(repo_site_dir(), site)
    out = base / "out"
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", "PROJEKTBANK_CONDITIONAL_REQUESTS=False"]
    with Mirror(site, cache=False) as m:
        for day in ("2026-11-30", "2026-12-07"):
            run_cli("crawl", "--start-url", m.origin + "/resultat/projektbanken/", "--out",
                    str(out), "--crawl-date", day, *fast)
            if day == "2026-11-30":
                _edit_site(site)
    write_report(out)   # until the crawl writes it itself
    return out


def test_crawl_report_reads_the_history(crawl_out):
    f = read_folder(crawl_out)
    assert f.kind == "crawl history" and len(f.snapshots) == 2 and not f.problems
    kinds = set(f.changes["change"].to_pylist())
    assert {"changed", "fetch_failed"} <= kinds   # the removed page is still linked: a failed fetch
    text = (crawl_out / "report.html").read_text(encoding="utf-8")
    assert "2026-12-07" in text and "total_budget_sek" in text and "HTTP 404" in text
    assert "<th>fetch failed</th>" in text


@needs_browser
def test_crawl_report_in_chromium(crawl_out, tmp_path):
    check_in_browser(crawl_out / "report.html", tmp_path, "crawl",
                     RUN_CHARTS | DATA_CHARTS | HISTORY_CHARTS)


def test_report_command_and_missing_files(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_cli("report", str(empty))
    assert (empty / "report.html").is_file() and "report.html" in proc.stdout
    text = (empty / "report.html").read_text(encoding="utf-8")
    assert "no projects.parquet" in text
    (empty / "crawl_report.json").write_text("{not json", encoding="utf-8")
    (empty / "rejects.jsonl").write_text('{"source": "a", "reason": "empty file"}\nbroken\n')
    run_cli("report", str(empty))
    text = (empty / "report.html").read_text(encoding="utf-8")
    assert "crawl_report.json unreadable" in text and "empty file" in text
    proc = run_cli("report", str(tmp_path / "missing"), check=False)
    assert proc.returncode == 1 and "not a folder" in proc.stderr
    # odd content (a hand-edited report): that section says so, the rest is drawn
    (empty / "crawl_report.json").write_text(json.dumps({"status": "published", "retries": 3,
                                                         "failures": "none"}))
    run_cli("report", str(empty))
    text = (empty / "report.html").read_text(encoding="utf-8")
    assert "could not draw this section: AttributeError" in text and "Records" in text
    from projektbank.pipelines.report_html import try_write_report

    assert try_write_report(empty) == empty / "report.html"
    assert try_write_report(tmp_path / "missing") is None   # logged, never raised


def test_report_of_an_empty_dataset_and_a_failed_crawl(tmp_path):
    """No rows at all, and a crawl report of a run that failed, with lines not understood."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.html").write_bytes(b"")
    out = tmp_path / "out"
    proc = run_cli("extract", str(src), "--out", str(out))
    assert "report.html not written" not in proc.stderr
    (out / "crawl_report.json").write_text(json.dumps({
        "status": "assertions_failed", "reason": "run assertion failed: 0 records",
        "records": 0, "rejects": 1, "failures": [{"url": "http://x/a", "kind": "detail",
                                                  "reason": "HTTP 500", "attempts": 4}],
        "retries": {"count": 3, "gave_up": 1, "reasons": {"500 Internal Server Error": 3}},
        "lines_not_understood": [{"line": "Beslutsdatum 2024-01-01", "project_id": "23-1-S1"}],
        "conditional": {"enabled": True, "sent": 5, "not_modified": 4, "bytes_saved": 123456},
    }), encoding="utf-8")
    text = write_report(out).read_text(encoding="utf-8")
    assert 'class="badge bad">assertions_failed' in text and "HTTP 500" in text
    assert "Beslutsdatum 2024-01-01" in text and "23-1-S1" in text
    assert "123\u202f456" in text and "500 Internal Server Error" in text
    assert "no data" in text and "empty file" in text
    (out / "crawl_report.json").write_text(json.dumps({"status": "published", "records": 7}))
    text = write_report(out).read_text(encoding="utf-8")
    assert "<dt>records</dt><dd>0</dd><dt>records of the last run</dt><dd>7</dd>" in text


def test_ten_thousand_projects_stay_small(tmp_path):
    """A generated 10,000-row table (three periods, many regions, messages): under 2 MB."""
    import random
    from datetime import UTC, date, datetime

    import pyarrow as pa
    from projektbank.extract.page import empty_record
    from projektbank.pipelines.arrow_schema import arrow_schema

    rng = random.Random(11)
    regions = ["Stockholm", "Skåne", "Övre Norrland", "Mellersta Norrland", "Västsverige",
               "Östra Mellansverige", "Småland och öarna", "Norra Mellansverige", "Sydsverige",
               "ESF Nationellt"]
    rows = []
    for i in range(10_000):
        period = rng.choice(["2007-2013", "2014-2020", "2021-2027"])
        rec = empty_record()
        start = date(int(period[:4]) + rng.randrange(7), rng.randrange(1, 13), 1)
        budget = int(10 ** rng.uniform(5, 8))
        rec.update(project_id=f"P{i:05d}", programme_period=period, project_name=f"Projekt {i}",
                   owner_name="ÄGARE", start_date=start, end_date=start, region=rng.choice(regions),
                   programme_area=rng.choice("ABCDEF" if period == "2021-2027" else "12345"),
                   total_budget_sek=None if period == "2021-2027" else budget,
                   esf_grant_sek=budget // 2, source_url=f"https://x/{i}",
                   fetched_at=datetime(2026, 1, 1, tzinfo=UTC), content_sha256="0" * 64,
                   extractor_version="t", description="x " * 200,
                   validation_messages=[f"owner_org_number: check digit fails for '{i}'"]
                   if i % 7 == 0 else [])
        rows.append(rec)
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema()), tmp_path / "projects.parquet")
    t0 = time.monotonic()
    path = write_report(tmp_path)
    seconds = time.monotonic() - t0
    size = path.stat().st_size
    assert size < 2_000_000, size
    assert seconds < 60, seconds
    text = path.read_text(encoding="utf-8")
    assert "<dd>10000</dd>" in text and "P00000" in text


def test_fill_rates_show_what_a_period_does_not_publish(samples_out, tmp_path):
    """Columns whose schema `periods` leave a period out are drawn as not published there
    (hatched, labelled), not as a 0% failure; without `periods`, every cell is measured."""
    from projektbank.extract.schema import BY_NAME
    from projektbank.pipelines.report_html.data import fill_by_period, published_in

    table = pq.read_table(samples_out / "projects.parquet")
    periods, counts, rates = fill_by_period(table)
    assert periods == ["2007-2013", "2014-2020", "2021-2027"]
    assert counts["all"] == table.num_rows == sum(counts[p] for p in periods)
    # ESF+ pages rarely publish a total budget (one layout does: samples/real)
    assert rates[("total_budget_sek", "2021-2027")] < 0.1
    assert rates[("total_budget_sek", "2014-2020")] > 0.9
    budget, org = BY_NAME["total_budget_sek"], BY_NAME["owner_org_number"]

    def not_published_cells() -> int:
        shutil.copy(samples_out / "projects.parquet", tmp_path / "projects.parquet")
        text = write_report(tmp_path).read_text(encoding="utf-8")
        fill = text[text.index('data-chart="fill_rates"'):]
        return fill[: fill.index("</figure>")].count(">not published<")

    before = not_published_cells()      # the schema's own periods
    assert before > 0
    override = {budget: ("2007-2013", "2014-2020"), org: ("2021-2027",)}
    # cells the override turns from published into not published (and back)
    delta = sum((p not in new) - (not published_in(col, p))
                for col, new in override.items() for p in periods)
    had = {c: c.__dict__.get("periods", "missing") for c in override}
    try:
        for col, value in override.items():
            object.__setattr__(col, "periods", value)
        assert not published_in(budget, "2021-2027") and published_in(budget, "all")
        after = not_published_cells()
        text = (tmp_path / "report.html").read_text(encoding="utf-8")
    finally:
        for col, value in had.items():
            if value == "missing":
                object.__delattr__(col, "periods")
            else:
                object.__setattr__(col, "periods", value)
    assert after == before + delta
    fill = text[text.index('data-chart="fill_rates"'):]
    fill = fill[: fill.index("</figure>")]
    assert "not published in that period" in fill
    assert "Hatched cells: the source does not publish" in text
