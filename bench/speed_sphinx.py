"""The sphinxql part of the speed benchmark (issue 11): the same query mix on the same corpus,
in the same run, against a home on a Sphinx cluster of 1 node and of 2 shards.

`bench/speed.py --engines whoosh,sphinx1,sphinx2` calls `measure()` once per engine and size,
after the Whoosh home of that size exists (ingested, or reused with `--skip-ingest`):
1. writes the cluster's files with `migdocs engine sphinx-config --nodes N` under
   `RUN/sphinxN/cluster` on a free block of loopback ports, and starts every searchd as a
   child of this process (`--nodetach`; SIGTERM to each when this process dies, however it
   dies: Linux `PR_SET_PDEATHSIG`); stopped by pid at the end, on error too;
2. builds `RUN/sphinxN/home` from the Whoosh home's catalog (a copy; the stored files hard
   linked) with `migdocs engine set URL` and `migdocs reindex`: the throughput figure is
   that reindex (analysis in migdocs on every core, postings built by searchd), not an ingest
   (extraction and language detection are the same whatever the engine);
3. runs the query mix in `bench.speed_worker search migdocs HOME` as for Whoosh;
4. records each node's `SHOW INDEX migdocs STATUS` (RAM chunk and disk chunk bytes: issue 11
   needs every shard in its RAM chunk, since Sphinx 2.2.11 loses BM25F length normalisation
   on disk chunks) and searchd's peak RSS.
With `--skip-ingest`, a sphinx home built by an earlier run with the same engine schema
(`BUILT` beside it) is reused when its ports are free again: searchd reloads its RAM chunk.
One node: the home's URL is the node's own RT index (no front), as docs/scale-out.md says a
single node runs.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from migdocs.search import sphinx_local

ENGINES = {"sphinx1": 1, "sphinx2": 2}
INDEX = "migdocs"


@dataclass
class Cluster:
    directory: Path
    port: int
    nodes: int
    local: sphinx_local.LocalCluster = field(default_factory=sphinx_local.LocalCluster)

    @property
    def url(self) -> str:
        return f"sphinxql://127.0.0.1:{self.port}/{INDEX}"

    @property
    def processes(self) -> list[subprocess.Popen]:
        return self.local.processes

    def node_ports(self) -> list[int]:
        return [self.port + 2 * i for i in range(1, self.nodes + 1)]

    def stop(self) -> None:
        self.local.stop(timeout=60)


def written_port(directory: Path) -> int | None:
    conf = directory / "front.conf"
    if not conf.exists():
        return None
    found = re.search(r"listen = 127\.0\.0\.1:(\d+):mysql41", conf.read_text(encoding="utf-8"))
    return int(found.group(1)) if found else None


@contextlib.contextmanager
def running(directory: Path, nodes: int, migdocs: str, *, reuse: bool) -> Iterator[Cluster]:
    """A cluster under `directory`, stopped at the end whatever happens. `reuse`: keep the
    data and the ports written there (the caller checked they are free)."""
    port = written_port(directory) if reuse else None
    if port is None:
        shutil.rmtree(directory, ignore_errors=True)
        port = sphinx_local.free_port_block(2 * nodes + 2)
    # written again when reused too (the same ports, the data kept): the configuration
    # measured is the one this migdocs writes
    subprocess.run([migdocs, "engine", "sphinx-config", "--nodes", str(nodes), "--port", str(port),
                    "--dir", str(directory)], check=True, capture_output=True)
    cluster = Cluster(directory, port, nodes)
    confs = [directory / f"node-{i}.conf" for i in range(1, nodes + 1)] + [directory / "front.conf"]
    try:
        # 120 s: a reused shard reloads its RAM chunk before it answers
        cluster.local = sphinx_local.start(list(zip(confs, [*cluster.node_ports(), port], strict=True)),
                                           wait=120, append_log=True)
    except sphinx_local.LocalClusterError as exc:
        raise SystemExit(str(exc)) from exc
    try:
        yield cluster
    finally:
        cluster.stop()


def copy_home(source: Path, target: Path) -> None:
    """The Whoosh home's catalog (SQLite backup: consistent) and its stored files (hard
    links: nothing writes them); no index."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    src = sqlite3.connect(f"file:{source / 'catalog.sqlite'}?mode=ro", uri=True)
    dst = sqlite3.connect(target / "catalog.sqlite")
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    if (source / "files").exists():
        try:
            shutil.copytree(source / "files", target / "files", copy_function=_link)
        except OSError:
            shutil.copytree(source / "files", target / "files")


