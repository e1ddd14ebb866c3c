"""Open an HTML report in real headless Chromium, check it, and save a screenshot.

Checks, through the DevTools protocol (``websocket-client``):

* no network request other than the page itself (``file:``) and inline ``data:`` URLs;
  DNS is also mapped to nowhere (``--host-resolver-rules``) so a stray request fails;
* no broken image (every ``<img>`` decoded) and at least ``--charts`` rendered ``<svg>``
  charts, each with a non-zero size on the page;
* then a full-page PNG screenshot, and a PDF print (to see the print stylesheet).

Run: ``python scripts/screenshot_report.py REPORT.html [--out report.png] [--charts 5]``.
Without a report, it builds one from a small demo roster first (``--demo``). Exit 0 when
every check passes, 1 otherwise. Needs ``chromium`` (``apt-get install -y chromium``).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
)


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("no chromium found: apt-get install -y chromium")


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cdp:
    """A minimal DevTools protocol client over one page's websocket."""

    def __init__(self, ws_url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result", {}))
            self.events.append(msg)

    def wait_for(self, event: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        if any(e.get("method") == event for e in self.events):
            return
        while time.monotonic() < end:
            msg = json.loads(self.ws.recv())
            self.events.append(msg)
            if msg.get("method") == event:
                return
        raise TimeoutError(event)

    def evaluate(self, expression: str) -> Any:
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return res["result"].get("value")


CHECK_JS = """
(() => {
  const svgs = [...document.querySelectorAll('figure svg')];
  const imgs = [...document.images];
  return {
    svg: svgs.length,
    svgSized: svgs.filter(s => s.getBoundingClientRect().width > 50
                             && s.getBoundingClientRect().height > 50).length,
    svgPaths: svgs.map(s => s.querySelectorAll('path, use').length),
    images: imgs.length,
    brokenImages: imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
    title: document.title,
    height: document.documentElement.scrollHeight,
  };
})()
"""


def check(html: Path, out: Path, charts: int) -> bool:
    chromium = find_chromium()
    port = _free_port()
    # Chromium may still be writing to its profile as it exits: tolerate leftovers.
    with tempfile.TemporaryDirectory(
        prefix="mentorctl-chromium-", ignore_cleanup_errors=True
    ) as profile:
        proc = subprocess.Popen(
            [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={port}",
                "--window-size=1200,900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            return _drive(port, html, out, charts)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _drive(port: int, html: Path, out: Path, charts: int) -> bool:
    targets: list[dict[str, Any]] = []
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                targets = json.load(r)
            if any(t.get("type") == "page" for t in targets):
                break
        except OSError:
            pass
        time.sleep(0.1)
    page = next((t for t in targets if t.get("type") == "page"), None)
    if page is None:
        print("FAIL: chromium did not start (no DevTools page)")
        return False
    cdp = Cdp(page["webSocketDebuggerUrl"])
    cdp.call("Network.enable")
    cdp.call("Page.enable")
    url = html.resolve().as_uri()
    cdp.call("Page.navigate", url=url)
    cdp.wait_for("Page.loadEventFired")
    time.sleep(0.3)  # let layout settle
    facts = cdp.evaluate(CHECK_JS)
    requests = [
        e["params"]["request"]["url"]
        for e in cdp.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    failed = [e["params"] for e in cdp.events if e.get("method") == "Network.loadingFailed"]
    external = [u for u in requests if not (u == url or u.startswith("data:"))]

    ok = True
    print(f"page: {facts['title']!r}, {facts['height']} px tall")
    print(f"requests: {len(requests)} ({', '.join(sorted({u.split(':')[0] for u in requests}))})")
    if external:
        ok = False
        print(f"FAIL: {len(external)} network request(s): {external[:5]}")
    if failed:
        ok = False
        print(f"FAIL: {len(failed)} failed load(s): {failed[:3]}")
    print(f"charts: {facts['svg']} <svg>, {facts['svgSized']} rendered with a size")
    print(f"drawn elements per chart: {facts['svgPaths']}")
    if facts["svgSized"] < charts or min(facts["svgPaths"] or [0]) == 0:
        ok = False
        print(f"FAIL: expected at least {charts} rendered charts with drawing in them")
    if facts["brokenImages"]:
        ok = False
        print(f"FAIL: broken images: {facts['brokenImages']}")
    print(f"images: {facts['images']} (broken: {len(facts['brokenImages'])})")

    metrics = cdp.call("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = cdp.call(
        "Page.captureScreenshot",
        format="png",
        captureBeyondViewport=True,
        clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    )
    out.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot: {out}")
    pdf = cdp.call("Page.printToPDF", printBackground=True, preferCSSPageSize=True)
    pdf_path = out.with_suffix(".pdf")
    pdf_path.write_bytes(base64.b64decode(pdf["data"]))
    print(f"print (PDF): {pdf_path}")
    cdp.ws.close()
    print("PASS" if ok else "FAIL")
    return ok


def demo_report(directory: Path) -> Path:
    """A small roster with meetings, goals, check-ins and HR data, reported as HTML."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.reports.fixture import build_fixture_program

    html = directory / "report.html"
    build_fixture_program(directory, html=html)
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", type=Path, help="report.html (default: --demo)")
    parser.add_argument("--out", type=Path, default=Path("report.png"))
    parser.add_argument("--charts", type=int, default=5, help="rendered <svg> charts expected")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mentorctl-report-") as tmp:
        html = args.html or demo_report(Path(tmp))
        return 0 if check(html, args.out, args.charts) else 1


if __name__ == "__main__":
    sys.exit(main())
