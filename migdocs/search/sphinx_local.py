"""searchd processes on this machine: a cluster's nodes and front started as children of the
calling process on loopback ports, and stopped by pid.

For the tests and the speed benchmark (and a developer trying the sphinxql backend): each
searchd runs with `--nodetach` and gets SIGTERM when its parent dies, however it dies, so
nothing is left running. Production runs searchd as a service (docs/scale-out.md).
"""

from __future__ import annotations

import ctypes
import random
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from migdocs.errors import MigdocsError


class LocalClusterError(MigdocsError):
    """A local searchd did not start: the message says which and where its log is."""


def ports_free(base: int, size: int) -> bool:
    """Whether loopback ports base..base+size-1 can all be bound now."""
    try:
        for port in range(base, base + size):
            with socket.socket() as s:
                s.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True


def free_port_block(size: int) -> int:
    """A base port P with P..P+size-1 free on loopback (random, so parallel runs differ)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 60000 - size)
        if ports_free(base, size):
            return base
    raise LocalClusterError("no free block of loopback ports for a Sphinx cluster")


@dataclass
class LocalCluster:
    """Running searchd processes, front last."""

    processes: list[subprocess.Popen] = field(default_factory=list)

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM to each searchd by its pid (it saves its RAM chunk and exits), front first."""
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def start(configs: list[tuple[Path, int]], *, wait: float = 20, append_log: bool = False) -> LocalCluster:
    """Start `searchd --config CONF --nodetach` for each (config, SphinxQL port), in order,
    each answering before the next starts; its output goes to CONF's `.log` beside it.
    On any failure the ones started are stopped and LocalClusterError says which failed."""
    cluster = LocalCluster()
    try:
        for conf, port in configs:
            log = conf.with_suffix(".log")
            with log.open("a" if append_log else "w") as out:
                proc = subprocess.Popen(["searchd", "--config", str(conf), "--nodetach"], stdout=out,
                                        stderr=subprocess.STDOUT,
                                        preexec_fn=_die_with_the_parent)  # (only prctl: safe after fork)
            cluster.processes.append(proc)
            _wait_port(port, proc, log, wait)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _die_with_the_parent() -> None:
    """In the child before exec: SIGTERM when the parent dies (Linux prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def _wait_port(port: int, proc: subprocess.Popen, log: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise LocalClusterError(f"searchd exited {proc.returncode}; see {log}:\n{tail}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise LocalClusterError(f"nothing answers on 127.0.0.1:{port} after {wait:g} s; see {log}")
