"""textual-serve's web server, stopping as `app.py serve` promises.

On Ctrl-C or SIGTERM textual-serve leaves aiohttp to close the open websockets, which
waits until a websocket heartbeat fails (7 to 22 s) while the collector goes on polling,
and never waits for the viewers' processes, so asyncio warns that its loop closed before
they ended. Here the collector stops at the signal, each viewer's monitor is told to quit
at once, and the server closes only after their processes ended (or after
`VIEWER_STOP_SECONDS`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("echowatch.serve")

VIEWER_STOP_SECONDS = 5.0
"""How long a stop waits for the viewers' monitors to quit before the server closes."""


class ViewerService(AppService):
    """One viewer's monitor process; stopping it waits until the process has ended."""

    async def stop(self) -> None:
        await super().stop()  # tells the monitor to quit; returns once its output ends
        process = self._process
        if process is not None:
            await process.wait()


class TeamServer(Server):
    """The server of `app.py serve`: `stop` is the collector's stop event."""

    def __init__(self, command: str, *, stop: threading.Event, **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.stop = stop
        self.viewers: dict[asyncio.Task[Any], asyncio.Event] = {}
        """Per connection running a viewer, its task and whether the viewer ended (the
        task goes on serving the connection after that)."""

    def request_exit(self) -> None:
        self.stop.set()  # before the viewers close: the collector stores nothing more
        super().request_exit()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, with a viewer that a stop can end and wait for."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        task, ended = asyncio.current_task(), asyncio.Event()
        if task is not None:
            self.viewers[task] = ended
        viewer: ViewerService | None = None
        try:
            await websocket.prepare(request)

            async def close_page() -> None:
                await websocket.close()

            viewer = ViewerService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close_page,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await viewer.start(width, height)
            await self._process_messages(websocket, viewer)
        except asyncio.CancelledError:  # a stop (see on_shutdown): the page is told below
            if viewer is not None:
                await viewer.stop()
            await websocket.close()
        except Exception:
            log.exception("a viewer's connection failed")
        finally:
            if viewer is not None:
                await viewer.stop()  # does nothing when already stopped
            ended.set()
            if task is not None:
                self.viewers.pop(task, None)
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        viewers = dict(self.viewers)
        for task in viewers:
            task.cancel()
        if not viewers:
            return
        waits = [asyncio.ensure_future(ended.wait()) for ended in viewers.values()]
        _, late = await asyncio.wait(waits, timeout=VIEWER_STOP_SECONDS)
        for waiting in late:
            waiting.cancel()
        if late:
            log.warning("%d viewers did not quit within %gs", len(late), VIEWER_STOP_SECONDS)
