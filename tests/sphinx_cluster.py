"""A live Sphinx cluster for the tests: two real-time shards and a distributed front.

`.ci/run` starts one and sets MIGDOCS_TEST_SPHINXQL=sphinxql://127.0.0.1:PORT/migdocs; without
it, the session starts its own on free loopback ports under a tmp folder (the same files,
searchd as child processes that end with the tests) and stops it at the end, so the tests run
the same everywhere `searchd` is installed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from migdocs.search import sphinx_local, sphinxql
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


@dataclass
class Started:
    directory: Path
    url: str
    local: sphinx_local.LocalCluster

    def stop(self) -> None:
        self.local.stop(timeout=20)


def start_cluster(directory: Path, *, nodes: int, port: int | None = None) -> Started:
    """Nodes and front under `directory` (its data kept if it has some), on `port` or on free
    loopback ports: `migdocs engine sphinx-config`'s files, each searchd a child of the test
    process (`--nodetach`), so that it ends with the tests even when they are killed.
    (.ci/sphinx.sh starts the CI cluster as daemons; `test_ci_script` checks it.)"""
    if shutil.which("searchd") is None:
        pytest.skip(f"searchd is not installed (apt-get install sphinxsearch) and {ENV} is unset")
    cluster = write_cluster(directory, nodes=nodes,
                            port=port or sphinx_local.free_port_block(2 * nodes + 2))
    ports = [n.sql_port for n in cluster.nodes] + [cluster.port]
    local = sphinx_local.start(list(zip(cluster.configs, ports, strict=True)), wait=60)
    return Started(directory, cluster.url, local)


@contextlib.contextmanager
def own_cluster(directory: Path, *, nodes: int) -> Iterator[Cluster]:
    """A cluster of the test's own (beside the session's), stopped on the way out."""
    started = start_cluster(directory, nodes=nodes)
    try:
        yield cluster_at(started.url)
    finally:
        started.stop()


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
