"""A real headless Chromium driven over the DevTools protocol (websockets, no Playwright).

`HeadlessChromium` starts the distribution's `chromium` with its own profile, opens one page
and records what the page receives over its websockets (`Network.webSocketFrameReceived`):
for `app.py serve` that is the terminal output textual-serve sends to xterm.js, which draws
it on a canvas (so the text is not in the DOM). Waits poll a condition against a deadline.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The first Chromium on PATH (Debian's package installs `chromium`)."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


async def wait_until(condition: Any, *, limit: float, what: str, step: float = 0.2) -> None:
    """Poll `condition()` (sync or async) until true; TimeoutError naming `what`."""
    deadline = time.monotonic() + limit
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"after {limit:.0f}s: {what}")
        await asyncio.sleep(step)


class Page:
    """One page of the browser: commands, and the text of websocket frames it received."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.frames: list[str] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            if "id" in message and message["id"] in self.answers:
                self.answers.pop(message["id"]).set_result(message)
            elif message.get("method") == "Network.webSocketFrameReceived":
                response = message["params"]["response"]
                data = response["payloadData"]
                if response.get("opcode") == 2:  # binary frames arrive base64-encoded
                    data = base64.b64decode(data).decode("utf-8", "replace")
                self.frames.append(data)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        answer = asyncio.get_running_loop().create_future()
        self.answers[number] = answer
        await self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        message = await asyncio.wait_for(answer, timeout=60)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def received_text(self) -> str:
        return "".join(self.frames)

    async def screenshot(self, path: Path) -> bytes:
        result = await self.call("Page.captureScreenshot", format="png")
        data = base64.b64decode(result["data"])
        path.write_bytes(data)
        return data


@contextlib.asynccontextmanager
async def headless_page(
    executable: str, *, width: int = 1280, height: int = 800
) -> AsyncIterator[Page]:
    """Chromium headless with a fresh profile; yields its first page, quits on exit."""
    # Chromium's helper processes can still write to the profile for a moment after the
    # browser itself has ended: they are ended as a group below, and a file one of them
    # wrote after that does not fail the test that was already done.
    with tempfile.TemporaryDirectory(
        prefix="echowatch-chromium-", ignore_cleanup_errors=True
    ) as profile:
        process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",  # tests run as root in containers, where the sandbox cannot start
                "--disable-gpu",
                "--no-first-run",
                f"--window-size={width},{height}",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            # Chromium keeps its single-instance socket in a folder of the temporary
            # folder and leaves it there when it is stopped: inside the profile, it goes
            # with it.
            env={**os.environ, "TMPDIR": profile},
        )
        try:
            active = Path(profile) / "DevToolsActivePort"
            await wait_until(
                lambda: active.exists() and active.read_text().strip(),
                limit=60,
                what="chromium did not open its DevTools port",
            )
            port = active.read_text().split()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
                targets = json.loads(answer.read())
            page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            async with connect(page_url, max_size=None) as socket:
                page = Page(socket)
                await page.call("Network.enable")
                await page.call("Page.enable")
                try:
                    yield page
                finally:
                    page.reader.cancel()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # helpers that outlived the browser
