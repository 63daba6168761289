"""A live Sphinx cluster for the tests: two real-time shards and a distributed front.

`.ci/run` starts one and sets MIGDOCS_TEST_SPHINXQL=sphinxql://127.0.0.1:PORT/migdocs; without
it, the session starts its own on free loopback ports under a tmp folder (the same files,
searchd as child processes that end with the tests) and stops it at the end, so the tests run
the same everywhere `searchd` is installed.
"""

from __future__ import annotations

import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from migdocs.search import sphinxql
from migdocs.search.sphinx_config import write_cluster

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "sphinx.sh"
ENV = "MIGDOCS_TEST_SPHINXQL"


@dataclass
class Cluster:
    url: sphinxql.EngineURL
    nodes: list[tuple[str, int]]

    def front(self):  # a pymysql connection
        return sphinxql.connect(self.url.host, self.url.port)

    def node(self, i: int):
        return sphinxql.connect(*self.nodes[i])

    def truncate(self) -> None:
        for i in range(len(self.nodes)):
            with self.node(i) as conn:
                sphinxql.fetch_all(conn, f"TRUNCATE RTINDEX {self.url.index}")


def free_port_block(size: int) -> int:
    """A base port P with P..P+size-1 free on loopback (random, so parallel runs differ)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 60000 - size)
        try:
            for port in range(base, base + size):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free block of loopback ports")


@dataclass
class Started:
    directory: Path
    url: str
    processes: list[subprocess.Popen]

    def stop(self) -> None:
        """SIGTERM (searchd saves its RAM chunk and exits), front first."""
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _die_with_the_tests() -> None:
    """In the child before exec: SIGTERM when the test process dies, however it dies (a
    killed test run leaves no searchd behind). Linux prctl(PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def _wait_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"searchd exited {proc.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}; see {log}")


def start_cluster(directory: Path, *, nodes: int, port: int | None = None) -> Started:
    """Nodes and front under `directory` (its data kept if it has some), on `port` or on free
    loopback ports: `migdocs engine sphinx-config`'s files, each searchd a child of the test
    process (`--nodetach`), so that it ends with the tests even when they are killed.
    (.ci/sphinx.sh starts the CI cluster as daemons; `test_ci_script` checks it.)"""
    if shutil.which("searchd") is None:
        pytest.skip(f"searchd is not installed (apt-get install sphinxsearch) and {ENV} is unset")
    cluster = write_cluster(directory, nodes=nodes, port=port or free_port_block(2 * nodes + 2))
    started = Started(directory, cluster.url, [])
    ports = [n.sql_port for n in cluster.nodes] + [cluster.port]
    try:
        for conf, sql_port in zip(cluster.configs, ports, strict=True):
            log = conf.with_suffix(".log")
            with log.open("w") as out:
                proc = subprocess.Popen(["searchd", "--config", str(conf), "--nodetach"], stdout=out,
                                        stderr=subprocess.STDOUT,
                                        preexec_fn=_die_with_the_tests)  # (only prctl: safe after fork)
            started.processes.append(proc)
            _wait_port(sql_port, proc, log)
    except BaseException:
        started.stop()
        raise
    return started


def cluster_at(url: str) -> Cluster:
    parsed = sphinxql.EngineURL.parse(url)
    with sphinxql.connect(parsed.host, parsed.port) as conn:
        nodes = sphinxql.node_addresses(conn, parsed)
    return Cluster(parsed, nodes)


@pytest.fixture(scope="session")
def sphinx_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The engine URL of a running two-shard cluster (from .ci/run, or started here)."""
    if os.environ.get(ENV):
        yield os.environ[ENV]
        return
    started = start_cluster(tmp_path_factory.mktemp("sphinx"), nodes=2)
    try:
        yield started.url
    finally:
        started.stop()


@pytest.fixture()
def sphinx_cluster(sphinx_url: str) -> Cluster:
    """The cluster, emptied: every shard truncated before the test."""
    cluster = cluster_at(sphinx_url)
    cluster.truncate()
    return cluster
