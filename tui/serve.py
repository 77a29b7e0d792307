"""`app.py serve`: the monitor in a browser for the whole team, through textual-serve.

textual-serve starts one process per browser connection, running a shell command. Every
viewer runs the same command: an offline monitor (`--offline`) on the one store this
server resolved, so all viewers see the same mentions and none of them polls anything.
What the store receives comes from one collector that runs here, in the server process,
when the options call for one (the demo replay, or the sources of a config); viewers see
its arrivals through the monitor's check for mentions another process stored. `--offline`
serves the store as it is, with no collector at all.

Viewers are read-only unless the server is started with `--writable`: a read-only viewer
(`app.py --read-only`) offers no export (it would write files on the server's disk) and
keeps saved views for its session instead of writing the server's config file.
"""

from __future__ import annotations

import ipaddress
import logging
import shlex
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tui.clean_text import clean
from tui.gateway import Pollable, StoreError, describe_report, poll_sources
from tui.launch import LaunchError, LaunchPlan, plan_launch, speed_problem
from tui.serve_page import write_templates
from tui.serve_server import TeamServer

log = logging.getLogger("echowatch.serve")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class ServeAddressError(Exception):
    """The host or port cannot be served on; the message names which and why."""


@dataclass(frozen=True)
class ServeRequest:
    """`app.py serve` as asked: where to listen, and the monitor's own options."""

    program: Path
    """The `app.py` that every viewer's process runs."""
    host: str = "127.0.0.1"
    port: int = 8000
    db: str | None = None
    config_path: str | None = None
    demo: bool = False
    offline: bool = False
    speed: float = 1.0
    writable: bool = False


def check_address(host: str, port: int) -> None:
    """Bind `host:port` once before anything starts, so that a host that does not resolve
    or a port already taken is a clear error rather than a traceback from the web server."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServeAddressError(
            f"--host {host}: not an address of this machine ({exc.strerror})"
        ) from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ServeAddressError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                " (another --port, or a --host of this machine)"
            ) from exc


def open_host_warning(host: str, port: int) -> str | None:
    """The one-line warning for a `--host` that listens on every network (0.0.0.0, ::):
    the page would point browsers at that address, which only this machine reaches."""
    try:
        unspecified = ipaddress.ip_address(host).is_unspecified
    except ValueError:  # a name: viewers reach it, or the page says nothing anyway
        return None
    if not unspecified:
        return None
    return (
        f"echowatch serve: warning: --host {host} listens on every network, but the page then "
        f"points browsers at {host}, which works only on this machine: give --host a name or "
        f"address of this machine that viewers can reach. There is no login: anyone who can "
        f"reach port {port} can read the store."
    )


def viewer_command(request: ServeRequest, plan: LaunchPlan) -> str:
    """The shell command textual-serve runs for each browser: an offline monitor on the
    store the plan resolved (never a second collector), read-only unless `--writable`."""
    args = [sys.executable, str(request.program), "--db", str(plan.db_path), "--offline"]
    if plan.config.path is not None:
        args += ["--config", str(plan.config.path)]
    if not request.writable:
        args.append("--read-only")
    return shlex.join(args)


def run_serve(request: ServeRequest) -> int:
    """Serve the monitor until Ctrl-C or SIGTERM; returns the exit code."""
    try:
        check_address(request.host, request.port)
    except ServeAddressError as exc:
        print(f"echowatch serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problem = speed_problem(request.speed)
    if problem:
        print(f"echowatch serve: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        plan = plan_launch(
            db=request.db,
            config_path=request.config_path,
            demo=request.demo,
            offline=request.offline,
            speed=request.speed,
        )
    except (LaunchError, StoreError) as exc:
        print(f"echowatch serve: {clean(exc)}", file=sys.stderr)  # it may quote a config
        return EXIT_FAILED
    warning = open_host_warning(request.host, request.port)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    stop = threading.Event()
    collecting = _start_collector(plan.collector, stop) if plan.collector else None
    with tempfile.TemporaryDirectory(prefix="echowatch-serve-") as pages:
        server = TeamServer(
            viewer_command(request, plan),
            stop=stop,
            host=request.host,
            port=request.port,
            title=f"Echowatch · {plan.subtitle}",
            templates_path=write_templates(Path(pages)),
        )
        try:
            server.serve()
        finally:
            stop.set()
            if collecting is not None:
                collecting.join(timeout=15)
    return EXIT_OK


def _start_collector(collector: Pollable, stop: threading.Event) -> threading.Thread:
    """The one collector of every viewer's store, polling in a thread of the server."""

    def run() -> None:
        poll_sources(
            collector,
            stop,
            on_report=lambda report: log.info(describe_report(report)),
        )

    thread = threading.Thread(target=run, name="echowatch-collector", daemon=True)
    thread.start()
    return thread
