"""What the server benchmarks share: a free port on 127.0.0.1, and ``coopgraph serve`` started in a
process of its own and waited for until it listens."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_serve(port: int, options: list[str], *, log: IO[str] | None = None, wait: float = 300) -> subprocess.Popen:
    """``coopgraph serve --host 127.0.0.1 --port PORT --quiet OPTIONS``, once it listens (exits the benchmark
    with the server's output, or with what to check, when it stops or does not start within ``wait`` s)."""
    command = [sys.executable, "-m", "coopgraph", "serve", "--host", HOST, "--port", str(port), "--quiet", *options]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log if log is not None else subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stdout.read() if process.stdout else "see its output above"
            raise SystemExit(f"coopgraph serve stopped:\n{said}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"coopgraph serve did not start within {wait:.0f} s")


def stop_serve(process: subprocess.Popen) -> None:
    """Stop a server :func:`start_serve` started (Ctrl-C's way, then for good after 30 s)."""
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