def _link(src: str, dst: str) -> None:
    Path(dst).hardlink_to(src)


def node_status(cluster: Cluster) -> list[dict[str, object]]:
    """Each shard's `SHOW INDEX migdocs STATUS` (bytes in RAM chunk and disk chunks) and its
    searchd's resident and peak resident memory."""
    from migdocs.search import sphinxql

    out = []
    for port, proc in zip(cluster.node_ports(), cluster.processes, strict=False):
        conn = sphinxql.connect("127.0.0.1", port)
        try:
            status = dict(sphinxql.fetch_all(conn, f"SHOW INDEX {INDEX} STATUS")[0])
        finally:
            conn.close()
        memory = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    memory[key] = int(value.split()[0]) * 1024
        out.append({"port": port, **{k: _number(v) for k, v in status.items()},
                    "rss": memory.get("VmRSS"), "rss_peak": memory.get("VmHWM")})
    return out


def _number(value: object) -> object:
    try:
        return int(str(value))
    except ValueError:
        return value


Measure = Callable[..., dict]


def measure(engine: str, run: Path, whoosh_home: Path, *, migdocs: str, measured: Measure,
            search: Callable[[str, Path, Path], dict], skip_ingest: bool) -> dict[str, object]:
    """Build (or reuse) the sphinx home of `engine` beside the Whoosh home and run the
    query mix on it; every searchd stopped before returning."""
    nodes = ENGINES[engine]
    folder = run / engine
    home, built = folder / "home", folder / "BUILT"
    from migdocs.search.sphinxql import SphinxBackend

    stamp = f"{SphinxBackend.version}\n"  # another schema: build again
    reuse = skip_ingest and built.exists() and built.read_text(encoding="utf-8").endswith(stamp)
    if reuse:
        port = written_port(folder / "cluster")
        reuse = port is not None and sphinx_local.ports_free(port, 2 * nodes + 2)
    result: dict[str, object] = {"nodes": nodes, "reused": reuse}
    t0 = time.perf_counter()
    if not reuse:
        built.unlink(missing_ok=True)
    with running(folder / "cluster", nodes, migdocs, reuse=reuse) as cluster:
        # One node: the home talks to the node itself (its RT index), not through a front.
        url = cluster.url if nodes > 1 else f"sphinxql://127.0.0.1:{cluster.node_ports()[0]}/{INDEX}"
        result["url"] = url
        result["start"] = time.perf_counter() - t0
        if reuse:
            print(f"  [{engine}] --skip-ingest: reusing {home} on {url}", flush=True)
        else:
            copy_home(whoosh_home, home)
            result["set"] = measured([migdocs, "--home", str(home), "engine", "set", url],
                                     log=folder / "engine-set.log")
            result["reindex"] = measured([migdocs, "--home", str(home), "reindex"],
                                         log=folder / "reindex.log")
            if result["reindex"]["exit"] != 0:
                raise SystemExit(f"migdocs reindex into {url} failed: see {folder / 'reindex.log'}")
            built.write_text(f"{url}\n{stamp}", encoding="utf-8")
            print(f"  [{engine}] engine set + reindex {result['reindex']['seconds']:.1f} s", flush=True)
        result["search"] = search(engine, home, folder)
        result["shards"] = node_status(cluster)
    result["elapsed"] = time.perf_counter() - t0
    return result

