"""Headless Chromium for the report tests, driven through ChromeDriver's W3C WebDriver HTTP
API with httpx (no browser-driver package: those download browsers, and this machine is
offline). Debian's ``chromium`` and ``chromium-driver`` are found with ``shutil.which``."""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.mock_helpers import free_port

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--window-size=1300,1500",
]
_ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C key of an element reference


def browser_binaries() -> tuple[str, str] | None:
    """(chromium, chromedriver) when both are installed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


class Page:
    """One browser session: load a page, query its DOM, take a screenshot."""

    def __init__(self, http: httpx.Client, session: str) -> None:
        self.http = http
        self.session = session

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, f"/session/{self.session}{path}", json=body)
        payload = response.json()
        if response.status_code != 200:
            raise RuntimeError(f"webdriver {method} {path}: {payload}")
        return payload["value"]

    def open(self, url: str) -> None:
        """Navigate and wait for the page's load event."""
        self._call("POST", "/url", {"url": url})

    def script(self, source: str, *args: Any) -> Any:
        """Run JavaScript in the page and return its result."""
        return self._call("POST", "/execute/sync", {"script": source, "args": list(args)})

    def find_all(self, css: str) -> list[str]:
        """Element references matching a CSS selector."""
        found = self._call("POST", "/elements", {"using": "css selector", "value": css})
        return [item[_ELEMENT] for item in found]

    def displayed(self, element: str) -> bool:
        """Whether the element is visible to a user (W3C 'is element displayed')."""
        return bool(self._call("GET", f"/element/{element}/displayed"))

    def text(self, element: str) -> str:
        """The element's rendered text."""
        return str(self._call("GET", f"/element/{element}/text"))

    def screenshot(self, path: Path) -> None:
        """A PNG of the viewport."""
        path.write_bytes(base64.b64decode(self._call("GET", "/screenshot")))


@contextmanager
def chromium_page() -> Iterator[Page]:
    """A headless Chromium page, with a fresh profile, closed afterwards."""
    binaries = browser_binaries()
    assert binaries is not None, "chromium and chromedriver are not installed"
    chromium, driver = binaries
    port = free_port()
    server = subprocess.Popen(
        [driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    profile = tempfile.mkdtemp(prefix="ocpi-chromium-")
    try:
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        deadline = time.monotonic() + 20
        while True:
            try:
                if http.get("/status").json()["value"]["ready"]:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"],
            },
        }
        answer = http.post("/session", json={"capabilities": {"alwaysMatch": capabilities}})
        session = answer.json()["value"]["sessionId"]
        try:
            yield Page(http, session)
        finally:
            http.delete(f"/session/{session}")
            http.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def main() -> None:
    """``python -m tests.browser REPORT.html OUT.png [CSS]``: a screenshot of a report (for the
    docs), scrolled to the first element matching CSS when given."""
    import sys

    report, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    with chromium_page() as page:
        page.open(report.as_uri())
        if len(sys.argv) > 3:
            page.script("document.querySelector(arguments[0]).scrollIntoView()", sys.argv[3])
        page.screenshot(out)


if __name__ == "__main__":
    main()
