"""Debian's chromium, headless, driven over the Chrome DevTools Protocol (CDP) on 127.0.0.1.

The lightest reliable way to see a page as a reader does: no browser download and no driver
package, one websocket to the page. Every host name but 127.0.0.1 resolves to nothing, so a page
that reached for a CDN script or a map tile would log an error. ``BROWSER`` names another binary.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from tests.waiting import PATIENCE_SECONDS, wait_until

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--window-size=1280,900",
]  # fmt: skip


def chromium() -> str | None:
    """The browser binary, None when not installed."""
    return shutil.which(os.environ.get("BROWSER", "chromium"))


class Page:
    """One tab: send CDP commands, keep every event that arrived meanwhile."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket, self.events, self._next_id = socket, [], 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        self.socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        reply = self._receive_until(lambda m: m.get("id") == self._next_id, method)
        assert "error" not in reply, f"{method}: {reply['error']}"
        return reply["result"]

    def wait_for(self, event: str) -> dict[str, Any]:
        if found := [e for e in self.events if e["method"] == event]:
            return found[0]
        return self._receive_until(lambda m: m.get("method") == event, event)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads the page logged."""
        found = []
        for event in self.events:
            params = event["params"]
            if event["method"] == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"]["text"])
            elif event["method"] == "Runtime.consoleAPICalled" and params["type"] == "error":
                found.append(" ".join(str(a.get("value")) for a in params["args"]))
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"])
        return found

    def open(self, url: str) -> None:
        """Load ``url`` and wait for its load event, with console and log collection on."""
        for domain in ("Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"]["value"]

    def screenshot(self, path: Path) -> Path:
        """The whole page as PNG."""
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def _receive_until(self, wanted, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + PATIENCE_SECONDS
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no answer to {what} within {PATIENCE_SECONDS:.0f} s"
            message = json.loads(self.socket.recv(timeout=left))
            if wanted(message):
                return message
            if "method" in message:
                self.events.append(message)


@contextmanager
def browser_page(binary: str, profile: Path) -> Iterator[Page]:
    """A fresh headless chromium with its own empty profile, and its first tab."""
    profile.mkdir(parents=True)
    log = (profile.parent / "chromium.log").open("wb")
    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdout=log, stderr=log
    )
    try:
        port_file = profile / "DevToolsActivePort"
        port = wait_until(lambda: port_file.exists() and port_file.read_text().split("\n")[0],
                          "chromium's DevTools port")  # fmt: skip
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
            tabs = [t for t in json.load(answer) if t["type"] == "page"]
        with connect(tabs[0]["webSocketDebuggerUrl"], max_size=None) as socket:
            yield Page(socket)
    finally:
        process.terminate()
        process.wait(timeout=PATIENCE_SECONDS)
        log.close()
