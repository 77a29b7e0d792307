"""A real websocket server on 127.0.0.1 that replays recorded Jetstream events."""

from __future__ import annotations

import json
import re
import threading

from websockets.sync.server import ServerConnection, serve

from tests.conftest import REALWORLD


class Jetstream:
    """Replays a file of events to each connection, then closes it; records the paths."""

    def __init__(self, name: str, *, stop_after: int | None = None) -> None:
        self.lines = (REALWORLD / "bluesky" / name).read_text("utf-8").splitlines()
        self.stop_after = stop_after
        self.paths: list[str] = []
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.port = self.server.socket.getsockname()[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        path = connection.request.path
        self.paths.append(path)
        start = 0
        cursor = re.search(r"cursor=(\d+)", path)
        if cursor:  # replay from the cursor, as Jetstream does
            start = next(
                (
                    i
                    for i, line in enumerate(self.lines)
                    if json.loads(line)["time_us"] >= int(cursor[1])
                ),
                len(self.lines),
            )
        end = len(self.lines) if self.stop_after is None or cursor else self.stop_after
        for line in self.lines[start:end]:
            connection.send(line)
        connection.close()  # a connection cut: the source must resume from its cursor

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/subscribe"

    def close(self) -> None:
        self.server.shutdown()
