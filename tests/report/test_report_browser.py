"""The HTML report in a real headless Chromium (Chrome DevTools protocol):
no console errors, no network requests, the heatmap and every theme section
present, a screenshot taken. Skipped, saying so, where Chromium is missing."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from codingkit.coding.bundled import bundled_info

#: the gold interviews the coder bundled with the default codebook learned from
N_GOLD = bundled_info()["learned_from"]["interviews"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which(
    "google-chrome")


class DevTools:
    """A minimal Chrome DevTools protocol client over one page's websocket."""

    def __init__(self, url: str) -> None:
        import websocket  # websocket-client

        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                assert "error" not in msg, msg
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            self.events.append(msg)
            if msg.get("method") == method:
                return msg
        raise TimeoutError(method)

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it): "
                    "the HTML report was not opened in a browser")
    profile = tmp_path / "profile"
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "--window-size=1280,2000", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert proc.poll() is None, "Chromium exited at start"
            assert time.monotonic() < deadline, "Chromium did not open its DevTools port"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        tools = DevTools(pages[0]["webSocketDebuggerUrl"])
        yield tools
        tools.close()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):  # pragma: no cover
            os.killpg(proc.pid, signal.SIGKILL)


def test_html_report_in_chromium(sample_results, tmp_path, browser, run):
    out = tmp_path / "rapport.html"
    assert run("report", sample_results, "--out", out).exit_code == 0
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.call(f"{domain}.enable")
    browser.call("Page.navigate", url=out.as_uri())
    browser.wait_for("Page.loadEventFired")
    time.sleep(0.3)  # late errors, if any
    state = browser.call("Runtime.evaluate", returnByValue=True, expression="""({
        heatmap: !!document.querySelector('svg#heatmap'),
        cells: document.querySelectorAll('svg#heatmap g.cell').length,
        themes: [...document.querySelectorAll('details.theme')].map(d => d.id),
        trends: document.querySelectorAll('details.theme svg.trend').length,
        marks: document.querySelectorAll('mark').length,
        width: document.documentElement.scrollWidth,
        title: document.title,
        provenance: document.getElementById('provenance').textContent,
        text: document.body.textContent
    })""")["result"]["value"]
    errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled"
                  and e["params"]["type"] in ("error", "assert"))
              or (e.get("method") == "Log.entryAdded"
                  and e["params"]["entry"]["level"] == "error")]
    assert errors == []
    requests = [e["params"]["request"]["url"] for e in browser.events
                if e.get("method") == "Network.requestWillBeSent"]
    assert requests == [out.as_uri()]  # the page itself, nothing else
    themes = ["tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
              "forankring", "samverkan", "resurser", "larande", "effekter"]
    assert state["heatmap"] and state["cells"] == len(themes) * 7  # 6 groups + all
    assert state["themes"] == [f"theme-{t}" for t in themes]
    assert state["trends"] == len(themes) and state["marks"] > 50
    assert state["title"].startswith("Teman i intervjuerna")
    # the provenance in words (closed details too: textContent), and no path of the
    # machine that ran it (a report is shared)
    root = str(Path(__file__).resolve().parents[2])
    for raw in (root, str(sample_results.parent), "{'", "['", "False", "True"):
        assert raw not in state["text"], raw
    assert "innovationsupphandling.yaml" in state["provenance"]
    assert f"inlärd kodare ({N_GOLD} guldintervjuer)" in state["provenance"]
    shot = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
    assert shot.startswith(b"\x89PNG") and len(shot) > 20_000
    (tmp_path / "rapport.png").write_bytes(shot)
    # printing opens the collapsed sections
    browser.call("Emulation.setEmulatedMedia", media="print")
    closed = browser.call("Runtime.evaluate", returnByValue=True, expression=(
        "window.dispatchEvent(new Event('beforeprint'));"
        "document.querySelectorAll('details:not([open])').length"))["result"]["value"]
    assert closed == 0
