"""Shared by the web tests: a real `migdocs serve` process on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVE = "from migdocs.cli import main; main()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def migdocs_serve(home: Path, *extra: str, timeout: float = 60) -> Iterator[str]:
    """Start `migdocs --home HOME serve --port N` (default host) and yield its base URL once
    it answers; stop it afterwards."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "--home", str(home), "serve",
                             "--port", str(port), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"migdocs serve exited with {proc.returncode}: {proc.stdout.read()}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(base + "/api/openapi.json", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("migdocs serve did not answer within "
                                       f"{timeout:.0f} s") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
