"""End-to-end: render ``llmcost report`` in real headless Chromium.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``; CI
installs it in ``.ci/run``). Without a browser the tests skip with that hint.

What is checked, from the DOM Chromium dumps after the scripts ran
(``--dump-dom``) and from its console log (``--enable-logging=stderr``):

* the report's script ran to the end (``body[data-ready]``), raised nothing
  (``#js-errors`` stays hidden) and the console is empty: no script error and
  no Content-Security-Policy violation, i.e. nothing tried to load from the
  network;
* every chart drew: the script stores on each ``svg[data-chart]`` how many of
  its marks have a non-empty layout box (``data-drawn``), which must equal
  the number of marks in the file;
* the hostile model/app/user names from the log stay text (no element made
  from them, one script element in the page);
* with a probe script added to a copy (its hash added to the CSP): clicking a
  numeric header sorts the table, hovering a bar shows its tooltip, a phone
  width (390 px) does not scroll sideways, and dark mode changes the colours;
* a full-page screenshot is saved (path printed; set ``LLMCOST_ARTIFACTS`` to
  keep it in a folder of your choice, e.g. ``tests/artifacts``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.render.html import JS, script_hash

FIX = Path(__file__).parent / "fixtures" / "report"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=5000",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless browser test skipped: no `chromium` on PATH (install it with `apt-get install -y chromium`; "
    "CI installs it)",
)

PROBE = """(function(){var r={};
var th=document.querySelectorAll('table[data-table="top-requests"] th')[9];
th.click();th.click();
r.sortState=th.getAttribute('aria-sort');
r.sorted=Array.prototype.map.call(document.querySelectorAll('table[data-table="top-requests"] tbody tr'),
 function(tr){return parseFloat(tr.children[9].getAttribute('data-v'));});
var mark=document.querySelector('svg[data-chart="daily"] [data-tip]');
var box=mark.getBoundingClientRect();
mark.dispatchEvent(new PointerEvent('pointerover',{bubbles:true,clientX:box.left+1,clientY:box.top+1}));
var tip=document.getElementById('tip');
r.tip=tip.hidden?'':tip.textContent;r.expected=mark.getAttribute('data-tip');
r.overflow=document.documentElement.scrollWidth-window.innerWidth;
r.background=getComputedStyle(document.body).backgroundColor;
document.body.setAttribute('data-probe',JSON.stringify(r));})();"""


def _chromium(tmp: Path, url: str, *extra: str) -> tuple[str, str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    cmd = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *extra, url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def _console(stderr: str) -> list[str]:
    """Console messages Chromium logs for the page (errors, CSP violations)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _probe_copy(report: Path, dest: Path) -> Path:
    """The report plus :data:`PROBE`, allowed by adding its hash to the CSP."""
    text = report.read_text(encoding="utf-8")
    old = script_hash(JS).replace("'", "&#x27;")
    assert old in text
    text = text.replace(old, old + " " + script_hash(PROBE).replace("'", "&#x27;"), 1)
    text = text.replace("</body>", f"<script>{PROBE}</script></body>", 1)
    dest.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    # a deep folder: the header names the source file, and a long path must wrap on a phone
    deep = out.parent / ("usage_exports_" * 12) / ("2025_03_" * 12)
    deep.mkdir(parents=True)
    shutil.copy(FIX / "usage.csv", deep / "usage.csv")
    args = ["report", str(deep / "usage.csv"), "--prices", str(FIX / "prices.yaml"), "-o", str(out),
            "--max-output", "250000", "--batch", "app=search"]
    if importlib.util.find_spec("llmcost.budget") is not None:
        args += ["--budgets", str(FIX / "budgets.yaml")]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    return out


def test_charts_draw_and_console_is_clean(report: Path, tmp_path: Path) -> None:
    dom, stderr = _chromium(tmp_path, report.as_uri(), "--window-size=1280,2000", "--dump-dom")
    assert _console(stderr) == []
    assert 'data-ready="1"' in dom, "the report script did not run to the end"
    assert 'data-js-errors="1"' not in dom
    assert re.search(r'<div id="js-errors" role="alert" hidden(="")?>\s*</div>', dom)
    source = report.read_text(encoding="utf-8")
    charts = re.findall(r'<svg [^>]*data-chart="([^"]+)"', source)
    expected = {"daily", "model", "app", "user", "feature", "token-mix", "token-cost", "cache", "waterfall"}
    if importlib.util.find_spec("llmcost.budget") is not None:
        expected.add("budgets")
    assert set(charts) >= expected
    for name in charts:
        m = re.search(rf'<svg [^>]*data-chart="{re.escape(name)}"[^>]*>.*?</svg>', source, re.DOTALL)
        assert m is not None
        marks = len(re.findall(r"data-tip=", m.group(0)))
        drawn = re.search(rf'<svg [^>]*data-chart="{re.escape(name)}"[^>]*data-drawn="(\d+)"', dom)
        assert drawn, f"chart {name}: no render check"
        assert int(drawn.group(1)) == marks > 0, f"chart {name}: {drawn.group(1)} of {marks} marks drawn"
    # hostile names from the log stay text
    assert len(re.findall(r"<script\b", dom)) == 1
    assert "<img" not in dom and "<svg onload" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_sort_tooltip_phone_and_dark_mode(report: Path, tmp_path: Path) -> None:
    probe = _probe_copy(report, tmp_path / "probe.html")
    dom, stderr = _chromium(tmp_path, probe.as_uri(), "--window-size=390,900", "--dump-dom")
    assert _console(stderr) == []
    m = re.search(r"data-probe=\"([^\"]*)\"", dom)
    assert m, "probe did not run"
    r = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    # two clicks on the numeric Cost header: descending, then ascending
    assert r["sortState"] == "ascending"
    assert r["sorted"] == sorted(r["sorted"]) and len(r["sorted"]) == 10
    assert r["sorted"][-1] == 3.0 and r["sorted"][0] == 2.0
    assert r["tip"] == r["expected"] and r["tip"].startswith("2025-03-01 · model-a: $2.10")
    assert r["overflow"] <= 0, f"page scrolls sideways by {r['overflow']} px on a phone"
    light = r["background"]
    dom_dark, stderr = _chromium(tmp_path, probe.as_uri(), "--window-size=390,900",
                                 "--blink-settings=preferredColorScheme=0", "--dump-dom")
    assert _console(stderr) == []
    dark = json.loads(re.search(r"data-probe=\"([^\"]*)\"", dom_dark).group(1).replace("&quot;", '"'))["background"]
    assert (light, dark) == ("rgb(246, 247, 249)", "rgb(17, 21, 28)")


def test_screenshot(report: Path, tmp_path: Path) -> None:
    folder = Path(os.environ.get("LLMCOST_ARTIFACTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "report.png"
    _chromium(tmp_path, report.as_uri(), "--window-size=1280,4200", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 4200)
    assert len(data) > 50_000  # a blank page compresses to a few KB
    print(f"\nreport screenshot: {shot}")
