"""A live Sphinx cluster for the tests: two real-time shards and a distributed front.

`.ci/run` starts one and sets MIGDOCS_TEST_SPHINXQL=sphinxql://127.0.0.1:PORT/migdocs; without
it, the session starts its own with `.ci/sphinx.sh` on free loopback ports under a tmp folder
and stops it at the end, so the tests run the same everywhere `searchd` is installed.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from migdocs.search import sphinxql

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

    def stop(self) -> None:
        subprocess.run(["bash", str(SCRIPT), "stop", str(self.directory)], check=False,
                       env=_env(), capture_output=True)


def _env() -> dict[str, str]:
    """PATH with this Python's bin first: sphinx.sh calls `migdocs engine sphinx-config`."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def start_cluster(directory: Path, *, nodes: int) -> Started:
    if shutil.which("searchd") is None:
        pytest.skip(f"searchd is not installed (apt-get install sphinxsearch) and {ENV} is unset")
    port = free_port_block(2 * nodes + 2)
    done = subprocess.run(["bash", str(SCRIPT), "start", str(directory), str(nodes), str(port)],
                          env=_env(), capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        subprocess.run(["bash", str(SCRIPT), "stop", str(directory)], env=_env(), check=False)
        raise RuntimeError(f"sphinx.sh start failed:\n{done.stdout}\n{done.stderr}")
    return Started(directory, done.stdout.strip().splitlines()[-1])


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
